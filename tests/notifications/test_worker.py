"""The delivery worker: signed webhooks, retries with backoff, expiring warnings once per hold,
administrators' events, and several workers never sending one event twice."""
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.database import get_database
from backend.database.outbox import Event
from backend.extensions import db
from backend.models import NotificationPreference, Webhook
from backend.notifications.signing import is_valid
from backend.notifications.worker import DeliveryWorker
from tests.notifications.conftest import SECRET, add_webhook, deliver


def deliveries(client, webhook_id):
    return client.get(f"/session/webhooks/deliveries?webhook_id={webhook_id}").json["deliveries"]


def test_a_receiver_failing_twice_gets_one_good_delivery_at_attempt_three(clock, accounts, receiver, worker):
    receiver.answers = [500, 503, 200]
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, receiver.url)
    alice.post("/reservation/release", json={"resource_id": bench})

    worker.run_once()
    assert len(receiver.received) == 1
    [pending] = deliveries(bob, webhook_id)
    assert (pending["status"], pending["attempts"], pending["status_code"]) == ("pending", 1, 500)
    # The first retry comes within half a minute, the next one later still.
    clock.advance(seconds=19)
    worker.run_once()
    assert len(receiver.received) == 1
    clock.advance(seconds=2)
    worker.run_once()
    assert len(receiver.received) == 2
    clock.advance(seconds=39)
    worker.run_once()
    assert len(receiver.received) == 2
    clock.advance(seconds=2)
    deliver(worker, clock, passes=3, step={"minutes": 5})

    assert len(receiver.received) == 3
    assert len(set(receiver.by_delivery())) == 1
    final = receiver.received[-1]
    assert final.headers["X-Reservia-Event"] == "granted"
    assert final.headers["X-Reservia-Attempt"] == "3"
    assert final.headers["Content-Type"] == "application/json"
    assert is_valid(SECRET, final.body, final.headers["X-Reservia-Signature"])
    assert not is_valid("another-secret-entirely", final.body, final.headers["X-Reservia-Signature"])
    assert final.headers["X-Reservia-Delivery"] == final.json["id"]
    # Every attempt sent the same bytes: the receiver can deduplicate by event id.
    assert {r.body for r in receiver.received} == {final.body}
    body = final.json
    assert body["event"] == "granted" and body["user_name"] == "bob" and body["request_id"] == 2
    assert body["resource_ids"] == [bench] and body["time"] == "2026-11-25T09:00:00+00:00"
    assert body["dashboard_url"] == "https://reservia.example.org/reservia/"
    [done] = deliveries(bob, webhook_id)
    assert (done["status"], done["attempts"], done["status_code"], done["error"]) == ("delivered", 3, 200, None)


@pytest.mark.parametrize("app_settings", [{"RESERVIA_WEBHOOK_TIMEOUT": 1}])
def test_a_receiver_that_does_not_answer_in_time_is_retried(clock, accounts, receiver, worker):
    receiver.delay = 1.5
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, receiver.url)
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    [late] = deliveries(bob, webhook_id)
    assert (late["status"], late["attempts"], late["status_code"]) == ("pending", 1, None)
    assert late["error"] == "timeout"
    receiver.delay = 0
    clock.advance(seconds=30)
    worker.run_once()
    [done] = deliveries(bob, webhook_id)
    assert (done["status"], done["attempts"]) == ("delivered", 2)


def test_a_receiver_down_for_a_day_is_given_up(clock, accounts, receiver, worker):
    receiver.answers = [500]
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, receiver.url)
    alice.post("/reservation/release", json={"resource_id": bench})
    deliver(worker, clock, passes=40, step={"hours": 1})
    [failed] = deliveries(bob, webhook_id)
    assert failed["status"] == "failed" and failed["status_code"] == 500
    tries = len(receiver.received)
    # Doubling waits from 20 s up to an hour: about thirty attempts in the day, then no more.
    assert 20 <= tries <= 40 and failed["attempts"] == tries
    deliver(worker, clock, passes=2, step={"hours": 1})
    assert len(receiver.received) == tries


