"""`reservia lock` rides through short outages: a first request during a restart, a release that
does not get through."""
from datetime import datetime, timezone

import pytest

from tests.live_server import free_port

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}


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
