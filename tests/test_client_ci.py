"""What `reservia lock` offers a CI job besides the lock: try-lock, exit codes, notes, log lines,
the resources described to the command and to later steps, JSON events and a JUnit report."""
import json
import re
import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest
import requests

from tests.client_runs import Jobs, eventually
from tests.factories import Accounts
from tests.threaded_server import serving

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ reservia: ")


@pytest.fixture(scope="module")
def usage_jobs(module_app):
    """One served application and token for the usage errors: each is refused before anything
    changes (by the client, or by Reservia for a lease longer than the hold)."""
    with serving(module_app) as (base, _flaky):
        jobs = Jobs(Accounts(module_app), base)
        jobs.resource("bench-usage")
        yield jobs, jobs.token_for("ci-usage")


def busy(jobs, name):
    """A resource the administrator holds."""
    bench = jobs.resource(name)
    jobs.admin.post("/reservation/request", json={"resource_id": bench})
    return bench


def test_wait_0_tries_once_and_exits_75_at_once(jobs):
    bench = busy(jobs, "bench-try")
    token = jobs.token_for("ci-try")
    done = jobs.run(token, "lock", "--resource", "bench-try", "--wait", "0", "--", "true")
    assert done.returncode == 75, done.stderr
    assert "bench-try is taken; not waiting (--wait 0)" in done.stderr
    assert [r["user_name"] for r in jobs.active(bench)] == ["admin"]
    moved = jobs.run(token, "lock", "--resource", "bench-try", "--wait", "0", "--exit-base", "100", "--", "true")
    assert moved.returncode == 103


@pytest.mark.parametrize("arguments", [
    ["lock", "--resource", "bench-usage", "--lease", "601", "--", "true"],  # longer than the 10-min hold
    ["lock", "--resource", "bench-usage", "--lease", "10", "--", "true"],
    ["lock", "--resource", "bench-usage", "--exit-base", "1", "--", "true"],
    ["lock", "--resource", "bench-usage", "--wait", "-1", "--", "true"],
    ["lock", "--resource", "bench-usage", "--lease", "30", "--keep-alive-every", "11", "--", "true"],
    ["lock", "--resource", "bench-usage", "--lease", "30", "--grace", "6", "--", "true"],
    ["keep-alive", "--every", "5", "1"],  # without --daemon
    ["lock", "--resource", "bench-usage"],
    ["status", "--wait", "5"],
])
def test_usage_errors_exit_2(usage_jobs, arguments):
    jobs, token = usage_jobs
    done = jobs.run(token, *arguments)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert jobs.active() == []


@pytest.mark.parametrize("ci, note", [
    ({"CI_JOB_URL": "https://gitlab.example.org/lab/fw/-/jobs/42"}, "https://gitlab.example.org/lab/fw/-/jobs/42"),
    ({"BUILD_URL": "https://jenkins.example.org/job/hil/7/"}, "https://jenkins.example.org/job/hil/7/"),
    ({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "lab/fw", "GITHUB_RUN_ID": "99"},
     "https://github.com/lab/fw/actions/runs/99"),
])
def test_the_note_names_the_ci_job_and_the_hold_length_can_be_chosen(jobs, ci, note):
    bench = jobs.resource("bench-note")
    token = jobs.token_for("ci-note")
    done = jobs.run(token, "lock", "--resource", "bench-note", "--hold-minutes", "5", "--", "true",
                    env=jobs.env(token, **ci))
    assert done.returncode == 0, done.stderr
    [held] = jobs.history(bench)
    assert (held["note"], held["hold_minutes"]) == (note, 5)
    chosen = jobs.run(token, "lock", "--resource", "bench-note", "--note", "flashing fw 2.3", "--", "true",
                      env=jobs.env(token, **ci))
    assert chosen.returncode == 0
    assert {r["note"] for r in jobs.history(bench)} == {note, "flashing fw 2.3"}


def test_every_line_is_timestamped_and_the_last_says_how_long_it_waited_and_held(jobs):
    jobs.resource("bench-lines")
    done = jobs.run(jobs.token_for("ci-lines"), "lock", "--resource", "bench-lines", "--", "true")
    lines = done.stderr.splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines
    assert re.search(r"reservia: waited \d+ s, held \d+ s$", lines[-1])


