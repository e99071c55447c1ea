"""Lists and logins kept between requests are never older than the database (see backend/database/read_cache.py).

Every test here warms the cache first, then changes the data behind its back: from another
application on the same database, from another OS process, or by letting time pass.
"""
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timezone

import pytest
from flask import g
from sqlalchemy import text

from backend.database import read_cache
from backend.database.read_cache import _REQUEST_REVISION, ReadCache
from backend.extensions import db
from tests.client_runs import eventually
from tests.conftest import Accounts

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10, "RESERVIA_SESSION_DAYS": 1}


@pytest.fixture
def other_app(app, make_app, app_settings):
    """A second application on the same database: what another server process would be."""
    return make_app(RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"], **app_settings)


def holders(client, path="/reservation/active"):
    response = client.get(path)
    assert response.status_code == 200, response.json
    return [(e["user_name"], e["resource_name"], e["status"]) for e in response.json["reservations"]]


def test_unchanged_list_is_served_without_a_query(accounts, count_statements):
    """On both engines: SQLite's commit count, PostgreSQL's data version (read_cache.py)."""
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": accounts.add_resource("bench-1")})
    first = count_statements(lambda: alice.get("/reservation/active"))
    again = count_statements(lambda: alice.get("/reservation/active"))
    assert first >= 2  # the login check and the list
    assert again == 0


def test_write_through_another_process_is_seen_by_the_next_request(app, accounts, other_app):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    Accounts(other_app).add_user("bob")
    assert holders(alice) == []
    bob_elsewhere = Accounts(other_app).login("bob")
    assert bob_elsewhere.post("/reservation/request", json={"resource_id": bench}).status_code == 201
    assert holders(alice) == [("bob", "bench-1", "approved")]
    assert holders(alice, f"/reservation/active?resource_id={bench}") == [("bob", "bench-1", "approved")]
    bob_elsewhere.post("/reservation/release", json={"resource_id": bench})
    assert holders(alice) == []


def test_own_write_is_seen_by_the_next_request(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    assert holders(alice) == []
    alice.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": bench})
    assert holders(alice) == [("alice", "bench-1", "approved"), ("bob", "bench-1", "requested")]
    alice.post("/reservation/release", json={"resource_id": bench})
    assert holders(bob) == [("bob", "bench-1", "approved")]


def test_change_made_straight_in_the_sqlite_file_is_seen(app, accounts, tmp_path, sqlite_only):
    """An operator's sqlite3 session, or any program outside Reservia, counts as a commit too."""
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": accounts.add_resource("bench-1")})
    assert holders(alice) == [("alice", "bench-1", "approved")]
    path = tmp_path / "home" / "reservia.sqlite3"
    script = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
              "c.execute(\"UPDATE resources SET name = 'bench-renamed'\"); c.commit()")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    assert holders(alice) == [("alice", "bench-renamed", "approved")]
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE users SET name = 'alice-renamed' WHERE name = 'alice'")
    assert holders(alice) == [("alice-renamed", "bench-renamed", "approved")]


def test_hold_expires_while_nobody_writes(accounts, clock):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    assert holders(bob) == [("alice", "bench-1", "approved"), ("bob", "bench-1", "requested")]
    clock.advance(minutes=9, seconds=59)
    assert holders(bob) == [("alice", "bench-1", "approved"), ("bob", "bench-1", "requested")]
    clock.advance(seconds=1)
    assert holders(bob) == [("bob", "bench-1", "approved")]
    assert holders(bob, f"/reservation/active?resource_id={bench}") == [("bob", "bench-1", "approved")]


def test_logout_elsewhere_ends_the_session_at_once(accounts, other_app):
    alice = accounts.user("alice")
    assert alice.get("/reservation/active").status_code == 200
    stolen = other_app.test_client()
    cookie = alice.get_cookie("reservia_session")
    stolen.set_cookie("reservia_session", cookie.value)
    assert stolen.get("/reservation/active").status_code == 200
    assert stolen.post("/session/logout", json={}).status_code == 200
    answer = alice.get("/reservation/active")
    assert answer.status_code == 401
    assert answer.json["code"] == "NOT_AUTHENTICATED"


def test_deactivated_user_is_refused_at_once(accounts, other_app):
    alice = accounts.user("alice")
    assert alice.get("/reservation/active").status_code == 200
    admin_elsewhere = Accounts(other_app).admin
    user_id = next(u["id"] for u in admin_elsewhere.get("/info/users").json["users"] if u["name"] == "alice")
    assert admin_elsewhere.post("/admin/user/modify", json={"user_id": user_id, "active": False}).status_code == 200
    assert alice.get("/reservation/active").status_code == 401


def test_a_commit_that_changes_no_sign_in_keeps_who_each_session_is(accounts, record_statements):
    """Who a session belongs to is kept until the sign-in version moves (0019), not until the next
    commit: after someone else's request, the next request reads that number, not the session."""
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    assert alice.get("/reservation/active").status_code == 200
    assert bob.post("/reservation/request", json={"resource_id": bench}).status_code == 201
    statements = record_statements(lambda: alice.get("/reservation/active"))
    assert "sign_in_version" in statements[0]
    assert not [s for s in statements if "login_sessions" in s]


@pytest.mark.parametrize("change", ["UPDATE users SET active = false WHERE name = 'alice'",
                                    "DELETE FROM login_sessions WHERE user_id = "
                                    "(SELECT id FROM users WHERE name = 'alice')"])
def test_a_sign_in_changed_straight_in_the_database_is_seen_at_once(app, accounts, change):
    """The number moves in the database itself (triggers), whoever writes users or sessions."""
    alice, bob = accounts.user("alice"), accounts.user("bob")
    assert alice.get("/reservation/active").status_code == 200
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(change))
    assert alice.get("/reservation/active").status_code == 401
    assert bob.get("/reservation/active").status_code == 200


