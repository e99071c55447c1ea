"""The queue as people live it: request, wait, cancel, release, and who holds what."""
from datetime import datetime

from tests.conftest import active


def test_free_resource_is_approved_at_once(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    response = alice.post("/reservation/request", json={"resource_id": bench})
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "approved" and body["position"] == 0
    assert body["resource_id"] == bench and isinstance(body["reservation_id"], int)
    [entry] = active(alice)
    assert entry["user_name"] == "alice" and entry["status"] == "approved"
    assert datetime.fromisoformat(entry["approved_date"]).utcoffset() is not None


def test_busy_resource_queues_in_first_come_order(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob, carol = accounts.user("alice"), accounts.user("bob"), accounts.user("carol")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob_answer = bob.post("/reservation/request", json={"resource_id": bench}).json
    carol_answer = carol.post("/reservation/request", json={"resource_id": bench}).json
    assert (bob_answer["status"], bob_answer["position"]) == ("requested", 1)
    assert (carol_answer["status"], carol_answer["position"]) == ("requested", 2)
    assert [(e["user_name"], e["position"]) for e in active(alice, bench)] == [
        ("alice", 0), ("bob", 1), ("carol", 2)]


def test_release_approves_next_in_queue(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob_request = bob.post("/reservation/request", json={"resource_id": bench}).json
    release = alice.post("/reservation/release", json={"resource_id": bench})
    assert release.status_code == 200
    assert release.json["next_reservation_id"] == bob_request["reservation_id"]
    assert release.json["released_date"]
    [entry] = active(bob, bench)
    assert (entry["user_name"], entry["status"], entry["position"]) == ("bob", "approved", 0)


def test_release_with_empty_queue_frees_the_resource(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    assert alice.post("/reservation/release", json={"resource_id": bench}).json[
        "next_reservation_id"] is None
    assert active(alice) == []


def test_cancel_leaves_the_queue_and_moves_others_up(accounts):
    bench, alice, bob, carol = accounts.queue_of("bench-1", "alice", "bob", "carol")
    response = bob.post("/reservation/cancel", json={"resource_id": bench})
    assert response.status_code == 200
    assert response.json["cancelled_date"]
    assert [(e["user_name"], e["position"]) for e in active(alice, bench)] == [
        ("alice", 0), ("carol", 1)]


def test_second_request_on_the_same_resource_is_409(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    again = alice.post("/reservation/request", json={"resource_id": bench})
    assert again.status_code == 409
    assert again.json["code"] == "ALREADY_ACTIVE"
    assert len(active(alice)) == 1


def test_cancel_of_a_hold_is_409_and_release_of_a_queued_request_is_409(accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    assert alice.post("/reservation/cancel", json={"resource_id": bench}).json["code"] == "IS_APPROVED"
    assert bob.post("/reservation/release", json={"resource_id": bench}).json["code"] == "IS_QUEUED"
    assert [e["user_name"] for e in active(alice)] == ["alice", "bob"]


def test_nothing_to_cancel_or_release_is_404(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    assert alice.post("/reservation/cancel", json={"resource_id": bench}).status_code == 404
    assert alice.post("/reservation/release", json={"resource_id": bench}).status_code == 404


def test_unknown_resource_is_404(accounts):
    alice = accounts.user("alice")
    response = alice.post("/reservation/request", json={"resource_id": 999})
    assert response.status_code == 404
    assert response.json["code"] == "RESOURCE_NOT_FOUND"


def test_active_list_filters_by_resource(accounts):
    bench, lab = accounts.add_resource("bench-1"), accounts.add_resource("lab-pc")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    alice.post("/reservation/request", json={"resource_id": lab})
    assert [e["resource_name"] for e in active(alice, lab)] == ["lab-pc"]
    assert alice.get("/reservation/active").json["count"] == 2
    assert alice.get("/reservation/active?resource_id=abc").status_code == 400


def test_queue_survives_a_cancelled_head(accounts):
    bench, alice, bob, carol = accounts.queue_of("bench-1", "alice", "bob", "carol")
    bob.post("/reservation/cancel", json={"resource_id": bench})
    alice.post("/reservation/release", json={"resource_id": bench})
    [entry] = active(alice, bench)
    assert entry["user_name"] == "carol" and entry["status"] == "approved"


def test_reservations_need_login(client):
    assert client.post("/reservation/request", json={"resource_id": 1}).status_code == 401
    assert client.get("/reservation/active").status_code == 401
