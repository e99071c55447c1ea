"""Writers wait for SQLite's write lock while another program holds it, then go on or answer 503."""
import sqlite3
import threading

import pytest
from sqlalchemy import event

from backend.extensions import db

# Long enough that no writer of these tests gives up on a busy machine, unless a test means it to.
APP_SETTINGS = {"RESERVIA_SQLITE_BUSY_TIMEOUT": 60}


@pytest.fixture
def outside_writer(tmp_path, sqlite_only):
    """A program outside Reservia (an operator's sqlite3 shell, say) holding the write lock."""
    connection = sqlite3.connect(tmp_path / "home" / "reservia.sqlite3", isolation_level=None,
                                 check_same_thread=False)
    yield connection
    connection.close()


@pytest.fixture
def lock_asked(app):
    """An event set once one of the application's connections asks SQLite for the write lock."""
    asked = threading.Event()

    def watch(statement):
        if statement == "BEGIN IMMEDIATE":
            asked.set()

    def on_checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(watch)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", on_checkout)
    yield asked
    event.remove(engine, "checkout", on_checkout)


def test_writer_waits_for_the_lock_and_goes_on_when_it_is_free(accounts, outside_writer, lock_asked):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    outside_writer.execute("BEGIN IMMEDIATE")
    lock_asked.clear()
    answers = []
    writer = threading.Thread(
        target=lambda: answers.append(alice.post("/reservation/request", json={"resource_id": bench})))
    writer.start()
    try:
        # The writer asked for the lock while the other program held it, so it was refused.
        assert lock_asked.wait(timeout=60), "the writer never asked for the write lock"
        assert not answers, "the writer answered while another program held the write lock"
    finally:
        outside_writer.execute("COMMIT")
    writer.join(timeout=60)
    [response] = answers
    assert response.status_code == 201, response.json
    assert response.json["status"] == "approved"


@pytest.mark.parametrize("app_settings", [{"RESERVIA_SQLITE_BUSY_TIMEOUT": 1}])
def test_writer_gives_up_with_503_and_changes_nothing(accounts, outside_writer):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    outside_writer.execute("BEGIN IMMEDIATE")
    try:
        response = alice.post("/reservation/request", json={"resource_id": bench})
    finally:
        outside_writer.execute("ROLLBACK")
    assert response.status_code == 503
    assert response.json["code"] == "BUSY"
    assert response.headers["Retry-After"] == "1"  # when to ask again
    assert alice.get("/reservation/active").json["reservations"] == []


def test_writers_of_one_process_take_turns_and_all_succeed(app, accounts):
    """Eight threads of one process write at once; each gets its turn (on PostgreSQL: its row
    lock), none is refused as busy. The turn is not handed out fairly, so a thread may wait
    behind many others: the generous busy timeout keeps that from reading as a refusal."""
    benches = [accounts.add_resource(f"bench-{i}") for i in range(8)]
    clients = [accounts.user(f"user{i}") for i in range(8)]
    statuses = []
    start = threading.Barrier(8)

    def cycle(client, bench):
        start.wait()
        for _ in range(10):
            statuses.append(client.post("/reservation/request", json={"resource_id": bench}).status_code)
            statuses.append(client.post("/reservation/release", json={"resource_id": bench}).status_code)

    threads = [threading.Thread(target=cycle, args=pair) for pair in zip(clients, benches, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [200, 201]
    assert len(statuses) == 160
