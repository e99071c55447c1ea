#!/usr/bin/env bash
# Install the system packages the test suite drives for real: Chromium, Apache, PostgreSQL.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# Apache with Debian's mod_wsgi (built for /usr/bin/python3, whose venv module the Apache
# virtualenv needs), and the PostgreSQL server the suite's second run starts a cluster of.
[ -x /usr/sbin/apache2 ] || need+=(apache2)
[ -e /usr/lib/apache2/modules/mod_wsgi.so ] || need+=(libapache2-mod-wsgi-py3)
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
command -v openssl >/dev/null || need+=(openssl)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "The tests need these Debian packages: ${need[*]} (install them as root)." >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