def test_session_ages_out_while_nobody_writes(accounts, clock):
    alice = accounts.user("alice")
    assert alice.get("/reservation/active").status_code == 200
    clock.advance(hours=23, minutes=59)
    assert alice.get("/reservation/active").status_code == 200
    clock.advance(minutes=1)
    assert alice.get("/reservation/active").status_code == 401


def test_nothing_kept_survives_a_new_commit_counting_connection(app, accounts, other_app, sqlite_only):
    """Each connection counts commits from its own start (a fresh one always says 1), so after
    the counting connection is replaced (an error, a fork) nothing kept before may be served."""
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    Accounts(other_app).add_user("bob")
    counter = app.extensions["reservia_database"].transactions.read_cache.counter
    counter._close()  # the next request counts on a fresh connection
    assert holders(alice) == []
    assert Accounts(other_app).login("bob").post("/reservation/request", json={"resource_id": bench}).status_code == 201
    counter._close()  # replaced again: the new connection's count starts where the old one's did
    assert holders(alice) == [("bob", "bench-1", "approved")]


class _Flights:
    """Stands in for the threading module inside read_cache.py: its Events count the requests
    waiting on another's build, so a test waits for that instead of sleeping."""

    Lock = threading.Lock

    def __init__(self):
        self.waiting = 0
        flights = self

        class Event(threading.Event):
            def wait(self, timeout=None):
                flights.waiting += 1
                return super().wait(timeout)
        self.Event = Event


@pytest.fixture
def flights(monkeypatch):
    counted = _Flights()
    monkeypatch.setattr(read_cache, "threading", counted)
    return counted


def _ask_together(app, cache, build, threads=6):
    """`threads` requests of one commit count asking `cache` for the same key at once; their answers."""
    answers, ready = [], threading.Barrier(threads + 1)

    def ask():
        with app.app_context():
            setattr(g, _REQUEST_REVISION, (1, 7))
            ready.wait()
            try:
                answers.append(cache.get("active", build, now=lambda: None))
            except RuntimeError as error:
                answers.append(str(error))
    running = [threading.Thread(target=ask) for _ in range(threads)]
    for thread in running:
        thread.start()
    ready.wait()
    return running, answers


def test_one_thread_builds_what_many_ask_for_at_once(app, flights):
    cache, builds, finish = ReadCache(None), [], threading.Event()

    def build():
        builds.append(threading.get_ident())
        finish.wait(10)
        return ["the list"], None
    running, answers = _ask_together(app, cache, build)
    # Every other request waits for the one build (without it, each would be building its own).
    eventually(lambda: flights.waiting == 5 or len(builds) == 6, "every request to have asked")
    finish.set()
    for thread in running:
        thread.join(10)
    assert len(builds) == 1
    assert answers == [["the list"]] * 6


def test_a_build_that_fails_leaves_the_others_to_build_their_own(app, flights):
    cache, builds, finish = ReadCache(None), [], threading.Event()

    def build():
        builds.append(threading.get_ident())
        if len(builds) == 1:
            finish.wait(10)
            raise RuntimeError("the database went away")
        return ["the list"], None
    running, answers = _ask_together(app, cache, build, threads=3)
    eventually(lambda: flights.waiting == 2 or len(builds) == 3, "every request to have asked")
    finish.set()
    for thread in running:
        thread.join(10)
    assert sorted(map(str, answers)) == ["['the list']", "['the list']", "the database went away"]


def test_requests_of_an_earlier_commit_count_keep_the_newer_answers(app):
    """Under load, requests that read the count before the last commit are still answered while
    newer ones arrive: each count's answer is kept beside the other's, none is built twice."""
    cache, builds = ReadCache(None), []

    def ask(revision):
        with app.app_context():
            setattr(g, _REQUEST_REVISION, revision)
            return cache.get("active", lambda: (builds.append(revision) or [f"as of {revision}"], None),
                             now=lambda: None)
    answers = [ask(revision) for revision in ((1, 7), (1, 8), (1, 7), (1, 8), (1, 8))]
    assert answers == [["as of (1, 7)"], ["as of (1, 8)"], ["as of (1, 7)"], ["as of (1, 8)"], ["as of (1, 8)"]]
    assert builds == [(1, 7), (1, 8)]
