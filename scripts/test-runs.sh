#!/usr/bin/env bash
# The suite's two pytest runs, side by side: on SQLite, and on a throwaway PostgreSQL cluster.
# - What does not depend on the engine runs once: the browser tests (pages), the tests marked once
#   (a part above the engine: pages, the command line, the CI client, ...) and those marked
#   own_sqlite (Reservia on SQLite files of their own whatever the run's engine). Those also marked
#   slow (the quick benchmark, the CI client waiting out leases, the longest browser walks) go to
#   the PostgreSQL run, the others to the SQLite run: so both runs take about as long.
# Side by side, because much of each run waits on servers, browsers and clocks: on two cores both
# together take about as long as the longer one. The SQLite run prints as it goes; the PostgreSQL
# run's output follows it. Both runs always finish; the script fails if either fails, and ends
# with how long each took. Arguments go to both runs.
set -uo pipefail
cd "$(dirname "$0")/.."
python=${VENV:-.venv}/bin/python
scratch=$(mktemp -d "${TMPDIR:-/tmp}/reservia-tests.XXXXXX")

declare -A seconds status
timed_run() {
  local name=$1 started=$EPOCHREALTIME
  shift
  "$python" -m pytest --basetemp="$scratch/$name" "$@"
  status[$name]=$?
  seconds[$name]=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
  echo "${status[$name]} ${seconds[$name]}" > "$scratch/$name.done"
}

started=$EPOCHREALTIME
timed_run postgresql --database=postgresql -m "not (browser or own_sqlite or once) or slow" "$@" \
  > "$scratch/postgresql.log" 2>&1 &
postgresql=$!
timed_run sqlite -m "not ((browser or own_sqlite or once) and slow)" "$@"
wait "$postgresql"
read -r status[postgresql] seconds[postgresql] < "$scratch/postgresql.done"
together=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

echo
echo "==== the PostgreSQL run ===="
cat "$scratch/postgresql.log"
echo
echo "pytest, side by side: sqlite ${seconds[sqlite]} s, postgresql ${seconds[postgresql]} s," \
     "both done in ${together} s"
if [ "${status[sqlite]}" -ne 0 ] || [ "${status[postgresql]}" -ne 0 ]; then
  echo "failed: sqlite exit ${status[sqlite]}, postgresql exit ${status[postgresql]};" \
       "the runs' files are kept in $scratch"
  exit 1
fi
rm -rf "$scratch"
