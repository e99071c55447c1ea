"""client/reservia.py run for real, as a CI job runs it, against the test's application served
from a thread: queueing, exit statuses, what the command gets, and what the client prints."""
import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from tests.client_runs import CLIENT, eventually

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

# conftest's `clock` stops here, and its `app_settings` reads APP_SETTINGS.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}


def test_two_locks_on_one_resource_run_one_after_the_other(jobs, tmp_path):
    bench = jobs.resource("bench-two")
    first, second = jobs.token_for("ci-one"), jobs.token_for("ci-two")
    log, go = tmp_path / "turns", tmp_path / "go"
    command = f'echo "$0 start" >> {log}; while [ ! -e {go} ]; do sleep 0.02; done; echo "$0 end" >> {log}'
    one = jobs.start(first, "lock", "--resource", "bench-two", "--", "sh", "-c", command, "one")
    assert jobs.holder(bench)["user_name"] == "ci-one"
    two = jobs.start(second, "lock", "--resource", "bench-two", "--", "sh", "-c", command, "two")
    two.wait_for_line("waiting for bench-two: position 1")
    go.touch()
    assert one.finish()[0] == 0
    status, _, told = two.finish()
    assert status == 0, told
    assert log.read_text().splitlines() == ["one start", "one end", "two start", "two end"]
    assert "waited" in told.splitlines()[-1] and "held" in told.splitlines()[-1]
    assert jobs.active(bench) == []


def test_the_commands_exit_status_passes_through_and_the_hold_is_released(jobs):
    bench = jobs.resource("bench-status")
    token = jobs.token_for("ci-status")
    done = jobs.run(token, "lock", "--resource", "bench-status", "--", "sh", "-c", "exit 7")
    assert done.returncode == 7, done.stderr
    assert "released bench-status" in done.stderr
    assert jobs.active(bench) == []
    missing = jobs.run(token, "lock", "--resource", "bench-status", "--", "no-such-command-here")
    assert missing.returncode == 127 and jobs.active(bench) == []


def test_the_command_gets_the_resources_but_not_the_token(jobs, tmp_path):
    for name in ("scope-a", "scope-b", "scope-c"):
        jobs.resource(name, labels=["scope", "usb3"] if name != "scope-c" else ["scope"],
                      comment=f"{name} in lab 2")
    token = jobs.token_for("ci-env")
    out = tmp_path / "env"
    show = f'echo "$RESERVIA_RESOURCES $RESERVIA_REQUEST_ID token:${{RESERVIA_TOKEN:-none}}" > {out}'
    done = jobs.run(token, "lock", "--labels", "scope,usb3", "--count", "2", "--", "sh", "-c", show)
    assert done.returncode == 0, done.stderr
    names, request_id, token_seen = out.read_text().split()
    assert names == "scope-a,scope-b" and request_id.isdigit() and token_seen == "token:none"
    [request] = [r for r in jobs.history() if r["id"] == int(request_id)]
    assert request["status"] == "released"
    passed = jobs.run(token, "lock", "--labels", "scope", "--pass-token", "--", "sh", "-c", show)
    assert passed.returncode == 0 and out.read_text().split()[2] == f"token:{token}"


def test_a_wrong_token_exits_2_with_a_clear_message(jobs):
    done = jobs.run("rsv_not-a-real-token", "lock", "--resource", "anything", "--", "true")
    assert done.returncode == 2
    assert "did not accept the token" in done.stderr and "RESERVIA_TOKEN" in done.stderr
    unset = subprocess.run([sys.executable, str(CLIENT), "list"], capture_output=True, text=True, timeout=30,
                           env={k: v for k, v in os.environ.items() if not k.startswith("RESERVIA_")})
    assert unset.returncode == 2 and "set RESERVIA_URL and RESERVIA_TOKEN" in unset.stderr


def test_a_wait_that_runs_out_cancels_the_request_and_exits_75(jobs):
    bench = jobs.resource("bench-busy")
    jobs.admin.post("/reservation/request", json={"resource_id": bench})
    token = jobs.token_for("ci-patient")
    done = jobs.run(token, "lock", "--resource", "bench-busy", "--wait", "1", "--", "true")
    assert done.returncode == 75, done.stderr
    assert "gave up waiting for bench-busy" in done.stderr
    assert [r["user_name"] for r in jobs.active(bench)] == ["admin"]
    assert {(r["user_name"], r["status"]) for r in jobs.history(bench)} == {
        ("admin", "approved"), ("ci-patient", "cancelled")}


