"""A held GET /reservation/wait reads its request again when the database changed, not on a timer
(backend/database/changes.py), on both engines."""
import queue
import threading

import pytest

from backend.database.file_writes import FileWrites
from tests.conftest import Accounts
from tests.signal_drivers import PATIENCE, Counted, drive_changes

APP_SETTINGS = {"RESERVIA_WAIT_THREADS": 2}


@pytest.fixture
def other_app(app, make_app):
    """A second application on the same database: what another server process would be."""
    return make_app(RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"], **APP_SETTINGS)


@pytest.fixture
def status_reads(app, monkeypatch):
    """Counts how often waits read where a request stands."""
    waiting = app.extensions["reservia_database"].waiting
    counted = Counted(waiting._status)
    monkeypatch.setattr(waiting, "_status", counted)
    return counted


def start_waiting(client, request_id):
    """The client waits for its turn in a thread, as a CI job does; returns where the answer arrives."""
    answers = queue.Queue()
    threading.Thread(target=lambda: answers.put(client.get(f"/reservation/wait?request_id={request_id}&timeout=30")),
                     daemon=True).start()
    return answers


def queued_request(client, bench):
    [_, waiting] = client.get(f"/reservation/active?resource_id={bench}").json["reservations"]
    return waiting["request_id"]


def test_a_held_wait_reads_again_only_when_told_of_a_change(app, clock, accounts, status_reads):
    watcher = drive_changes(app)
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    answers = start_waiting(bob, queued_request(bob, bench))
    # The first look, and one when the signal starts watching (a commit just before may be unseen).
    status_reads.wait_for(2)
    watcher.let_look(50)
    assert status_reads.calls == 2 and answers.empty()

    watcher.tell()  # a commit that does not concern bob: one read, and he waits on
    status_reads.wait_for(3)
    watcher.let_look(50)
    assert status_reads.calls == 3 and answers.empty()

    alice.post("/reservation/release", json={"resource_id": bench})
    watcher.tell()
    answer = answers.get(timeout=PATIENCE)
    assert (answer.json["status"], status_reads.calls) == ("approved", 4)
    assert "Retry-After" not in answer.headers


@pytest.mark.parametrize("inotify", [True, False], ids=["inotify", "polling"])
def test_a_commit_through_another_process_wakes_a_held_wait(app, accounts, other_app, status_reads, inotify,
                                                            monkeypatch):
    """On SQLite the signal sleeps on inotify, or polls the commit count where there is none."""
    if not inotify:
        def no_inotify(path):
            raise OSError("no inotify here")
        monkeypatch.setattr(FileWrites, "open", no_inotify)
    bench, _, bob = accounts.queue_of("bench-1", "alice", "bob")
    answers = start_waiting(bob, queued_request(bob, bench))
    status_reads.wait_for(2)  # held, and the signal watches
    alice_elsewhere = Accounts(other_app).login("alice")
    assert alice_elsewhere.post("/reservation/release", json={"resource_id": bench}).status_code == 200
    answer = answers.get(timeout=PATIENCE)
    assert answer.json["status"] == "approved"
    changes = app.extensions["reservia_database"].transactions.changes
    assert changes.watching  # told by the signal, not by re-reading on a timer


def test_a_signal_that_cannot_watch_leaves_waits_re_reading(app, accounts, status_reads):
    """The database's file is gone from under the watcher: waits fall back to re-reading."""

    class Broken:
        def open(self):
            raise OSError("no database here")

    changes = app.extensions["reservia_database"].transactions.changes
    changes.watcher = Broken()
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    answers = start_waiting(bob, queued_request(bob, bench))
    status_reads.wait_for(4)  # read again and again, with nobody telling
    assert not changes.watching and answers.empty()
    alice.post("/reservation/release", json={"resource_id": bench})
    assert answers.get(timeout=PATIENCE).json["status"] == "approved"

