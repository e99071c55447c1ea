"""Events are written with the queue change that causes them: nothing for a rolled-back change,
nothing for a change that is no news, and no statement at all where no event happens."""
from datetime import timedelta

from sqlalchemy import select

from backend.database.outbox import HOLD_EXPIRED, events_of
from backend.database.queue import Queue
from backend.database.rules import ReservationRow, approve, end
from backend.extensions import db
from backend.models import NotificationEvent
from backend.models.states import CANCELLED, EXPIRED, RELEASED, REQUESTED
from tests.conftest import signed_in_again
from tests.notifications.conftest import START, add_webhook, deliver


def stored_events(app):
    with app.app_context():
        return [(e.event, e.user_id, e.reservation_id, e.reason)
                for e in db.session.scalars(select(NotificationEvent).order_by(NotificationEvent.id))]


def row(state=REQUESTED, user_id=2, **values):
    return ReservationRow(7, user_id, 1, state, START, **values)


def test_only_news_to_the_person_is_an_event():
    """The rules' changes as events: approval by the queue, expiry, ends by someone else."""
    hold = timedelta(minutes=10)
    granted = approve(row(), START, hold)
    [event] = events_of([granted])
    assert (event.event, event.user_id, event.reservation_id, event.occurred_at) == ("granted", 2, 7, START)
    assert event.detail == {"valid_until": (START + hold).isoformat()}

    held = row(approved_at=START)
    [expired] = events_of([end(held, EXPIRED, START + hold)])
    assert (expired.event, expired.reason, expired.occurred_at) == ("ended", HOLD_EXPIRED, START + hold)

    assert events_of([end(row(approved_at=START), RELEASED, START)]) == []
    assert events_of([end(row(), CANCELLED, START)]) == []
    [forced] = events_of([end(row(approved_at=START), RELEASED, START, "cable swap", by_id=1)])
    assert (forced.event, forced.reason, forced.detail["ended_by_id"]) == ("ended", "cable swap", 1)
    [removed] = events_of([end(row(), CANCELLED, START, "wrong bench", by_id=1)])
    assert (removed.reason, removed.detail["was"]) == ("wrong bench", "requested")


def test_release_records_granted_for_the_next_in_line(app, clock, accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    assert stored_events(app) == []
    alice.post("/reservation/release", json={"resource_id": bench})
    bob_id = bob.get("/session/status").json["user_id"]
    assert stored_events(app) == [("granted", bob_id, 2, None)]


def test_a_rolled_back_release_records_and_sends_nothing(app, clock, accounts, receiver, worker, monkeypatch):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(bob, receiver.url)

    def broken(*args):
        raise RuntimeError("the process failed after approving bob")

    # Fails after the rules' changes (the release, bob's approval, its event) were written.
    monkeypatch.setattr(Queue, "user_name", staticmethod(broken))
    assert alice.post("/reservation/release", json={"resource_id": bench}).status_code == 500
    deliver(worker, clock, passes=2, step={"minutes": 1})
    assert stored_events(app) == []
    assert receiver.received == []
    assert alice.get(f"/reservation/active/user?resource_id={bench}").json["reservation"]["status"] == "approved"

    monkeypatch.undo()
    alice.post("/reservation/release", json={"resource_id": bench})
    deliver(worker, clock)
    [delivery] = receiver.received
    assert delivery.json["event"] == "granted" and delivery.json["user_name"] == "bob"


def test_requests_and_releases_without_news_touch_no_notification_table(app, clock, accounts, receiver,
                                                                          record_statements):
    """With a webhook for every user, a request and release of a free resource cost exactly what
    they cost before notifications existed."""
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    add_webhook(alice, receiver.url, events=("granted", "expiring", "ended"))
    statements = record_statements(lambda: (
        alice.post("/reservation/request", json={"resource_id": bench}),
        alice.post("/reservation/release", json={"resource_id": bench})))
    assert not [s for s in statements if "notification" in s]
    assert stored_events(app) == []


def test_an_event_costs_one_statement(app, clock, accounts, count_statements):
    """A release that approves the next in line writes its event in the same transaction, with one
    INSERT; the same release without anyone waiting writes none."""
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    other = accounts.add_resource("bench-2")
    carol = accounts.user("carol")
    carol.post("/reservation/request", json={"resource_id": other})
    signed_in_again(carol)
    alone = count_statements(lambda: carol.post("/reservation/release", json={"resource_id": other}))
    signed_in_again(alice)
    with_next = count_statements(lambda: alice.post("/reservation/release", json={"resource_id": bench}))
    # The next holder's approval (one UPDATE), its name for the message (one SELECT), its event.
    assert with_next == alone + 3


def test_a_label_request_is_one_granted_event_with_all_its_resources(app, clock, accounts, receiver, worker):
    admin = accounts.admin
    ids = [admin.post("/admin/resource/add", json={"name": f"scope-{i}", "labels": ["scope"]}).json["resource_id"]
           for i in (1, 2)]
    alice, bob = accounts.user("alice"), accounts.user("bob")
    held = alice.post("/reservation/request", json={"labels": ["scope"], "count": 2}).json
    assert held["status"] == "approved" and stored_events(app) == []  # held at once: no news
    add_webhook(bob, receiver.url)
    waiting = bob.post("/reservation/request", json={"labels": ["scope"], "count": 2}).json
    alice.post("/reservation/release", json={"request_id": held["request_id"]})
    bob_id = bob.get("/session/status").json["user_id"]
    assert stored_events(app) == [("granted", bob_id, waiting["request_id"], None)]
    deliver(worker, clock)
    [body] = [r.json for r in receiver.received]
    assert (body["event"], body["request_id"], body["resource_ids"]) == ("granted", waiting["request_id"], ids)
    assert "2 × scope" in body["message"]