def test_sigterm_while_waiting_cancels_the_request(jobs):
    bench = jobs.resource("bench-term-wait")
    jobs.admin.post("/reservation/request", json={"resource_id": bench})
    token = jobs.token_for("ci-term-wait")
    waiting = jobs.start(token, "lock", "--resource", "bench-term-wait", "--", "true")
    waiting.wait_for_line("position 1")
    waiting.process.send_signal(signal.SIGTERM)
    status, _, _ = waiting.finish()
    assert status == 128 + signal.SIGTERM
    assert [r["user_name"] for r in jobs.active(bench)] == ["admin"]


def test_request_status_release_and_list_for_shell_scripts(jobs):
    bench = jobs.resource("bench-shell")
    token = jobs.token_for("ci-shell")
    asked = jobs.run(token, "request", "--resource", "bench-shell", "--lease", "60")
    assert asked.returncode == 0, asked.stderr
    request_id = asked.stdout.strip()
    status = jobs.run(token, "status", request_id, "--json")
    assert json.loads(status.stdout)["status"] == "approved"
    assert "holding bench-shell" in jobs.run(token, "status", request_id).stdout
    listed = json.loads(jobs.run(token, "list", "--json").stdout)
    assert [r["request_id"] for r in listed["reservations"] if r["resource_id"] == bench] == [int(request_id)]
    table = jobs.run(token, "list").stdout.splitlines()  # a heading, then a line a hold
    assert len(table) == 2 and "bench-shell" in table[1] and "\\n" not in table[0]
    assert "ci-shell" in jobs.run(token, "status").stdout
    released = jobs.run(token, "release", request_id, "--json")
    assert json.loads(released.stdout)["request_id"] == int(request_id)
    assert jobs.active(bench) == []
    unknown = jobs.run(token, "request", "--resource", "no-such-bench")
    assert unknown.returncode == 1 and "No resource named 'no-such-bench'" in unknown.stderr


def test_a_redirect_to_another_origin_is_refused_and_named(served):
    jobs, flaky = served
    jobs.resource("bench-moved")
    token = jobs.token_for("ci-moved")
    flaky.answer("/info/resources", 1, "302 Found", [("Location", "http://evil.example.net:8080/steal")])
    done = jobs.run(token, "lock", "--resource", "bench-moved", "--", "true")
    assert done.returncode == 2, done.stderr
    assert "redirected to http://evil.example.net:8080/steal" in done.stderr and "RESERVIA_URL" in done.stderr


@pytest.mark.parametrize("retry_after", ["abc", "Wed, 21 Oct 2015 07:28:00 GMT", "nan"])
def test_a_retry_after_that_is_not_a_number_does_not_crash_the_wait(served, retry_after):
    jobs, flaky = served
    bench = jobs.resource("bench-odd")
    token = jobs.token_for("ci-odd")
    answer = json.dumps({"request_id": 0, "status": "requested", "state": "requested", "position": 1,
                         "resource_ids": [], "valid_until_date": None}).encode()
    jobs.admin.post("/reservation/request", json={"resource_id": bench})
    flaky.answer("/reservation/wait", 2, "200 OK",
                 [("Content-Type", "application/json"), ("Retry-After", retry_after)], answer)
    waiting = jobs.start(token, "lock", "--resource", "bench-odd", "--", "true")
    eventually(lambda: flaky.canned["/reservation/wait"][0] == 0, "both odd answers to be given")
    jobs.admin.post("/reservation/release", json={"resource_id": bench})
    status, _, told = waiting.finish()
    assert status == 0, told
    assert "Traceback" not in told


def test_text_from_the_server_is_printed_with_control_characters_escaped(served):
    jobs, flaky = served
    token = jobs.token_for("ci-escape")
    evil = json.dumps({"error": "no \x1b]0;owned\x07 \x1b[2J bench\u202e", "code": "RESOURCE_NOT_FOUND"})
    flaky.answer("/info/resources", 1, "404 Not Found", [("Content-Type", "application/json")], evil.encode())
    done = jobs.run(token, "lock", "--resource", "x", "--", "true")
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr and "\x07" not in done.stderr
    assert r"no \x1b]0;owned\x07 \x1b[2J bench\u202e" in done.stderr
