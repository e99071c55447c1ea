#!/usr/bin/env bash
# Install the system packages the test suite drives for real: Chromium (its headless shell for
# most browser tests, the whole browser for desktop notifications), Apache, PostgreSQL, slapd.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromium-headless-shell ] || need+=(chromium-headless-shell)
# Apache with Debian's mod_wsgi (built for /usr/bin/python3, whose venv module the Apache
# virtualenv needs), and the PostgreSQL server the suite's second run starts a cluster of.
[ -x /usr/sbin/apache2 ] || need+=(apache2)
[ -e /usr/lib/apache2/modules/mod_wsgi.so ] || need+=(libapache2-mod-wsgi-py3)
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
command -v openssl >/dev/null || need+=(openssl)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# The LDAP sign-in tests start a throwaway slapd of their own (tests/ldap_server.py) and ask it
# with ldap-utils; python-ldap builds from source against libldap and libsasl2, with a compiler.
[ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapsearch >/dev/null || need+=(ldap-utils)
[ -e /usr/include/ldap.h ] || need+=(libldap-dev)
[ -e /usr/include/sasl/sasl.h ] || need+=(libsasl2-dev)
command -v gcc >/dev/null || need+=(gcc)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "The tests need these Debian packages: ${need[*]} (install them as root)." >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  # slapd asks no questions and sets up no directory of its own, so no system slapd takes port 389.
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
