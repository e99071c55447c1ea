"""Running client/reservia.py as a CI job runs it, against the test's application served from a
thread (tests/threaded_server.py), and waiting on what it does with a bound, never a fixed sleep.

Also a pytest plugin (tests/conftest.py loads it): the `served` and `jobs` fixtures of the client's
test files."""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.threaded_server import serving

CLIENT = Path(__file__).resolve().parent.parent / "client" / "reservia.py"
# Long enough for a slow, busy machine; conditions are checked every few hundredths of a second.
BOUND = 60
# Every client started in the background, so that a test that failed half-way leaves none running
# into the next test (conftest's teardown hook calls stop_leftovers() after each `once` test).
STARTED = []


def stop_leftovers():
    """Kill and reap the background clients a test left running."""
    while STARTED:
        running = STARTED.pop()
        if running.process.poll() is None:
            running.process.kill()
        running.process.wait(timeout=BOUND)


def eventually(condition, what, timeout=BOUND, detail=None):
    """condition()'s first true value, checked until `timeout` seconds have passed; `detail()`
    says more in the failure (what a client printed, say)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            more = f"\n{detail()}" if detail else ""
            raise AssertionError(f"{what}: not within {timeout} s{more}")
        time.sleep(0.02)


def pid_gone(pid):
    """Whether process `pid` has ended (a zombie waiting for its parent counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


class Running:
    """A client process whose stderr is read as it comes, so tests can wait for a line."""

    def __init__(self, process):
        self.process = process
        STARTED.append(self)
        self.err = []
        self.out = []
        self._readers = [threading.Thread(target=self._read, args=(process.stderr, self.err), daemon=True),
                         threading.Thread(target=self._read, args=(process.stdout, self.out), daemon=True)]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines):
        with stream:
            for line in stream:
                lines.append(line)

    @property
    def pid(self):
        return self.process.pid

    def told(self, text):
        return any(text in line for line in self.err)

    def said(self):
        return "".join(self.err)

    def wait_for_line(self, text):
        eventually(lambda: self.told(text), f"the client to say {text!r}", detail=self.said)

    def finish(self, timeout=90):
        self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=BOUND)
        return self.process.returncode, "".join(self.out), "".join(self.err)


class Jobs:
    """CI jobs of the test: tokens made the way a person makes them, and the client run with them."""

    def __init__(self, accounts, base):
        self.accounts = accounts
        self.base = base
        self.admin = accounts.admin

    def token_for(self, name):
        person = self.accounts.user(name)
        answer = person.post("/session/tokens", json={"name": "ci"})
        assert answer.status_code == 201, answer.json
        return answer.json["token"]

    def resource(self, name, labels=(), **fields):
        answer = self.admin.post("/admin/resource/add", json={"name": name, "labels": list(labels), **fields})
        assert answer.status_code == 201, answer.json
        return answer.json["resource_id"]

    def active(self, resource_id=None):
        query = {"resource_id": resource_id} if resource_id else {}
        return self.admin.get("/reservation/active", query_string=query).json["reservations"]

    def history(self, resource_id=None):
        query = {"user_id": "", **({"resource_id": resource_id} if resource_id else {})}
        return self.admin.get("/reservation/history", query_string=query).json["reservations"]

    def holder(self, resource_id):
        """The hold on the resource, once someone holds it."""
        return eventually(lambda: next((r for r in self.active(resource_id) if r["status"] == "approved"), None),
                          f"someone to hold resource {resource_id}")

    def env(self, token, **extra):
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("RESERVIA_", "CI_", "GITHUB_", "BUILD_"))}
        return {**keep, "RESERVIA_URL": self.base, "RESERVIA_TOKEN": token, **extra}

    def run(self, token, *args, timeout=60, env=None, launcher=()):
        """The client run to its end; `launcher` is the command line of a process to run it under."""
        return subprocess.run([*launcher, sys.executable, str(CLIENT), *args], env=env or self.env(token),
                              capture_output=True, text=True, timeout=timeout)

    def start(self, token, *args, env=None, **options):
        return Running(subprocess.Popen([sys.executable, str(CLIENT), *args], env=env or self.env(token),
                                        text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options))


@pytest.fixture
def served(app, clock, accounts):
    """The test's application served over HTTP: (its Jobs, the Flaky middleware in front of it)."""
    with serving(app) as (base, flaky):
        yield Jobs(accounts, base), flaky


@pytest.fixture
def jobs(served):
    """The CI jobs of a test that does not make the server misbehave."""
    return served[0]
