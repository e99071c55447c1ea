#!/usr/bin/env bash
# The suite's pytest runs, four side by side: the engine's tests on SQLite, the same on a throwaway
# PostgreSQL cluster, and what does not depend on the engine, once, in two runs.
# - What does not depend on the engine runs once: the browser tests (pages), the tests marked once
#   (a part above the engine: pages, the command line, the CI client, ...) and those marked
#   own_sqlite (Reservia on SQLite files of their own whatever the run's engine). Those also marked
#   slow (the quick benchmark, the CI client waiting out leases, Apache) mostly wait on servers and
#   clocks: they have a run of their own ("slow"), the others another ("once"). The slow run is two
#   processes (a test file each at a time): one alone waited out its clocks a test after another
#   and finished last, with both cores to spare.
#   The engine runs take the rest: what the data layer stores, decides and locks. The PostgreSQL
#   run is two processes (pytest-xdist, a test file each at a time, each with a cluster of its
#   own): one spends much of its time waiting for the server's answers, and alone it finished a
#   minute after the others.
# Side by side, because much of each run waits on servers, browsers and clocks: on two cores, four
# runs keep both cores busy where two left a third of the time idle. The SQLite run prints as it
# goes; the other runs' output follows it. Every run always finishes; the script fails if any
# fails, and ends with how long each took. Arguments go to every run.
set -uo pipefail
cd "$(dirname "$0")/.."
python=${VENV:-.venv}/bin/python

# The runs' files (each test's SQLite database, logs, Apache's and the browsers' folders, whatever
# their programs put in TMPDIR) live in memory when there is room: on a disk, every test's new
# folders and files went through the file system's journal, some tenth of the suite's time.
scratch_parent=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt $((2 * 1024 * 1024)) ]; then
  scratch_parent=/dev/shm
fi
scratch=$(mktemp -d "$scratch_parent/reservia-tests.XXXXXX")
mkdir "$scratch/tmp"
chmod 755 "$scratch" && chmod 1777 "$scratch/tmp"  # as /tmp is: servers running as other accounts reach their files
export TMPDIR="$scratch/tmp"
# Every Python process the runs start (the runs, the servers, the CLI and the CI client under test:
# hundreds) reads its modules' compiled forms from __pycache__ (which .gitignore leaves out), even
# where the environment asks Python not to write them: compiling every module afresh in each was
# some tenth of the suite's time.
unset PYTHONDONTWRITEBYTECODE
once_only="browser or own_sqlite or once"

timed_run() {
  local name=$1 started=$EPOCHREALTIME status
  shift
  "$python" -m pytest --basetemp="$scratch/$name" "$@"
  status=$?
  echo "$status $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')" > "$scratch/$name.done"
}

started=$EPOCHREALTIME
timed_run postgresql --database=postgresql -n 2 --dist loadfile -m "not ($once_only)" "$@" > "$scratch/postgresql.log" 2>&1 &
timed_run once -m "($once_only) and not slow" "$@" > "$scratch/once.log" 2>&1 &
timed_run slow -n 2 --dist loadfile -m "($once_only) and slow" "$@" > "$scratch/slow.log" 2>&1 &
timed_run sqlite -m "not ($once_only)" "$@"
wait
together=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

failed=0
summary=""
for name in once slow postgresql; do
  echo
  echo "==== the ${name} run ===="
  cat "$scratch/$name.log"
done
for name in sqlite once slow postgresql; do
  read -r status seconds < "$scratch/$name.done"
  summary+="$name ${seconds} s (exit ${status}), "
  [ "$status" -eq 0 ] || failed=1
done
echo
echo "pytest, side by side: ${summary}all done in ${together} s"
if [ "$failed" -ne 0 ]; then
  echo "failed; the runs' files are kept in $scratch"
  exit 1
fi
rm -rf "$scratch"