@pytest.mark.parametrize("app_settings", [{"RESERVIA_HOLD_MINUTES": 10, "RESERVIA_EXPIRING_MINUTES": 2}])
def test_expiring_is_sent_once_per_hold(clock, accounts, receiver, worker):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    add_webhook(alice, receiver.url)
    alice.post("/reservation/request", json={"resource_id": bench})
    clock.advance(minutes=7)
    worker.run_once()
    assert receiver.received == []
    clock.advance(minutes=1, seconds=30)
    deliver(worker, clock, passes=3, step={"seconds": 5})
    [warning] = receiver.received
    assert warning.json["event"] == "expiring"
    assert warning.json["valid_until"] == "2026-11-25T09:10:00+00:00"
    assert "ends at 09:10 UTC" in warning.json["message"]
    # Kept alive, the same hold nears its end again: it was warned already.
    alice.post("/reservation/keep_alive", json={"resource_id": bench})
    clock.advance(minutes=9)
    deliver(worker, clock, passes=2)
    assert len(receiver.received) == 1
    # A new hold is warned again.
    alice.post("/reservation/release", json={"resource_id": bench})
    alice.post("/reservation/request", json={"resource_id": bench})
    clock.advance(minutes=9)
    worker.run_once()
    assert [r.json["event"] for r in receiver.received] == ["expiring", "expiring"]


@pytest.mark.parametrize("app_settings", [{"RESERVIA_HOLD_MINUTES": 10}])
def test_a_hold_running_out_ends_it_and_grants_the_next_even_with_nobody_using_reservia(
        clock, accounts, receiver, worker):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(alice, receiver.url, events=("ended",))
    add_webhook(bob, receiver.url_of("/bob"), events=("granted",))
    clock.advance(minutes=11)
    deliver(worker, clock, passes=2)
    events = {(r.json["event"], r.json["user_name"]): r.json for r in receiver.received}
    assert set(events) == {("ended", "alice"), ("granted", "bob")}
    assert events[("ended", "alice")]["reason"] == "hold expired"
    assert events[("ended", "alice")]["time"] == "2026-11-25T09:10:00+00:00"
    assert events[("granted", "bob")]["time"] == "2026-11-25T09:10:00+00:00"


def test_an_administrator_ending_a_hold_tells_the_holder_why(clock, accounts, receiver, worker, admin_client):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(alice, receiver.url, events=("ended",))
    admin_client.post("/admin/reservation/force_release", json={"resource_id": bench, "reason": "cable swap"})
    admin_client.post("/admin/reservation/remove", json={"reservation_id": 2, "reason": "not today"})
    worker.run_once()
    [ended] = receiver.received
    assert (ended.json["event"], ended.json["reason"], ended.json["request_id"]) == ("ended", "cable swap", 1)
    assert "ended: cable swap" in ended.json["message"]


def test_maintenance_is_told_to_administrators_who_asked(clock, accounts, receiver, worker, admin_client):
    bench = accounts.add_resource("bench-1")
    add_webhook(admin_client, receiver.url, events=("resource_changed",))
    alice = accounts.user("alice")
    add_webhook(alice, receiver.url_of("/alice"), events=("granted", "ended"))
    admin_client.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": True})
    admin_client.post("/admin/resource/modify", json={"resource_id": bench, "comment": "no change of state"})
    admin_client.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": False})
    worker.run_once()
    # Sent side by side: they may arrive in either order.
    assert sorted((r.json["event"], r.json["maintenance"], r.json["user_name"]) for r in receiver.received) == [
        ("resource_changed", False, "admin"), ("resource_changed", True, "admin")]
    assert receiver.received[0].json["resources"] == [{"id": bench, "name": "bench-1"}]


def test_slack_format_sends_text(clock, accounts, receiver, worker):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(bob, receiver.url, format="slack")
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    [message] = receiver.received
    assert list(message.json) == ["text"]
    assert message.json["text"].startswith("Your request 2 was approved: you now hold bench-1.")
    assert message.json["text"].endswith(" https://reservia.example.org/reservia/")
    assert message.headers["X-Reservia-Event"] == "granted"


def test_a_test_delivery_reaches_only_the_tested_webhook(clock, accounts, receiver, worker):
    alice = accounts.user("alice")
    tested = add_webhook(alice, receiver.url)
    add_webhook(alice, receiver.url_of("/other"))
    answer = alice.post("/session/webhooks/test", json={"webhook_id": tested})
    assert answer.status_code == 202
    worker.run_once()
    [test] = receiver.received
    assert test.headers["X-Reservia-Event"] == "test"
    assert test.json["id"] == answer.json["event_id"]
    assert deliveries(alice, tested)[0]["status"] == "delivered"


