"""Costs that do not depend on the machine: SQL statements per request, and the indexes queries use."""
from datetime import timedelta

import pytest
from sqlalchemy import event

from backend.extensions import db
from tests.conftest import active, signed_in_again


def _fill(accounts, prefix, resources, users_per_resource):
    """Resources each with a holder and a queue, plus finished reservations in the history."""
    clients = [accounts.user(f"{prefix}-user{i}") for i in range(users_per_resource)]
    for r in range(resources):
        resource_id = accounts.add_resource(f"{prefix}-bench-{r}")
        for client in clients:
            client.post("/reservation/request", json={"resource_id": resource_id})
        clients[0].post("/reservation/release", json={"resource_id": resource_id})
        clients[0].post("/reservation/request", json={"resource_id": resource_id})
    return clients[0]


def test_a_booking_ahead_costs_the_queue_writes_no_statement_until_it_begins(accounts, clock, count_statements):
    free, booked = accounts.add_resource("bench-free"), accounts.add_resource("bench-booked")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    tomorrow = clock.now + timedelta(days=1)
    answer = bob.post("/reservation/book", json={"resource_id": booked, "start": tomorrow.isoformat(),
                                                 "end": (tomorrow + timedelta(hours=1)).isoformat()})
    assert answer.status_code == 201, answer.json

    def cycle(resource_id):
        return [count_statements(lambda action=action: alice.post(f"/reservation/{action}",
                                                                  json={"resource_id": resource_id}))
                for action in ("request", "release")]
    cycle(free)  # the first reads who alice's session is again: bob signed in since her last request
    assert cycle(booked) == cycle(free)
    # Once it has begun, the write reads the bookings: bob holds it, alice waits.
    clock.advance(days=1, minutes=1)
    answer = alice.post("/reservation/request", json={"resource_id": booked})
    assert (answer.status_code, answer.json["status"]) == (201, "requested")
    assert [r["user_name"] for r in active(alice, booked) if r["status"] == "approved"] == ["bob"]


@pytest.mark.parametrize("path", ["/reservation/active", "/reservation/active?resource_id=1",
                                  "/info/resources"])
def test_listing_costs_the_same_statements_whatever_the_size(app, accounts, count_statements, path):
    small = _fill(accounts, "small", resources=1, users_per_resource=2)
    signed_in_again(small)
    few = count_statements(lambda: small.get(path))
    _fill(accounts, "more", resources=6, users_per_resource=4)
    signed_in_again(small)
    many = count_statements(lambda: small.get(path))
    assert small.get(path).status_code == 200
    assert many == few
    assert few <= 4


def test_request_and_release_cost_a_fixed_number_of_statements(accounts, count_statements):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    first = count_statements(lambda: alice.post("/reservation/request", json={"resource_id": bench}))
    for i in range(5):
        accounts.user(f"q{i}").post("/reservation/request", json={"resource_id": bench})
    queued = count_statements(lambda: bob.post("/reservation/request", json={"resource_id": bench}))
    assert queued <= first + 2
    assert count_statements(lambda: alice.post("/reservation/release", json={"resource_id": bench})) <= 12


def test_a_write_request_opens_no_transaction_before_its_write(accounts, record_statements,
                                                               sqlite_only):
    """Who is asking is the only thing a write request reads before it takes the write lock; on
    SQLite that lookup reads the newest commit by itself, with no snapshot opened and closed."""
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    alice.get("/reservation/active")
    # Someone else signs in: alice's login lookup can no longer come from what was kept.
    accounts.user("bob")
    responses = []
    statements = record_statements(lambda: responses.append(
        alice.post("/reservation/request", json={"resource_id": bench})))
    assert responses[0].status_code == 201
    assert "sign_in_version" in statements[0] and "login_sessions" in statements[1]
    assert not [s for s in statements if s.strip().upper().startswith(("BEGIN", "COMMIT"))]
    # The write itself: the resource, its queue, how many open requests alice has (from the
    # partial index of open requests), the new row (BEGIN IMMEDIATE and COMMIT go to the driver
    # directly).
    assert len(statements) == 6


def _statements_with_parameters(app, action):
    """The statements `action` sends through the application's engine, with their parameters."""
    captured = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return captured


def _plan(app, statement, parameters):
    """How the database would answer the statement, as text."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            return str(connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all())
        # Tiny test tables make a sequential scan cheapest; forbid it to see whether an index can
        # serve the query at all.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return str(connection.exec_driver_sql("EXPLAIN " + statement, parameters).all())


def test_active_list_reads_only_the_active_index(app, accounts):
    """The query behind /reservation/active is answered from a partial index of active rows,
    so a million finished reservations beside them cost nothing."""
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": accounts.add_resource("bench-1")})
    answers = []
    captured = _statements_with_parameters(app, lambda: answers.append(alice.get("/reservation/active")))
    assert answers[0].status_code == 200
    [(statement, parameters)] = [(s, p) for s, p in captured if "JOIN users" in s]
    plan = _plan(app, statement, parameters)
    # Either index limited to the active rows will do (PostgreSQL may pick the unique one).
    active_only = ("ix_reservations_active", "uq_reservations_one_active_per_user")
    assert any(name in plan for name in active_only), plan


def test_the_notices_feed_reads_only_the_recent_events(app, accounts):
    """The feed, and its validator, are answered from the recorded_at index: the month of
    everyone's events the outbox keeps costs nothing."""
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    alice.post("/reservation/release", json={"resource_id": bench})
    answers = []
    captured = _statements_with_parameters(app, lambda: answers.append(
        bob.get("/session/notifications/feed?since=2000-01-01")))
    assert len(answers[0].json["notifications"]) == 1
    reads = [(s, p) for s, p in captured if "FROM notification_events" in s]
    assert len(reads) == 2  # the validator, then the events
    for statement, parameters in reads:
        plan = _plan(app, statement, parameters)
        assert "ix_notification_events_recorded_at" in plan and "SCAN notification_events" not in plan, plan


def _fill_with_label_requests(accounts, prefix, resources):
    """Labelled resources, each held, and label requests waiting for them with what they keep."""
    admin = accounts.admin
    ids = [admin.post("/admin/resource/add", json={"name": f"{prefix}-{r}", "labels": ["scope"]}).json["resource_id"]
           for r in range(resources)]
    holder, asker = accounts.user(f"{prefix}-holder"), accounts.user(f"{prefix}-asker")
    for resource_id in ids[1:]:
        holder.post("/reservation/request", json={"resource_id": resource_id})
    asker.post("/reservation/request", json={"labels": ["scope"], "count": resources})
    return holder


@pytest.mark.parametrize("path", ["/reservation/active", "/info/labels"])
def test_label_requests_cost_the_same_statements_whatever_their_number(accounts, count_statements, path):
    reader = _fill_with_label_requests(accounts, "small", resources=2)
    signed_in_again(reader)
    few = count_statements(lambda: reader.get(path))
    _fill_with_label_requests(accounts, "more", resources=6)
    signed_in_again(reader)
    many = count_statements(lambda: reader.get(path))
    assert reader.get(path).status_code == 200
    assert many == few
