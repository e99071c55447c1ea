#!/usr/bin/env bash
# Create the virtualenv VENV (if missing) and install the given requirements file into it.
set -euo pipefail
venv=${1:?usage: make-venv.sh VENV REQUIREMENTS}
requirements=${2:?usage: make-venv.sh VENV REQUIREMENTS}

if [ ! -x "$venv/bin/python" ]; then
  python=${PYTHON:-$(command -v python3)}
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    # Debian's Python needs its venv module installed separately.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$venv"
      "$python" -m venv "$venv"
    else
      echo "Cannot create a virtualenv with $python: install python3-venv." >&2
      exit 1
    fi
  fi
fi
# python-ldap (RESERVIA_AUTH=ldap) has no wheel for Linux: it builds against these headers.
missing=()
[ -e /usr/include/ldap.h ] || missing+=(libldap-dev)
[ -e /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
command -v gcc >/dev/null || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "python-ldap builds from source: install ${missing[*]} (Debian packages) first." >&2
    exit 1
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
