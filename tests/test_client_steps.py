"""A hold spanning several pipeline steps: `reservia request`, `keep-alive --daemon`, `release`."""
from datetime import datetime, timezone

import pytest

from tests.client_runs import eventually, pid_gone

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}


def test_request_waits_in_line_when_asked_and_describes_the_hold_for_later_steps(served, tmp_path):
    jobs, _ = served
    bench = jobs.resource("bench-steps", labels=["hil"])
    jobs.admin.post("/reservation/request", json={"resource_id": bench})
    token = jobs.token_for("ci-steps")
    env_file = tmp_path / "hold.env"
    asking = jobs.start(token, "request", "--resource", "bench-steps", "--lease", "60", "--wait", "600",
                        "--env-file", str(env_file))
    asking.wait_for_line("position 1")
    jobs.admin.post("/reservation/release", json={"resource_id": bench})
    status, out, told = asking.finish()
    assert status == 0, told
    request_id = out.strip()
    assert f"RESERVIA_REQUEST_ID={request_id}" in env_file.read_text().splitlines()
    assert "RESERVIA_RESOURCE_1_LABELS=hil" in env_file.read_text().splitlines()
    assert [r["user_name"] for r in jobs.active(bench)] == ["ci-steps"]


@pytest.mark.slow
def test_keep_alive_daemon_keeps_the_hold_until_it_is_released(served):
    jobs, flaky = served
    bench = jobs.resource("bench-daemon")
    token = jobs.token_for("ci-daemon")
    request_id = jobs.run(token, "request", "--resource", "bench-daemon", "--lease", "30").stdout.strip()
    started = jobs.run(token, "keep-alive", "--daemon", "--every", "1", request_id)
    assert started.returncode == 0, started.stderr
    daemon = int(started.stdout)
    # One keep-alive from the command itself, then the daemon's every second (not every 10 s).
    eventually(lambda: flaky.calls.get("/reservation/keep_alive", 0) >= 2, "the daemon to keep the hold alive")
    assert not pid_gone(daemon)
    assert jobs.run(token, "release", request_id).returncode == 0
    eventually(lambda: pid_gone(daemon), "the daemon to stop once the request ended")
    assert jobs.active(bench) == []
