"""GET /reservation/wait: a queued client hears of its turn at once, without polling hard."""
import threading
import time

import pytest

from tests.fixed_clock import install_clock
from tests.test_leases import START


@pytest.fixture
def app_settings():
    return {"RESERVIA_HOLD_MINUTES": 10, "RESERVIA_WAIT_THREADS": 2}


def wait(client, request_id, timeout=0):
    return client.get(f"/reservation/wait?request_id={request_id}&timeout={timeout}")


def test_a_free_resource_answers_approved_at_once(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    asked = alice.post("/reservation/request", json={"resource_id": bench}).json
    answer = wait(alice, asked["request_id"], timeout=30)
    assert answer.json == {"request_id": asked["request_id"], "status": "approved", "state": "approved",
                           "position": 0, "resource_ids": [bench], "valid_until_date": asked["valid_until_date"]}
    assert "Retry-After" not in answer.headers


def held_waiters(app):
    with app.app_context():
        slots = app.extensions["reservia_database"].waiting._wait_slots()
    return 2 - slots._value


def test_a_waiter_held_open_is_answered_as_soon_as_the_holder_releases(accounts, app):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    queued = bob.post("/reservation/request", json={"resource_id": bench}).json
    assert wait(bob, queued["request_id"]).json["position"] == 1
    answers = []
    waiter = threading.Thread(target=lambda: answers.append(wait(bob, queued["request_id"], timeout=30)))
    waiter.start()
    deadline = time.monotonic() + 20
    while held_waiters(app) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert held_waiters(app) == 1, "the wait was not held open"
    alice.post("/reservation/release", json={"resource_id": bench})
    waiter.join(timeout=60)
    [answer] = answers
    assert (answer.json["status"], answer.json["position"], answer.json["resource_ids"]) == ("approved", 0, [bench])


def test_an_ended_request_says_how_it_ended(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    queued = bob.post("/reservation/request", json={"resource_id": bench}).json
    bob.post("/reservation/cancel", json={"request_id": queued["request_id"]})
    answer = wait(bob, queued["request_id"], timeout=5).json
    assert (answer["status"], answer["state"], answer["position"]) == ("ended", "cancelled", None)


def test_a_lost_lease_ends_the_wait_with_its_reason(accounts, app):
    clock = install_clock(app, START)
    bench = accounts.add_resource("bench-1")
    ci = accounts.user("ci")
    held = ci.post("/reservation/request", json={"resource_id": bench, "lease_seconds": 30}).json
    clock.advance(seconds=31)
    answer = wait(ci, held["request_id"]).json
    assert (answer["status"], answer["state"], answer["end_reason"]) == ("ended", "expired", "lease_lost")


def test_a_label_request_answers_with_the_resources_it_holds(accounts):
    for name in ("scope-1", "scope-2"):
        accounts.admin.post("/admin/resource/add", json={"name": name, "labels": ["scope"]})
    alice = accounts.user("alice")
    asked = alice.post("/reservation/request", json={"labels": ["scope"], "count": 2}).json
    answer = wait(alice, asked["request_id"]).json
    assert (answer["status"], answer["resource_ids"]) == ("approved", asked["resource_ids"])


def test_without_a_free_thread_a_waiter_is_told_to_ask_again(accounts, app):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    queued = bob.post("/reservation/request", json={"resource_id": bench}).json
    with app.app_context():
        slots = app.extensions["reservia_database"].waiting._wait_slots()
    taken = [slots.acquire(blocking=False) for _ in range(2)]
    try:
        answer = wait(bob, queued["request_id"], timeout=30)
    finally:
        for _ in taken:
            slots.release()
    assert (answer.json["status"], answer.headers["Retry-After"]) == ("requested", "1")
    assert wait(bob, queued["request_id"]).headers["Retry-After"] == "1"


@pytest.mark.parametrize(("query", "status", "code"), [
    ("", 400, "INVALID_INPUT"), ("request_id=x", 400, "INVALID_INPUT"),
    ("request_id=1&timeout=-1", 400, "INVALID_INPUT"), ("request_id=1&timeout=1.5", 400, "INVALID_INPUT"),
    ("request_id=1", 404, "REQUEST_NOT_FOUND")])
def test_bad_waits_are_refused_clearly(accounts, query, status, code):
    bench = accounts.add_resource("bench-1")
    accounts.admin.post("/reservation/request", json={"resource_id": bench})  # request 1 is the admin's
    answer = accounts.user("alice").get(f"/reservation/wait?{query}")
    assert (answer.status_code, answer.json["code"]) == (status, code)
