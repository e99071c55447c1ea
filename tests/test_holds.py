"""Holds as long as people need: a chosen length, a per-resource maximum, keep-alive within it, notes."""
from datetime import datetime, timedelta, timezone

import pytest

# conftest's `clock` stops here, and its `app_settings` reads APP_SETTINGS.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}


def until(answer):
    return datetime.fromisoformat(answer["valid_until_date"])


def request(client, resource_id, **fields):
    return client.post("/reservation/request", json={"resource_id": resource_id, **fields})


def keep_alive(client, resource_id, **fields):
    return client.post("/reservation/keep_alive", json={"resource_id": resource_id, **fields})


def resource_with_maximum(accounts, name, max_hold_minutes):
    response = accounts.admin.post("/admin/resource/add", json={"name": name, "max_hold_minutes": max_hold_minutes})
    assert response.status_code == 201, response.json
    return response.json["resource_id"]


def test_a_request_may_ask_for_a_longer_hold_up_to_the_resources_maximum(accounts, clock):
    bench = resource_with_maximum(accounts, "bench-1", 240)
    alice = accounts.user("alice")
    answer = request(alice, bench, hold_minutes=120).json
    assert until(answer) == START + timedelta(hours=2)
    [entry] = alice.get("/reservation/active").json["reservations"]
    assert (entry["hold_minutes"], entry["valid_until_date"]) == (120, answer["valid_until_date"])


def test_asking_for_more_than_the_maximum_is_refused_and_changes_nothing(accounts, clock):
    bench = resource_with_maximum(accounts, "bench-1", 60)
    alice = accounts.user("alice")
    response = request(alice, bench, hold_minutes=61)
    assert response.status_code == 400
    assert response.json["code"] == "HOLD_TOO_LONG"
    assert response.json["error"] == "bench-1 can be held for at most 1 h."
    assert alice.get("/reservation/active").json["count"] == 0


def test_without_a_maximum_of_its_own_a_resource_allows_the_sites_hold_length(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    assert request(alice, bench, hold_minutes=11).json["code"] == "HOLD_TOO_LONG"
    assert until(request(alice, bench, hold_minutes=5).json) == START + timedelta(minutes=5)


def test_the_maximum_is_listed_with_the_resources(accounts):
    resource_with_maximum(accounts, "bench-1", 480)
    accounts.add_resource("bench-2")
    listed = {r["name"]: r for r in accounts.admin.get("/info/resources").json["resources"]}
    assert listed["bench-1"]["max_hold_minutes"] == 480
    assert listed["bench-2"]["max_hold_minutes"] == 10


def test_a_lower_maximum_shortens_the_default_hold(accounts, clock):
    bench = resource_with_maximum(accounts, "bench-1", 5)
    assert until(request(accounts.user("alice"), bench).json) == START + timedelta(minutes=5)


def test_administrators_change_the_maximum_and_reset_it_to_the_site_default(accounts):
    bench = accounts.add_resource("bench-1")
    admin = accounts.admin
    for value, listed in ((90, 90), (None, 10)):
        changed = admin.post("/admin/resource/modify", json={"resource_id": bench, "max_hold_minutes": value})
        assert changed.status_code == 200
        assert admin.get("/info/resources").json["resources"][0]["max_hold_minutes"] == listed


@pytest.mark.parametrize("value", [0, -5, 527041, "60", 1.5, True])
def test_bad_hold_lengths_are_refused(accounts, value):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    response = request(alice, bench, hold_minutes=value)
    assert response.status_code == 400 and response.json["code"] in ("INVALID_INPUT", "INVALID_TYPE")
    refused = accounts.admin.post("/admin/resource/add", json={"name": "x", "max_hold_minutes": value})
    assert refused.status_code == 400
    assert alice.get("/reservation/active").json["count"] == 0
    assert accounts.admin.get("/info/resources").json["count"] == 1


def test_a_queued_request_is_held_for_its_chosen_length_from_its_approval(accounts, clock):
    bench = resource_with_maximum(accounts, "bench-1", 180)
    alice, bob = accounts.user("alice"), accounts.user("bob")
    request(alice, bench)
    request(bob, bench, hold_minutes=90)
    clock.advance(minutes=4)
    alice.post("/reservation/release", json={"resource_id": bench})
    [entry] = bob.get("/reservation/active").json["reservations"]
    assert datetime.fromisoformat(entry["valid_until_date"]) == START + timedelta(minutes=94)


def test_keep_alive_extends_by_the_chosen_length_never_past_the_maximum(accounts, clock):
    bench = resource_with_maximum(accounts, "bench-1", 150)
    alice = accounts.user("alice")
    request(alice, bench, hold_minutes=60)
    clock.advance(minutes=50)
    kept = keep_alive(alice, bench).json
    assert until(kept) == START + timedelta(minutes=110)
    assert kept["message"] == "bench-1 is kept until 10:50 UTC."
    clock.advance(minutes=50)
    assert until(keep_alive(alice, bench).json) == START + timedelta(minutes=150)
    clock.advance(minutes=10)
    again = keep_alive(alice, bench).json
    assert until(again) == START + timedelta(minutes=150)
    assert again["message"] == ("Nothing changed: bench-1 is already kept until 11:30 UTC, "
                                "the longest it may be held.")


def test_keep_alive_may_choose_a_new_length(accounts, clock):
    bench = resource_with_maximum(accounts, "bench-1", 600)
    alice = accounts.user("alice")
    request(alice, bench)
    assert until(keep_alive(alice, bench, hold_minutes=240).json) == START + timedelta(hours=4)
    assert keep_alive(alice, bench, hold_minutes=601).json["code"] == "HOLD_TOO_LONG"
    [entry] = alice.get("/reservation/active").json["reservations"]
    assert entry["hold_minutes"] == 240


def test_a_note_is_kept_with_the_hold_and_in_the_history(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    request(alice, bench, note="  flashing fw 2.3 ")
    [entry] = alice.get("/reservation/active").json["reservations"]
    assert entry["note"] == "flashing fw 2.3"
    alice.post("/reservation/release", json={"resource_id": bench})
    [past] = alice.get("/reservation/history").json["reservations"]
    assert past["note"] == "flashing fw 2.3"
    export = alice.get("/reservation/history/export").get_data(as_text=True).splitlines()
    header, row = export[0].split(","), export[1].split(",")
    assert row[header.index("note")] == "flashing fw 2.3"


@pytest.mark.parametrize("note", ["x" * 201, "bell\x07", 5])
def test_bad_notes_are_refused(accounts, note):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    assert request(alice, bench, note=note).status_code == 400
    assert alice.get("/reservation/active").json["count"] == 0
