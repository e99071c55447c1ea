"""`reservia lock` rides through short outages: a first request during a restart, a release that
does not get through."""
import json
from datetime import datetime, timezone

import pytest

from tests.client_runs import eventually
from tests.live_server import free_port

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}
# Reservia's own "busy" answer (a full write queue, an unreachable directory): JSON, with how long to
# stay away.
BUSY = json.dumps({"error": "Reservia is busy; try again shortly.", "code": "BUSY"}).encode()


def busy(seconds):
    return "503 Service Unavailable", [("Content-Type", "application/json"), ("Retry-After", str(seconds))], BUSY


def test_the_first_request_is_tried_again_through_a_restart(served):
    jobs, flaky = served
    bench = jobs.resource("bench-restart")
    flaky.fail("/info/resources", 2, "502 Bad Gateway")
    flaky.fail("/reservation/request", 1, "503 Service Unavailable")
    done = jobs.run(jobs.token_for("ci-restart"), "lock", "--resource", "bench-restart", "--", "true")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("trying again in") == 3
    assert "answered HTTP 502" in done.stderr and "answered HTTP 503" in done.stderr
    assert [r["status"] for r in jobs.history(bench)] == ["released"]


def test_an_unreachable_reservia_exits_69_after_the_connect_timeout(served):
    jobs, _ = served
    token = jobs.token_for("ci-nowhere")
    done = jobs.run(token, "lock", "--resource", "bench", "--connect-timeout", "2", "--", "true",
                    env=jobs.env(token, RESERVIA_URL=f"http://127.0.0.1:{free_port()}"))
    assert done.returncode == 69, done.stderr
    assert "trying again in 1 s (for up to 2 s)" in done.stderr
    assert "gave up after --connect-timeout 2 s" in done.stderr


def test_a_page_that_is_not_reservia_is_not_tried_again(served):
    jobs, flaky = served
    flaky.fail("/info/resources", 1, "404 Not Found")
    done = jobs.run(jobs.token_for("ci-wrong-url"), "lock", "--resource", "bench", "--", "true")
    assert done.returncode == 69 and "trying again" not in done.stderr


def test_a_release_that_does_not_get_through_is_tried_again(served):
    jobs, flaky = served
    bench = jobs.resource("bench-release")
    flaky.fail("/reservation/release", 2, "502 Bad Gateway")
    done = jobs.run(jobs.token_for("ci-release"), "lock", "--resource", "bench-release", "--", "true")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("could not release request") == 2
    assert "released bench-release" in done.stderr
    assert jobs.active(bench) == [] and [r["status"] for r in jobs.history(bench)] == ["released"]


def test_a_busy_answer_is_asked_again_after_its_retry_after(served):
    jobs, flaky = served
    bench = jobs.resource("bench-busy")
    flaky.answer("/reservation/request", 1, *busy(2))
    done = jobs.run(jobs.token_for("ci-busy"), "lock", "--resource", "bench-busy", "--", "true")
    assert done.returncode == 0, done.stderr
    assert "Reservia is busy; try again shortly.; trying again in 2 s" in done.stderr
    assert [r["status"] for r in jobs.history(bench)] == ["released"]


def test_a_busy_answer_while_waiting_is_asked_again_after_its_retry_after(served):
    jobs, flaky = served
    bench = jobs.resource("bench-busy-wait")
    jobs.admin.post("/reservation/request", json={"resource_id": bench})
    flaky.answer("/reservation/wait", 1, *busy(3))
    waiting = jobs.start(jobs.token_for("ci-busy-wait"), "lock", "--resource", "bench-busy-wait", "--", "true")
    waiting.wait_for_line("Reservia is busy; try again shortly. (BUSY); asking again in 3 s")
    eventually(lambda: flaky.calls["/reservation/wait"] >= 2, "the wait to be asked again")
    jobs.admin.post("/reservation/release", json={"resource_id": bench})
    status, _, told = waiting.finish()
    assert status == 0, told
    assert told.count("asking again") == 1
    assert [(r["user_name"], r["status"]) for r in jobs.history(bench)
            if r["user_name"] == "ci-busy-wait"] == [("ci-busy-wait", "released")]