def test_a_host_no_longer_allowed_is_not_sent_to(app, clock, accounts, receiver, worker):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, receiver.url)
    app.config["RESERVIA_WEBHOOK_HOSTS"] = "hooks.example.org"
    alice.post("/reservation/release", json={"resource_id": bench})
    DeliveryWorker(app).run_once()
    assert receiver.received == []
    [refused] = deliveries(bob, webhook_id)
    assert (refused["status"], refused["error"]) == ("failed", "blocked")


def test_two_workers_never_send_one_event_twice(app, make_app, accounts, receiver):
    """Two workers with their own connections share the work: on PostgreSQL rows are claimed
    with FOR UPDATE SKIP LOCKED, on SQLite each claim holds the write lock."""
    resources = [accounts.add_resource(f"bench-{i}") for i in range(12)]
    holders = [accounts.user(f"holder-{i}") for i in range(3)]
    waiters = [accounts.user(f"waiter-{i}") for i in range(3)]
    for waiter in waiters:
        add_webhook(waiter, receiver.url)
        add_webhook(waiter, receiver.url_of("/second"))
    for index, resource in enumerate(resources):
        holders[index % 3].post("/reservation/request", json={"resource_id": resource})
        waiters[index % 3].post("/reservation/request", json={"resource_id": resource})
    for index, resource in enumerate(resources):
        holders[index % 3].post("/reservation/release", json={"resource_id": resource})
    receiver.delay = 0.05
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    workers = [DeliveryWorker(make_app(RESERVIA_DATABASE_URL=url)) for i in range(2)]
    sent = [0, 0]

    def run(index):
        for _ in range(10):
            sent[index] += workers[index].run_once()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(receiver.received) == 24
    copies = {}
    for request in receiver.received:
        key = (request.path, request.headers["X-Reservia-Delivery"])
        copies[key] = copies.get(key, 0) + 1
    # Each of the 12 events once to each of its two webhooks.
    assert len(copies) == 24 and set(copies.values()) == {1}
    assert sum(sent) == 24


def test_the_queue_moving_after_maintenance_grants_the_next(clock, accounts, receiver, worker, admin_client):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(bob, receiver.url)
    admin_client.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": True})
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    assert receiver.received == []
    admin_client.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": False})
    worker.run_once()
    [granted] = receiver.received
    assert (granted.json["event"], granted.json["user_name"]) == ("granted", "bob")


@pytest.mark.parametrize("app_settings", [{"RESERVIA_SESSION_DAYS": 90}])
def test_old_events_and_deliveries_are_forgotten_after_a_month(clock, accounts, receiver, worker):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    webhook_id = add_webhook(bob, receiver.url)
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    clock.advance(days=29)
    worker.run_once()
    assert len(deliveries(bob, webhook_id)) == 1
    clock.advance(days=2)
    worker.run_once()
    assert deliveries(bob, webhook_id) == []
    assert bob.get("/session/webhooks").json["webhooks"][0]["last_delivery"] is None


def test_deleting_a_user_without_history_takes_their_webhooks_and_choices(app, clock, accounts, admin_client):
    carol_id = accounts.add_user("carol")
    carol = accounts.login("carol")
    add_webhook(carol, "http://ci.example.org/carol")
    carol.post("/session/notifications", json={"ended_email": True})
    answer = admin_client.post("/admin/user/delete", json={"user_id": carol_id})
    assert (answer.status_code, answer.json["deactivated"]) == (200, False)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Webhook)) == 0
        assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0


def test_an_event_that_cannot_be_rendered_holds_up_no_other(app, clock, accounts, receiver, worker):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    add_webhook(bob, receiver.url)
    bob_id = bob.get("/session/status").json["user_id"]
    with app.app_context():
        database = get_database()
        with database.transactions.writing() as session:
            database.outbox.write(session.connection(), [Event(
                "granted", bob_id, 99, bench, clock.now, detail={"valid_until": "not a time"})])
    alice.post("/reservation/release", json={"resource_id": bench})
    worker.run_once()
    [granted] = receiver.received
    assert granted.json["request_id"] == 2
    log = Path(app.config["RESERVIA_LOG_FILE"]).read_text(encoding="utf-8")
    assert "could not be fanned out; left pending" in log
