"""The command never outlives its hold: `reservia lock` stops the command's whole process tree,
grandchildren included, before it releases, and within seconds when the client itself dies.

Each command here is a shell that starts a grandchild writing a heartbeat file and saves the
grandchild's pid; the tests check that the grandchild is gone when the hold ends."""
import os
import signal
import sys
from datetime import datetime, timezone

import pytest

from tests.client_runs import BOUND, eventually, pid_gone

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}
# Runs a command as the child of a process that, like some containers' init, never reaps the
# orphans that come to it: PR_SET_CHILD_SUBREAPER (36) makes them come to it rather than to init.
NO_REAPER = ("import ctypes, subprocess, sys; ctypes.CDLL(None).prctl(36, 1, 0, 0, 0); "
             "sys.exit(subprocess.call(sys.argv[1:]))")


class Tree:
    """A command whose grandchild beats into a file until it is killed."""

    def __init__(self, folder, ignore_term=False, then="wait"):
        self.heartbeat, self.pidfile = folder / "heartbeat", folder / "grandchild"
        trap = 'trap "" TERM; ' if ignore_term else ""
        # The grandchild says its pid once its trap is set; the command goes on only then.
        beat = f"{trap}echo $$ > {self.pidfile}; while :; do echo beat >> {self.heartbeat}; sleep 0.2; done"
        started = f"while [ ! -s {self.pidfile} ]; do sleep 0.01; done"
        self.argv = ["sh", "-c", f"sh -c '{beat}' & {started}; {then}"]

    @property
    def pid(self):
        return eventually(lambda: self.pidfile.exists() and self.pidfile.read_text().strip() and
                          int(self.pidfile.read_text()), "the grandchild to start")

    def beating(self):
        return eventually(lambda: self.heartbeat.exists() and self.heartbeat.stat().st_size, "a heartbeat")

    def gone(self):
        return pid_gone(self.pid)


def test_sigterm_stops_the_grandchildren_before_the_release(jobs, tmp_path):
    bench = jobs.resource("bench-term")
    tree = Tree(tmp_path)
    running = jobs.start(jobs.token_for("ci-term"), "lock", "--resource", "bench-term", "--", *tree.argv)
    jobs.holder(bench)
    tree.beating()
    running.process.send_signal(signal.SIGTERM)
    status, _, told = running.finish()
    assert tree.gone(), "the grandchild outlived the client"
    assert status == 128 + signal.SIGTERM, told
    assert jobs.active(bench) == []
    assert told.index("released bench-term") > 0


def test_what_a_finished_command_left_running_is_stopped_before_the_release(jobs, tmp_path):
    bench = jobs.resource("bench-left")
    tree = Tree(tmp_path, then="exit 0")
    done = jobs.run(jobs.token_for("ci-left"), "lock", "--resource", "bench-left", "--", *tree.argv)
    assert done.returncode == 0, done.stderr
    assert tree.gone()
    assert "stopping what the command left running" in done.stderr
    assert jobs.active(bench) == []


def test_ended_processes_that_nobody_reaps_do_not_hold_up_the_release(jobs, tmp_path):
    bench = jobs.resource("bench-zombie")
    tree = Tree(tmp_path, then="exit 0")
    done = jobs.run(jobs.token_for("ci-zombie"), "lock", "--resource", "bench-zombie", "--", *tree.argv,
                    launcher=(sys.executable, "-c", NO_REAPER))
    assert done.returncode == 0, done.stderr
    assert tree.gone()
    assert "stopping what the command left running" in done.stderr
    assert "did not stop" not in done.stderr and "could not be stopped" not in done.stderr
    assert jobs.active(bench) == []


def test_a_grandchild_ignoring_sigterm_is_killed_after_the_grace(jobs, tmp_path):
    bench = jobs.resource("bench-stubborn")
    tree = Tree(tmp_path, ignore_term=True, then="exit 3")
    done = jobs.run(jobs.token_for("ci-stubborn"), "lock", "--resource", "bench-stubborn", "--lease", "30",
                    "--grace", "1", "--", *tree.argv)
    assert done.returncode == 3, done.stderr
    assert tree.gone()
    assert "did not stop within 1 s; killing them" in done.stderr
    assert jobs.active(bench) == []


