"""Holds that are not kept alive expire, and the queue moves on as if someone had been watching."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from backend.database import get_database
from tests.conftest import (
    Accounts,
    active,
    assert_no_overlapping_holds,
    assert_served_in_request_order,
    stored_reservations,
)

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}


def test_hold_lasts_the_configured_time(accounts, clock):
    bench = accounts.add_resource("bench-1")
    answer = accounts.user("alice").post("/reservation/request", json={"resource_id": bench}).json
    assert datetime.fromisoformat(answer["valid_until_date"]) == START + timedelta(minutes=10)


def test_expired_hold_approves_the_next_user_at_the_expiry_time(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    clock.advance(minutes=1)
    bob.post("/reservation/request", json={"resource_id": bench})
    clock.advance(minutes=8, seconds=59)
    assert [e["user_name"] for e in active(bob, bench)] == ["alice", "bob"]

    clock.advance(minutes=5)  # nobody touched the server when the hold ran out
    [entry] = active(bob, bench)
    assert (entry["user_name"], entry["status"]) == ("bob", "approved")
    assert datetime.fromisoformat(entry["approved_date"]) == START + timedelta(minutes=10)
    assert alice.post("/reservation/release", json={"resource_id": bench}).status_code == 404


def test_keep_alive_defers_expiry(accounts, clock):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    clock.advance(minutes=8)
    kept = alice.post("/reservation/keep_alive", json={"resource_id": bench})
    assert kept.status_code == 200
    assert datetime.fromisoformat(kept.json["valid_until_date"]) == START + timedelta(minutes=18)
    assert kept.json.keys() >= {"message", "reservation_id", "resource_id", "valid_until_date"}
    clock.advance(minutes=9)
    assert active(bob, bench)[0]["user_name"] == "alice"
    clock.advance(minutes=2)
    assert active(bob, bench)[0]["user_name"] == "bob"


def test_keep_alive_after_expiry_is_404(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    clock.advance(minutes=11)
    response = alice.post("/reservation/keep_alive", json={"resource_id": bench})
    assert response.status_code == 404


def test_chain_of_forgotten_holds_expires_one_after_another(accounts, clock):
    bench = accounts.add_resource("bench-1")
    users = [accounts.user(name) for name in ("alice", "bob", "carol")]
    for user in users:
        user.post("/reservation/request", json={"resource_id": bench})
    clock.advance(minutes=25)
    [entry] = active(users[0], bench)
    assert entry["user_name"] == "carol"
    assert datetime.fromisoformat(entry["approved_date"]) == START + timedelta(minutes=20)


def _forgotten_holds_story(accounts, clock):
    """Three users queue on two benches three minutes apart, then nobody comes back for 14 minutes."""
    benches = [accounts.add_resource("bench-1"), accounts.add_resource("bench-2")]
    clients = []
    for name in ("alice", "bob", "carol"):
        clients.append(accounts.user(name))
        for bench in benches:
            clients[-1].post("/reservation/request", json={"resource_id": bench})
        clock.advance(minutes=3)
    clock.advance(minutes=14)
    return clients[0]


def test_expiry_command_and_lazy_expiry_write_the_same_history(app, accounts, clock, make_app):
    """Whether expiry runs from cron or on the next request, the history is the same."""
    _forgotten_holds_story(accounts, clock)
    with app.app_context():
        assert get_database().reservations.settle() == 2  # what `flask expire` runs
    by_command = _states(app)

    lazy_app = make_app()
    clock.set(START)  # the same story again, on an application that only expires lazily
    reader = _forgotten_holds_story(Accounts(lazy_app), clock.drive(lazy_app))
    reader.get("/reservation/active")
    assert _states(lazy_app) == by_command

    # alice's holds ran out at 9:10, bob's at 9:20: carol holds both benches since 9:20
    assert [state for _, state, *_ in by_command].count("expired") == 4
    carol = [row for row in by_command if row[1] == "approved"]
    assert [row[2] for row in carol] == [START + timedelta(minutes=20)] * 2


def _states(app):
    return [(r.id, r.state, r.approved_at, r.ended_at) for r in stored_reservations(app)]


@pytest.mark.parametrize("app_settings", [{"RESERVIA_HOLD_MINUTES": 10, "RESERVIA_QUEUE_MINUTES": 5}])
def test_queued_request_expires_when_configured(accounts, clock):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    carol = accounts.user("carol")
    clock.advance(minutes=3)
    carol.post("/reservation/request", json={"resource_id": bench})
    clock.advance(minutes=3)  # bob waited 6 minutes without a keep-alive; carol 3
    carol.post("/reservation/keep_alive", json={"resource_id": bench})
    assert [e["user_name"] for e in active(alice, bench)] == ["alice", "carol"]
    alice.post("/reservation/release", json={"resource_id": bench})
    assert active(alice, bench)[0]["user_name"] == "carol"


@pytest.mark.slow
def test_expiry_under_concurrent_requests_keeps_the_invariants(app, accounts, clock):
    benches = [accounts.add_resource(f"bench-{i}") for i in range(2)]
    clients = [accounts.user(f"worker{i}") for i in range(4)]
    stop = threading.Event()
    failures = []

    def work(client, seed):
        actions = ["request", "keep_alive", "request", "release", "cancel"]
        step = seed
        while not stop.is_set():
            step += 1
            response = client.post(f"/reservation/{actions[step % len(actions)]}",
                                   json={"resource_id": benches[step % 2]})
            if response.status_code >= 500:
                failures.append(response.get_json())

    threads = [threading.Thread(target=work, args=(c, i)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    # Each step passes a whole hold (10 minutes): whatever is held then expires, however fast
    # the clients release and keep alive.
    for _ in range(40):
        clock.advance(minutes=11)
        threading.Event().wait(0.02)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    history = stored_reservations(app)
    assert any(r.state == "expired" for r in history)
    for bench in benches:
        rows = [r for r in history if r.resource_id == bench]
        assert_no_overlapping_holds(rows)
        assert_served_in_request_order(rows)
