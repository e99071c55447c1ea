#!/usr/bin/env bash
# The suite's two pytest runs: on SQLite, then on a throwaway PostgreSQL cluster (the browser
# tests exercise pages, not the engine, and the tests marked own_sqlite never use the run's engine,
# so the second run leaves them out). Both runs always happen; the script fails if either fails,
# and ends with how long each took. Arguments go to both runs.
set -uo pipefail
cd "$(dirname "$0")/.."
python=${VENV:-.venv}/bin/python

status=0
timed_run() {
  local name=$1 started=$EPOCHREALTIME
  shift
  "$python" -m pytest "$@" || status=1
  seconds[$name]=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
}

declare -A seconds
timed_run sqlite "$@"
timed_run postgresql --database=postgresql -m "not browser and not own_sqlite" "$@"
echo "pytest: sqlite ${seconds[sqlite]} s, postgresql ${seconds[postgresql]} s," \
     "together $((seconds[sqlite] + seconds[postgresql])) s"
exit $status