@pytest.mark.slow
def test_a_client_killed_with_sigkill_takes_its_command_along_and_the_next_job_waits_for_the_lease(
        served, clock, tmp_path):
    jobs, _ = served
    bench = jobs.resource("bench-kill")
    tree = Tree(tmp_path)
    doomed = jobs.start(jobs.token_for("ci-doomed"), "lock", "--resource", "bench-kill", "--lease", "30",
                        "--", *tree.argv)
    jobs.holder(bench)
    tree.beating()
    ran = tmp_path / "ran"
    waiting = jobs.start(jobs.token_for("ci-next"), "lock", "--resource", "bench-kill", "--lease", "120", "--",
                         "sh", "-c", f"touch {ran}")
    waiting.wait_for_line("position 1")
    os.kill(doomed.pid, signal.SIGKILL)  # the OOM killer, a runner's timeout
    doomed.finish()
    eventually(tree.gone, "the grandchild to be stopped after the client died", timeout=BOUND)
    beats = tree.heartbeat.stat().st_size
    assert not ran.exists() and [r["user_name"] for r in jobs.active(bench)] == ["ci-doomed", "ci-next"]
    clock.advance(seconds=31)  # the lease runs out: only now is the next job approved
    status, _, told = waiting.finish()
    assert status == 0 and ran.exists(), told
    assert tree.heartbeat.stat().st_size == beats
    lost, took_over = sorted(jobs.history(bench), key=lambda r: r["id"])
    assert (lost["user_name"], lost["status"], lost["end_reason"]) == ("ci-doomed", "expired", "lease_lost")
    assert (took_over["user_name"], took_over["approved_date"]) == ("ci-next", lost["end_date"])


def test_a_hold_released_by_an_admin_stops_the_tree_and_says_why(jobs, tmp_path):
    bench = jobs.resource("bench-lost")
    tree = Tree(tmp_path)
    # The client learns of the release at its next keep-alive: every second, not every 10 s.
    running = jobs.start(jobs.token_for("ci-lost"), "lock", "--resource", "bench-lost", "--lease", "30",
                         "--keep-alive-every", "1", "--", *tree.argv)
    jobs.holder(bench)
    tree.beating()
    jobs.admin.post("/admin/reservation/force_release", json={"resource_id": bench, "reason": "needed for a demo"})
    status, _, told = running.finish()
    assert status == 76, told
    assert tree.gone()
    assert "released by admin: needed for a demo" in told


@pytest.mark.slow
def test_the_command_is_stopped_before_its_maximum_hold_ends(served, clock, tmp_path):
    jobs, flaky = served
    bench = jobs.resource("bench-short", max_hold_minutes=1)
    tree = Tree(tmp_path)
    running = jobs.start(jobs.token_for("ci-short"), "lock", "--resource", "bench-short", "--lease", "30",
                         "--keep-alive-every", "1", "--expect", "20m", "--", *tree.argv)
    running.wait_for_line("the longest hold on bench-short is 1 min, shorter than --expect 20 min")
    jobs.holder(bench)
    # Kept alive at 25 s by the server's clock, the hold goes on. At 54 s (within the lease of the
    # last keep-alive) the answer shows the hold ending at its maximum, 6 s on, before the lease
    # would: too soon for the command's grace, so the client stops it.
    for seconds in (25, 29):
        clock.advance(seconds=seconds)
        arrived = flaky.calls.get("/reservation/keep_alive", 0)  # served at the old time, perhaps
        eventually(lambda arrived=arrived: flaky.answered.get("/reservation/keep_alive", 0) > arrived,
                   "a keep-alive at the new time",
                   detail=lambda: f"answered: {flaky.answered}\nthe client said:\n{running.said()}")
    status, _, told = running.finish()
    assert status == 76, told
    assert tree.gone()
    assert "maximum hold of 1 min reached" in told
    assert jobs.history(bench)[0]["status"] == "released"


@pytest.mark.slow
def test_a_client_cut_off_from_reservia_stops_its_command_before_the_lease_ends(served, tmp_path):
    jobs, flaky = served
    bench = jobs.resource("bench-cut")
    tree = Tree(tmp_path)
    running = jobs.start(jobs.token_for("ci-cut"), "lock", "--resource", "bench-cut", "--lease", "30",
                         "--", *tree.argv)
    jobs.holder(bench)
    tree.beating()
    flaky.fail("/reservation/keep_alive", 1000, "502 Bad Gateway")
    status, _, told = running.finish()
    assert status == 76, told
    assert tree.gone()
    assert "lease lost" in told and "released bench-cut" in told
    # The keep-alives (every third of the lease by default) failed, and each was tried again.
    assert "answered HTTP 502" in told and "trying again in 1 s" in told
