"""Leases over JSON: a client that stops sending keep-alives loses its request by itself."""
from datetime import datetime, timedelta, timezone

import pytest

# conftest's `clock` stops here, and its `app_settings` reads APP_SETTINGS.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}


def at(answer, field):
    return datetime.fromisoformat(answer[field])


def test_a_leased_hold_not_kept_alive_ends_as_lease_lost_and_the_next_waiter_holds(accounts, clock):
    bench = accounts.add_resource("bench-1")
    ci, bob = accounts.user("ci"), accounts.user("bob")
    held = ci.post("/reservation/request", json={"resource_id": bench, "lease_seconds": 60}).json
    assert (held["status"], held["lease_seconds"]) == ("approved", 60)
    assert at(held, "lease_until_date") == at(held, "valid_until_date") == START + timedelta(seconds=60)
    bob.post("/reservation/request", json={"resource_id": bench})

    clock.advance(seconds=45)
    kept = ci.post("/reservation/keep_alive", json={"request_id": held["request_id"]}).json
    assert at(kept, "lease_until_date") == START + timedelta(seconds=105)
    clock.advance(seconds=61)  # the client died: no keep-alive for more than the lease

    [entry] = bob.get(f"/reservation/active?resource_id={bench}").json["reservations"]
    assert (entry["user_name"], entry["status"]) == ("bob", "approved")
    assert at(entry, "approved_date") == START + timedelta(seconds=105)
    [lost] = ci.get("/reservation/history").json["reservations"]
    assert (lost["status"], lost["end_reason"]) == ("expired", "lease_lost")
    assert at(lost, "end_date") == START + timedelta(seconds=105)
    gone = ci.post("/reservation/keep_alive", json={"request_id": held["request_id"]})
    assert gone.status_code == 404


def test_a_label_request_carries_its_lease(accounts, clock):
    accounts.admin.post("/admin/resource/add", json={"name": "scope-1", "labels": ["scope"]})
    ci = accounts.user("ci")
    held = ci.post("/reservation/request", json={"labels": ["scope"], "lease_seconds": 30}).json
    assert (held["status"], held["lease_seconds"]) == ("approved", 30)
    clock.advance(seconds=31)
    assert ci.get("/reservation/active").json["count"] == 0
    reasons = {(r["status"], r["end_reason"]) for r in ci.get("/reservation/history").json["reservations"]}
    assert reasons == {("expired", "lease_lost")}


@pytest.mark.parametrize(("lease", "code"), [
    (29, "INVALID_INPUT"), (601, "INVALID_LEASE"), ("60", "INVALID_TYPE"), (60.0, "INVALID_TYPE")])
def test_a_lease_out_of_bounds_is_refused_and_nothing_is_requested(accounts, clock, lease, code):
    bench = accounts.add_resource("bench-1")
    ci = accounts.user("ci")
    answer = ci.post("/reservation/request", json={"resource_id": bench, "lease_seconds": lease})
    assert (answer.status_code, answer.json["code"]) == (400, code)
    assert ci.get("/reservation/active").json["count"] == 0


def test_requests_without_a_lease_answer_as_before(accounts, clock):
    bench = accounts.add_resource("bench-1")
    held = accounts.user("alice").post("/reservation/request", json={"resource_id": bench}).json
    assert "lease_seconds" not in held and "lease_until_date" not in held


def test_a_leased_hold_kept_alive_up_to_its_maximum_ends_as_max_hold(accounts, clock):
    bench = accounts.admin.post("/admin/resource/add", json={"name": "bench-short", "max_hold_minutes": 1}).json[
        "resource_id"]
    ci = accounts.user("ci")
    held = ci.post("/reservation/request", json={"resource_id": bench, "lease_seconds": 30}).json
    for _ in range(2):
        clock.advance(seconds=25)
        ci.post("/reservation/keep_alive", json={"request_id": held["request_id"]})
    clock.advance(seconds=11)  # a minute after its approval, its lease still running
    [ended] = ci.get("/reservation/history").json["reservations"]
    assert (ended["status"], ended["end_reason"]) == ("expired", "max_hold")
    assert at(ended, "end_date") == START + timedelta(minutes=1)
    late = ci.post("/reservation/keep_alive", json={"request_id": held["request_id"]})
    assert late.status_code == 404
    assert (late.json["code"], late.json["error"]) == (
        "REQUEST_ENDED", f"Request {held['request_id']} has ended: there is nothing to keep alive.")
