"""client/reservia.py run for real, as a CI job runs it, against a live server.

The server is `python app.py` on SQLite files of its own, whatever engine the run tests, so
`make test` runs this module once (own_sqlite)."""
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from tests.live_server import running_reservia

pytestmark = pytest.mark.own_sqlite

CLIENT = Path(__file__).resolve().parent.parent / "client" / "reservia.py"
PASSWORD = "client-test-password"
ADMIN_PASSWORD = "client-chief-password"


class World:
    """One live Reservia shared by this module's tests; each test makes its own users and resources."""

    def __init__(self, base):
        self.base = base
        self.admin = requests.Session()
        self.admin.post(f"{base}/session/login", json={"name": "admin", "password": ADMIN_PASSWORD}).raise_for_status()

    def token_for(self, name):
        """A new user's API token, made the way a person makes one."""
        self.admin.post(f"{self.base}/admin/user/add", json={
            "name": name, "email": f"{name}@example.org", "password": PASSWORD}).raise_for_status()
        person = requests.Session()
        person.post(f"{self.base}/session/login", json={"name": name, "password": PASSWORD}).raise_for_status()
        return person.post(f"{self.base}/session/tokens", json={"name": "ci"}).json()["token"]

    def resource(self, name, labels=()):
        answer = self.admin.post(f"{self.base}/admin/resource/add", json={"name": name, "labels": list(labels)})
        answer.raise_for_status()
        return answer.json()["resource_id"]

    def active(self, resource_id):
        return self.admin.get(f"{self.base}/reservation/active", params={"resource_id": resource_id}).json()[
            "reservations"]

    def history(self, resource_id):
        return self.admin.get(f"{self.base}/reservation/history",
                              params={"resource_id": resource_id, "user_id": ""}).json()["reservations"]

    def holder(self, resource_id, timeout=30):
        """The holder's name once someone holds the resource."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            held = [r for r in self.active(resource_id) if r["status"] == "approved"]
            if held:
                return held[0]
            time.sleep(0.1)
        raise AssertionError(f"nobody came to hold resource {resource_id}")

    def env(self, token):
        return {**os.environ, "RESERVIA_URL": self.base, "RESERVIA_TOKEN": token}

    def run(self, token, *args, timeout=60):
        return subprocess.run([sys.executable, str(CLIENT), *args], env=self.env(token),
                              capture_output=True, text=True, timeout=timeout)

    def start(self, token, *args, **options):
        return subprocess.Popen([sys.executable, str(CLIENT), *args], env=self.env(token), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with running_reservia(tmp_path_factory.mktemp("client-home"), RESERVIA_ADMIN_PASSWORD=ADMIN_PASSWORD) as base:
        yield World(base)


def finish(process, timeout=90):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_two_locks_on_one_resource_run_one_after_the_other(world, tmp_path):
    bench = world.resource("bench-two")
    first, second = world.token_for("ci-one"), world.token_for("ci-two")
    log = tmp_path / "turns"
    command = f'echo "$0 start" >> {log}; sleep 1; echo "$0 end" >> {log}'
    one = world.start(first, "lock", "--resource", "bench-two", "--", "sh", "-c", command, "one")
    assert world.holder(bench)["user_name"] == "ci-one"
    two = world.start(second, "lock", "--resource", "bench-two", "--", "sh", "-c", command, "two")
    assert finish(one)[0] == 0
    status, _, told = finish(two)
    assert status == 0
    assert log.read_text().splitlines() == ["one start", "one end", "two start", "two end"]
    assert "waiting for bench-two: position 1" in told
    assert world.active(bench) == []


def test_the_commands_exit_status_passes_through_and_the_hold_is_released(world):
    bench = world.resource("bench-status")
    token = world.token_for("ci-status")
    done = world.run(token, "lock", "--resource", "bench-status", "--", "sh", "-c", "exit 7")
    assert done.returncode == 7, done.stderr
    assert "released bench-status" in done.stderr
    assert world.active(bench) == []
    missing = world.run(token, "lock", "--resource", "bench-status", "--", "no-such-command-here")
    assert missing.returncode == 127 and world.active(bench) == []


def test_the_command_gets_the_resources_and_the_request_id(world, tmp_path):
    for name in ("scope-a", "scope-b", "scope-c"):
        world.resource(name, labels=["scope", "usb3"] if name != "scope-c" else ["scope"])
    token = world.token_for("ci-env")
    out = tmp_path / "env"
    done = world.run(token, "lock", "--labels", "scope,usb3", "--count", "2", "--",
                     "sh", "-c", f'echo "$RESERVIA_RESOURCES $RESERVIA_REQUEST_ID" > {out}')
    assert done.returncode == 0, done.stderr
    names, request_id = out.read_text().split()
    assert names == "scope-a,scope-b" and request_id.isdigit()
    [request] = [r for r in world.history(None) if r["id"] == int(request_id)]
    assert request["status"] == "released"


def test_a_wrong_token_exits_2_with_a_clear_message(world):
    done = world.run("rsv_not-a-real-token", "lock", "--resource", "anything", "--", "true")
    assert done.returncode == 2
    assert "did not accept the token" in done.stderr and "RESERVIA_TOKEN" in done.stderr
    unset = subprocess.run([sys.executable, str(CLIENT), "list"], capture_output=True, text=True, timeout=30,
                           env={k: v for k, v in os.environ.items() if not k.startswith("RESERVIA_")})
    assert unset.returncode == 2 and "set RESERVIA_URL and RESERVIA_TOKEN" in unset.stderr


def test_a_wait_that_runs_out_cancels_the_request_and_exits_75(world):
    bench = world.resource("bench-busy")
    world.admin.post(f"{world.base}/reservation/request", json={"resource_id": bench}).raise_for_status()
    token = world.token_for("ci-patient")
    done = world.run(token, "lock", "--resource", "bench-busy", "--wait", "2", "--", "true")
    assert done.returncode == 75, done.stderr
    assert "gave up waiting for bench-busy" in done.stderr
    assert [r["user_name"] for r in world.active(bench)] == ["admin"]
    assert {(r["user_name"], r["status"]) for r in world.history(bench)} == {
        ("admin", "approved"), ("ci-patient", "cancelled")}


@pytest.mark.slow
def test_a_client_killed_with_sigkill_loses_its_hold_within_its_lease_and_the_next_gets_it(world, tmp_path):
    bench = world.resource("bench-kill")
    doomed, next_one = world.token_for("ci-doomed"), world.token_for("ci-next")
    ran = tmp_path / "ran"
    killed = world.start(doomed, "lock", "--resource", "bench-kill", "--lease", "30", "--", "sleep", "600",
                         start_new_session=True)
    assert world.holder(bench)["user_name"] == "ci-doomed"
    waiting = world.start(next_one, "lock", "--resource", "bench-kill", "--lease", "30", "--",
                          "sh", "-c", f"touch {ran}")
    time.sleep(1)
    killed_at = datetime.now(timezone.utc)
    os.killpg(killed.pid, signal.SIGKILL)  # the job, client and command, dies without a word
    finish(killed)
    status, _, _ = finish(waiting)
    assert status == 0 and ran.exists()
    lost, took_over = sorted(world.history(bench), key=lambda r: r["id"])
    assert (lost["user_name"], lost["status"], lost["end_reason"]) == ("ci-doomed", "expired", "lease_lost")
    ended = datetime.fromisoformat(lost["end_date"])
    assert ended <= killed_at + timedelta(seconds=30 + 2)
    assert (took_over["user_name"], took_over["approved_date"]) == ("ci-next", lost["end_date"])


@pytest.mark.slow
def test_a_hold_lost_mid_run_stops_the_command_and_exits_76(world, tmp_path):
    bench = world.resource("bench-lost")
    token = world.token_for("ci-lost")
    stopped = tmp_path / "stopped"
    running = world.start(token, "lock", "--resource", "bench-lost", "--lease", "30", "--", "sh", "-c",
                          f'sleep 120 & trap "kill $!; echo stopped > {stopped}; exit 0" TERM; wait')
    world.holder(bench)
    world.admin.post(f"{world.base}/admin/reservation/force_release",
                     json={"resource_id": bench, "reason": "bench needed for a demo"}).raise_for_status()
    status, _, told = finish(running)
    assert status == 76
    assert "was lost" in told and "bench needed for a demo" in told
    assert stopped.read_text().strip() == "stopped"


def test_sigterm_stops_the_command_releases_and_exits_with_its_status(world, tmp_path):
    bench = world.resource("bench-term")
    token = world.token_for("ci-term")
    running = world.start(token, "lock", "--resource", "bench-term", "--", "sh", "-c",
                          'sleep 120 & trap "kill $!; exit 5" TERM; wait')
    world.holder(bench)
    time.sleep(0.5)  # the command is running: its trap is set
    running.send_signal(signal.SIGTERM)
    status, _, told = finish(running)
    assert status == 5, told
    assert world.active(bench) == []


def test_sigterm_while_waiting_cancels_the_request(world):
    bench = world.resource("bench-term-wait")
    world.admin.post(f"{world.base}/reservation/request", json={"resource_id": bench}).raise_for_status()
    token = world.token_for("ci-term-wait")
    waiting = world.start(token, "lock", "--resource", "bench-term-wait", "--", "true")
    deadline = time.monotonic() + 30
    while len(world.active(bench)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    waiting.send_signal(signal.SIGTERM)
    status, _, _ = finish(waiting)
    assert status == 128 + signal.SIGTERM
    assert [r["user_name"] for r in world.active(bench)] == ["admin"]


def test_request_status_release_and_list_for_shell_scripts(world):
    bench = world.resource("bench-shell")
    token = world.token_for("ci-shell")
    asked = world.run(token, "request", "--resource", "bench-shell", "--lease", "60")
    assert asked.returncode == 0, asked.stderr
    request_id = asked.stdout.strip()
    status = world.run(token, "status", request_id, "--json")
    assert json.loads(status.stdout)["status"] == "approved"
    assert "holding bench-shell" in world.run(token, "status", request_id).stdout
    listed = json.loads(world.run(token, "list", "--json").stdout)
    assert [r["request_id"] for r in listed["reservations"] if r["resource_id"] == bench] == [int(request_id)]
    assert "bench-shell" in world.run(token, "list").stdout
    assert "ci-shell" in world.run(token, "status").stdout
    released = world.run(token, "release", request_id, "--json")
    assert json.loads(released.stdout)["request_id"] == int(request_id)
    assert world.active(bench) == []
    unknown = world.run(token, "request", "--resource", "no-such-bench")
    assert unknown.returncode == 1 and "No resource named 'no-such-bench'" in unknown.stderr