def test_the_wait_answers_at_once_when_the_position_changes(served):
    jobs, flaky = served
    base = jobs.base
    bench = busy(jobs, "bench-queue")
    ahead = [jobs.accounts.user(name) for name in ("first", "second")]
    queued = [c.post("/reservation/request", json={"resource_id": bench}).json["request_id"] for c in ahead]
    auth = {"Authorization": f"Bearer {jobs.token_for('ci-queue')}"}
    mine = requests.post(f"{base}/reservation/request", json={"resource_id": bench}, headers=auth,
                         timeout=10).json()
    assert mine["position"] == 3
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(requests.get(
        f"{base}/reservation/wait", params={"request_id": mine["request_id"], "timeout": 30},
        headers=auth, timeout=60).json()))
    waiting.start()
    eventually(lambda: flaky.calls.get("/reservation/wait"), "the wait to reach the server")
    ahead[0].post("/reservation/cancel", json={"request_id": queued[0]})
    waiting.join(timeout=10)  # well before the 30 s the wait may last
    if waiting.is_alive():  # it looked only after the first left: the second's leaving answers it
        ahead[1].post("/reservation/cancel", json={"request_id": queued[1]})
        waiting.join(timeout=10)
    assert not waiting.is_alive() and answers[0]["position"] in (1, 2)


def test_the_command_and_later_steps_get_each_resources_labels_and_comment(jobs, tmp_path):
    jobs.resource("scope-1", labels=["scope", "usb3"], comment="Rigol in rack 2")
    token = jobs.token_for("ci-labels")
    seen, env_file = tmp_path / "seen", tmp_path / "hold.env"
    show = 'echo "$RESERVIA_RESOURCE_1_NAME|$RESERVIA_RESOURCE_1_LABELS|$RESERVIA_RESOURCE_1_COMMENT"'
    done = jobs.run(token, "lock", "--labels", "scope", "--env-file", str(env_file), "--", "sh", "-c",
                    f"{show} > {seen}")
    assert done.returncode == 0, done.stderr
    assert seen.read_text().strip() == "scope-1|scope,usb3|Rigol in rack 2"
    written = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert written["RESERVIA_RESOURCES"] == "scope-1" and written["RESERVIA_RESOURCE_1_COMMENT"] == "Rigol in rack 2"
    assert "RESERVIA_TOKEN" not in written


def test_json_prints_one_line_per_event(jobs):
    busy(jobs, "bench-json")
    token = jobs.token_for("ci-json")
    waiting = jobs.start(token, "--json", "lock", "--resource", "bench-json", "--", "true")
    waiting.wait_for_line("position 1")
    jobs.admin.post("/reservation/release", json={"resource_id": jobs.active()[0]["resource_id"]})
    status, out, _ = waiting.finish()
    assert status == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["event"] for e in events] == ["queued", "position", "approved", "released", "ended"]
    assert events[2]["resources"] == ["bench-json"] and events[-1]["exit_status"] == 0
    assert events[-1]["failure"] is None and "held_seconds" in events[-1]


def test_the_report_fails_when_the_lock_failed_not_when_the_command_did(jobs, tmp_path):
    jobs.resource("bench-report")
    token = jobs.token_for("ci-report")
    report = tmp_path / "reservia.xml"
    done = jobs.run(token, "lock", "--resource", "bench-report", "--report", str(report), "--", "sh", "-c", "exit 3")
    assert done.returncode == 3
    case = ET.parse(report).find("testcase")
    assert case.get("name") == "lock bench-report" and case.find("failure") is None
    properties = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert set(properties) == {"request_id", "waited_seconds", "held_seconds", "exit_status"}
    busy(jobs, "bench-report-busy")
    refused = jobs.run(token, "lock", "--resource", "bench-report-busy", "--wait", "0", "--report", str(report),
                       "--", "true")
    assert refused.returncode == 75
    failure = ET.parse(report).find("testcase/failure")
    assert failure is not None and "gave up waiting" in failure.get("message")


def test_keep_alive_of_an_ended_request_names_it(jobs):
    jobs.resource("bench-ended")
    token = jobs.token_for("ci-ended")
    request_id = jobs.run(token, "request", "--resource", "bench-ended").stdout.strip()
    assert jobs.run(token, "release", request_id).returncode == 0
    late = jobs.run(token, "keep-alive", request_id)
    assert late.returncode == 1
    assert f"Request {request_id} has ended" in late.stderr and "REQUEST_ENDED" in late.stderr


def test_several_resources_by_name_are_held_together_in_one_request(jobs, tmp_path):
    bench, psu = jobs.resource("bench-pair"), jobs.resource("psu-pair")
    jobs.admin.post("/reservation/request", json={"resource_id": psu})
    token = jobs.token_for("ci-pair")
    seen = tmp_path / "seen"
    waiting = jobs.start(token, "lock", "--resource", "bench-pair", "--resource", "psu-pair", "--",
                         "sh", "-c", f'echo "$RESERVIA_RESOURCES" > {seen}')
    waiting.wait_for_line("position 1")
    assert [r["user_name"] for r in jobs.active(bench)] == ["ci-pair"]  # kept, not held, while psu is busy
    assert not seen.exists()
    jobs.admin.post("/reservation/release", json={"resource_id": psu})
    status, _, told = waiting.finish()
    assert status == 0, told
    assert seen.read_text().strip() == "bench-pair,psu-pair"
    requests_made = {r["request_id"] for r in jobs.history() if r["user_name"] == "ci-pair"}
    assert len(requests_made) == 1
