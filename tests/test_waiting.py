"""GET /reservation/wait: a queued client hears of its turn at once, without polling hard."""
import queue
import threading
import time

import pytest

from tests.test_leases import START  # noqa: F401 (where conftest's `clock` stops)


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
                           "position": 0, "resource_ids": [bench], "valid_until_date": asked["valid_until_date"],
                           "booking_id": None}
    assert "Retry-After" not in answer.headers


def start_waiting(clients_and_requests):
    """Each (name, client, request id) waits for its turn in a thread of its own, as CI jobs do;
    returns the queue their answers arrive in, as (name, response)."""
    answers = queue.Queue()
    for name, client, request_id in clients_and_requests:
        threading.Thread(target=lambda n=name, c=client, r=request_id: answers.put((n, wait(c, r, timeout=30))),
                         daemon=True).start()
    return answers


def test_waiters_beyond_the_held_threads_ask_again_and_the_held_hear_at_release(accounts):
    """Two threads may be held (RESERVIA_WAIT_THREADS): of three waiters, one is told at once to ask
    again, and the two held open hear that their turn came as soon as the holder releases.

    Nothing settles their requests before the release, and a held wait lasts 30 s: so the first
    answer can only be the waiter no thread was left for, whatever the order the three came in."""
    benches = [accounts.add_resource(f"bench-{i}") for i in range(3)]
    alice = accounts.user("alice")
    waiters = {}
    for bench, name in zip(benches, ("bob", "carol", "dave"), strict=True):
        alice.post("/reservation/request", json={"resource_id": bench})
        client = accounts.user(name)
        waiters[name] = (client, bench, client.post("/reservation/request", json={"resource_id": bench}).json)
    answers = start_waiting((name, client, asked["request_id"]) for name, (client, _, asked) in waiters.items())

    refused, answer = answers.get(timeout=25)
    assert (answer.json["status"], answer.json["position"], answer.headers.get("Retry-After")) == ("requested", 1, "1")
    held = sorted(set(waiters) - {refused})
    for name in held:
        alice.post("/reservation/release", json={"resource_id": waiters[name][1]})
    heard = dict(answers.get(timeout=25) for _ in held)
    assert sorted(heard) == held
    for name in held:
        answer, bench = heard[name], waiters[name][1]
        assert "Retry-After" not in answer.headers
        assert (answer.json["status"], answer.json["position"], answer.json["resource_ids"]) == ("approved", 0, [bench])
    # The one told to ask again finds its turn when it does.
    client, bench, asked = waiters[refused]
    alice.post("/reservation/release", json={"resource_id": bench})
    assert wait(client, asked["request_id"], timeout=30).json["status"] == "approved"


def test_an_ended_request_says_how_it_ended(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    queued = bob.post("/reservation/request", json={"resource_id": bench}).json
    bob.post("/reservation/cancel", json={"request_id": queued["request_id"]})
    answer = wait(bob, queued["request_id"], timeout=5).json
    assert (answer["status"], answer["state"], answer["position"]) == ("ended", "cancelled", None)


def test_a_lost_lease_ends_the_wait_with_its_reason(accounts, clock):
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


def test_a_queued_waiter_asking_without_a_timeout_is_told_when_to_ask_again(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    queued = bob.post("/reservation/request", json={"resource_id": bench}).json
    answer = wait(bob, queued["request_id"])
    assert (answer.json["status"], answer.json["position"], answer.headers["Retry-After"]) == ("requested", 1, "1")


@pytest.mark.parametrize(("query", "status", "code"), [
    ("", 400, "INVALID_INPUT"), ("request_id=x", 400, "INVALID_INPUT"),
    ("request_id=1&timeout=-1", 400, "INVALID_INPUT"), ("request_id=1&timeout=1.5", 400, "INVALID_INPUT"),
    ("request_id=1", 404, "REQUEST_NOT_FOUND")])
def test_bad_waits_are_refused_clearly(accounts, query, status, code):
    bench = accounts.add_resource("bench-1")
    accounts.admin.post("/reservation/request", json={"resource_id": bench})  # request 1 is the admin's
    answer = accounts.user("alice").get(f"/reservation/wait?{query}")
    assert (answer.status_code, answer.json["code"]) == (status, code)



def held_waits_become(app, count):
    """Returns once `count` waits are held in the application's process."""
    deadline = time.monotonic() + 20
    while app.extensions["reservia.wait_slots"].taken != count:
        assert time.monotonic() < deadline, "the waits were not held"
        time.sleep(0.01)


def test_the_held_threads_go_first_to_the_waiter_next_in_line(app, accounts):
    """Two threads may be held: of two waiters further back, one takes a thread and the other is
    told to ask again later, the further back it is; the last thread is kept for the waiter a
    release approves, who hears of it at once."""
    bench, alice, bob, carol, dave = accounts.queue_of("bench-1", "alice", "bob", "carol", "dave")
    request_ids = [e["request_id"] for e in alice.get(f"/reservation/active?resource_id={bench}").json["reservations"]]
    _, bobs, carols, daves = request_ids
    answers = start_waiting([("carol", carol, carols), ("dave", dave, daves)])
    further_back, refused = answers.get(timeout=25)
    assert refused.headers["Retry-After"] == str(refused.json["position"]) == {"carol": "2", "dave": "3"}[further_back]
    bobs_answer = start_waiting([("bob", bob, bobs)])
    held_waits_become(app, 2)
    alice.post("/reservation/release", json={"resource_id": bench})
    heard = bobs_answer.get(timeout=25)[1]
    assert (heard.json["status"], heard.headers.get("Retry-After")) == ("approved", None)
    # The one held further back hears that it moved up.
    moved = answers.get(timeout=25)[1]
    assert (moved.json["status"], moved.headers.get("Retry-After")) == ("requested", None)
