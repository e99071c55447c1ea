#!/usr/bin/env bash
# The whole benchmark in one command: installs what it needs into the project's virtualenv, then
# runs `python -m bench` (arguments are passed on, e.g. --quick). See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
stamp="$venv/.bench"
if [ ! -f "$stamp" ] || [ requirements-bench.txt -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  bash scripts/make-venv.sh "$venv" requirements-bench.txt
  touch "$stamp"
fi
exec "$venv/bin/python" -m bench "$@"
