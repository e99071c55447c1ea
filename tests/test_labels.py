"""Labels and pools over JSON: "give me any two free scope benches", whole sets, strict fairness."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import NotificationEvent

# conftest's `clock` stops here, and its `app_settings` reads APP_SETTINGS.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 10}


@pytest.fixture
def lab(accounts):
    """Three scope benches (two with USB 3), a plain bench, and three users."""
    add = accounts.add_resource
    ids = {"scope-1": add("scope-1", labels=["scope", "usb3"]), "scope-2": add("scope-2", labels=["Scope", "USB3"]),
           "scope-3": add("scope-3", labels=["scope"]), "plain": add("plain", labels=[])}
    return {"ids": ids, "admin": accounts.admin, "alice": accounts.user("alice"), "bob": accounts.user("bob"),
            "carol": accounts.user("carol")}


def ask(client, labels, count=None, status=201):
    body = {"labels": labels} | ({"count": count} if count is not None else {})
    response = client.post("/reservation/request", json=body)
    assert response.status_code == status, response.json
    return response.json


def active(client, **query):
    return client.get("/reservation/active", query_string=query).json["reservations"]


def holders(client):
    """{resource name: (user, status)} of what is held or kept."""
    return {e["resource_name"]: (e["user_name"], e["status"]) for e in active(client)
            if e["resource_name"] and e["status"] != "requested"}


def test_labels_show_on_resources_and_count_what_is_free(lab):
    resources = {r["name"]: r["labels"] for r in lab["alice"].get("/info/resources").json["resources"]}
    assert resources == {"plain": [], "scope-1": ["scope", "usb3"], "scope-2": ["scope", "usb3"],
                         "scope-3": ["scope"]}
    lab["bob"].post("/reservation/request", json={"resource_id": lab["ids"]["scope-1"]})
    assert lab["alice"].get("/info/labels").json == {"labels": [
        {"name": "scope", "resources": 3, "free": 2}, {"name": "usb3", "resources": 2, "free": 1}]}


def test_enough_free_resources_are_held_at_once(lab, clock):
    answer = ask(lab["alice"], ["scope"], count=2)
    assert answer["status"] == "approved" and answer["position"] == 0
    assert answer["resource_ids"] == [lab["ids"]["scope-1"], lab["ids"]["scope-2"]]
    assert datetime.fromisoformat(answer["valid_until_date"]) == START + timedelta(minutes=10)
    entries = [e for e in active(lab["alice"]) if e["request_id"] == answer["request_id"]]
    assert {(e["resource_name"], e["status"], e["labels"][0], e["count"]) for e in entries} == {
        ("scope-1", "approved", "scope", 2), ("scope-2", "approved", "scope", 2), (None, "approved", "scope", 2)}


def test_a_request_waits_as_one_request_and_is_approved_when_it_has_them_all(lab):
    ids = lab["ids"]
    lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-1"]})
    lab["carol"].post("/reservation/request", json={"resource_id": ids["scope-2"]})
    answer = ask(lab["alice"], ["scope"], count=2)
    assert answer["status"] == "requested" and answer["position"] == 1 and "resource_ids" not in answer
    # Nothing is reported as held until all are: scope-3 is kept for alice.
    assert holders(lab["alice"])["scope-3"] == ("alice", "kept")
    [waiting] = [e for e in active(lab["alice"]) if e["resource_id"] is None]
    assert (waiting["status"], waiting["count"], waiting["collected"]) == ("requested", 2, 1)
    lab["bob"].post("/reservation/release", json={"resource_id": ids["scope-1"]})
    assert holders(lab["alice"]) == {"scope-1": ("alice", "approved"), "scope-2": ("carol", "approved"),
                                     "scope-3": ("alice", "approved")}


def test_a_small_later_request_never_overtakes_an_earlier_big_one(lab):
    ids = lab["ids"]
    for name in ("scope-1", "scope-2", "scope-3"):
        lab["admin"].post("/reservation/request", json={"resource_id": ids[name]})
    big = ask(lab["alice"], ["scope"], count=2)
    small = ask(lab["bob"], ["scope"])
    assert (big["position"], small["position"]) == (1, 2)
    lab["admin"].post("/reservation/release", json={"resource_id": ids["scope-3"]})
    assert holders(lab["bob"])["scope-3"] == ("alice", "kept")
    lab["admin"].post("/reservation/release", json={"resource_id": ids["scope-1"]})
    assert holders(lab["bob"])["scope-1"] == ("alice", "approved")
    assert [e["status"] for e in active(lab["bob"]) if e["request_id"] == small["request_id"]] == ["requested"]
    lab["admin"].post("/reservation/release", json={"resource_id": ids["scope-2"]})
    assert holders(lab["bob"])["scope-2"] == ("bob", "approved")


def test_a_request_by_name_waits_behind_an_earlier_label_request(lab):
    ids = lab["ids"]
    lab["admin"].post("/reservation/request", json={"resource_id": ids["scope-3"]})
    ask(lab["alice"], ["scope"], count=3)  # keeps scope-1 and scope-2, waits for scope-3
    by_name = lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-3"]}).json
    assert (by_name["status"], by_name["position"]) == ("requested", 2)
    release = lab["admin"].post("/reservation/release", json={"resource_id": ids["scope-3"]}).json
    assert release["message"] == "Released — alice now holds it."
    assert holders(lab["bob"])["scope-3"] == ("alice", "approved")


def test_the_whole_request_is_released_cancelled_and_kept_alive_by_its_id(lab, clock):
    ids = lab["ids"]
    held = ask(lab["alice"], ["usb3"], count=2)
    clock.advance(minutes=5)
    kept = lab["alice"].post("/reservation/keep_alive", json={"request_id": held["request_id"]}).json
    assert datetime.fromisoformat(kept["valid_until_date"]) == START + timedelta(minutes=15)
    assert kept["resource_ids"] == [ids["scope-1"], ids["scope-2"]]
    assert {e["valid_until_date"] for e in active(lab["alice"])} == {kept["valid_until_date"]}
    # One resource of the set cannot be released on its own: it belongs to the request.
    alone = lab["alice"].post("/reservation/release", json={"resource_id": ids["scope-1"]})
    assert alone.status_code == 404
    released = lab["alice"].post("/reservation/release", json={"request_id": held["request_id"]}).json
    assert released["resource_ids"] == [ids["scope-1"], ids["scope-2"]]
    assert holders(lab["alice"]) == {}
    waiting = ask(lab["bob"], ["scope"], count=4, status=409)
    assert waiting["code"] == "NOT_ENOUGH_RESOURCES"
    waiting = ask(lab["bob"], ["scope"], count=3)
    assert waiting["status"] == "approved"
    lab["bob"].post("/reservation/release", json={"request_id": waiting["request_id"]})
    lab["carol"].post("/reservation/request", json={"resource_id": ids["scope-1"]})
    later = ask(lab["bob"], ["scope"], count=3)
    cancelled = lab["bob"].post("/reservation/cancel", json={"request_id": later["request_id"]})
    assert cancelled.status_code == 200
    assert holders(lab["bob"]) == {"scope-1": ("carol", "approved")}


def test_requests_by_name_also_have_a_request_id(lab):
    bench = lab["ids"]["plain"]
    answer = lab["alice"].post("/reservation/request", json={"resource_id": bench}).json
    assert answer["request_id"] == answer["reservation_id"]
    assert active(lab["alice"])[0]["request_id"] == answer["request_id"]
    assert lab["bob"].post("/reservation/release", json={"request_id": answer["request_id"]}).json[
        "code"] == "REQUEST_NOT_FOUND"
    released = lab["alice"].post("/reservation/release", json={"request_id": answer["request_id"]})
    assert released.status_code == 200 and released.json["resource_id"] == bench


def test_the_set_expires_as_a_whole_and_the_queue_moves_on_at_that_moment(lab, clock):
    ids = lab["ids"]
    held = ask(lab["alice"], ["usb3"], count=2)
    lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-2"]})
    clock.advance(minutes=11)
    assert holders(lab["bob"]) == {"scope-2": ("bob", "approved")}
    history = lab["alice"].get("/reservation/history").json["reservations"]
    mine = [e for e in history if e["request_id"] == held["request_id"]]
    assert {(e["resource_name"], e["status"]) for e in mine} == {
        ("scope-1", "expired"), ("scope-2", "expired"), (None, "expired")}
    assert {e["end_date"] for e in mine} == {(START + timedelta(minutes=10)).isoformat()}
    bob_entry = active(lab["bob"], resource_id=ids["scope-2"])[0]
    assert bob_entry["approved_date"] == (START + timedelta(minutes=10)).isoformat()


@pytest.mark.parametrize("body, code", [
    ({"labels": ["nosuch"]}, "UNKNOWN_LABEL"),
    ({"labels": ["scope", "nosuch"], "count": 1}, "UNKNOWN_LABEL"),
    ({"labels": ["scope"], "count": 4}, "NOT_ENOUGH_RESOURCES"),
    ({"labels": ["scope"], "count": 0}, "INVALID_INPUT"),
    ({"labels": ["scope"], "count": 101}, "INVALID_INPUT"),
    ({"labels": ["scope"], "count": "2"}, "INVALID_TYPE"),
    ({"labels": ["scope"], "count": True}, "INVALID_TYPE"),
    ({"labels": "scope"}, "INVALID_TYPE"),
    ({"labels": [3]}, "INVALID_TYPE"),
    ({"labels": ["no spaces"]}, "INVALID_INPUT"),
    ({"labels": ["é"]}, "INVALID_INPUT"),
    ({"labels": ["x" * 41]}, "INVALID_INPUT"),
    ({"labels": []}, "INVALID_INPUT"),
    ({"labels": ["scope"], "resource_id": 1}, "INVALID_INPUT"),
    ({"count": 2}, "INVALID_INPUT"),
    ({"resource_id": 1, "count": 1}, "INVALID_INPUT"),
])
def test_bad_label_requests_are_refused_and_change_nothing(lab, body, code):
    before = active(lab["admin"])
    response = lab["alice"].post("/reservation/request", json=body)
    assert 400 <= response.status_code < 500 and response.json["code"] == code, response.json
    status = {"UNKNOWN_LABEL": 404, "NOT_ENOUGH_RESOURCES": 409}.get(code, 400)
    assert response.status_code == status
    assert active(lab["admin"]) == before


def test_removing_a_label_or_retiring_a_resource_ends_requests_that_can_no_longer_be_served(lab):
    ids, admin = lab["ids"], lab["admin"]
    admin.post("/reservation/request", json={"resource_id": ids["scope-1"]})
    waiting = ask(lab["alice"], ["usb3"], count=2)
    assert holders(admin)["scope-2"] == ("alice", "kept")
    assert admin.post("/admin/resource/modify", json={"resource_id": ids["scope-2"], "labels": ["scope"]}
                      ).status_code == 200
    assert holders(admin) == {"scope-1": ("admin", "approved")}
    [ended] = [e for e in lab["alice"].get("/reservation/history").json["reservations"]
               if e["request_id"] == waiting["request_id"]]
    assert (ended["status"], ended["end_reason"]) == ("cancelled", "pool_too_small")
    still = ask(lab["bob"], ["scope"], count=3)
    assert admin.post("/admin/resource/modify", json={"resource_id": ids["scope-3"], "active": False}
                      ).status_code == 200
    [ended] = [e for e in lab["bob"].get("/reservation/history").json["reservations"]
               if e["request_id"] == still["request_id"]]
    assert ended["end_reason"] == "pool_too_small"


def test_a_request_maintenance_leaves_too_few_resources_for_ends_and_those_behind_it_move_on(lab, app):
    ids, admin, alice = lab["ids"], lab["admin"], lab["alice"]
    admin.post("/reservation/request", json={"resource_id": ids["scope-1"]})
    waiting = ask(alice, ["scope"], count=3)
    behind = lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-2"]}).json
    assert behind["status"] == "requested" and holders(admin)["scope-2"] == ("alice", "kept")
    assert admin.post("/admin/resource/modify", json={"resource_id": ids["scope-1"], "maintenance": True}
                      ).status_code == 200
    assert holders(admin) == {"scope-1": ("admin", "approved"), "scope-2": ("bob", "approved")}
    [ended] = [e for e in alice.get("/reservation/history").json["reservations"]
               if e["request_id"] == waiting["request_id"]]
    assert (ended["status"], ended["end_reason"]) == ("cancelled", "pool_too_small")
    with app.app_context():
        told = db.session.execute(select(NotificationEvent.event, NotificationEvent.reason).where(
            NotificationEvent.reservation_id == waiting["request_id"])).all()
    assert told == [("ended", "pool_too_small")]
    # Back from maintenance, nothing is revived; a new request for three is taken again.
    admin.post("/admin/resource/modify", json={"resource_id": ids["scope-1"], "maintenance": False})
    assert ask(lab["carol"], ["scope"], count=3)["status"] == "requested"


def test_a_request_busy_resources_can_still_meet_waits_through_maintenance(lab):
    ids, admin = lab["ids"], lab["admin"]
    admin.post("/reservation/request", json={"resource_id": ids["scope-1"]})
    lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-2"]})
    waiting = ask(lab["alice"], ["scope"], count=2)
    assert holders(admin)["scope-3"] == ("alice", "kept")
    admin.post("/admin/resource/modify", json={"resource_id": ids["scope-3"], "maintenance": True})
    # In maintenance it approves nobody: given back, while the request waits for the busy two.
    assert "scope-3" not in holders(admin)
    assert [e["status"] for e in active(admin) if e["resource_id"] is None] == ["requested"]
    # A new request more than the resources out of maintenance can ever give is refused at once.
    assert ask(lab["carol"], ["scope"], count=3, status=409)["code"] == "NOT_ENOUGH_RESOURCES"
    lab["bob"].post("/reservation/release", json={"resource_id": ids["scope-2"]})
    admin.post("/reservation/release", json={"resource_id": ids["scope-1"]})
    assert {e["resource_name"] for e in active(admin) if e["request_id"] == waiting["request_id"]
            and e["status"] == "approved"} == {"scope-1", "scope-2", None}


def test_a_kept_resource_can_be_retired_and_the_request_goes_on_waiting(lab):
    ids, admin = lab["ids"], lab["admin"]
    admin.post("/reservation/request", json={"resource_id": ids["scope-1"]})
    lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-2"]})
    waiting = ask(lab["alice"], ["scope"], count=2)
    assert holders(admin)["scope-3"] == ("alice", "kept")
    retired = admin.post("/admin/resource/delete", json={"resource_id": ids["scope-3"]})
    assert retired.status_code == 200 and retired.json["deactivated"] is False
    assert "scope-3" not in holders(admin)
    lab["bob"].post("/reservation/release", json={"resource_id": ids["scope-2"]})
    assert holders(admin)["scope-2"] == ("alice", "kept")
    admin.post("/reservation/release", json={"resource_id": ids["scope-1"]})
    assert {e["resource_name"] for e in active(admin) if e["request_id"] == waiting["request_id"]
            and e["status"] == "approved"} == {"scope-1", "scope-2", None}


def test_administrators_end_a_whole_set_by_one_of_its_resources(lab):
    ids, admin = lab["ids"], lab["admin"]
    held = ask(lab["alice"], ["usb3"], count=2)
    ask(lab["bob"], ["scope"], count=2)
    ended = admin.post("/admin/reservation/force_release", json={"resource_id": ids["scope-2"], "reason": "fire"})
    assert ended.status_code == 200
    assert holders(admin) == {"scope-1": ("bob", "approved"), "scope-3": ("bob", "approved")}
    history = lab["alice"].get("/reservation/history").json["reservations"]
    assert {e["end_reason"] for e in history if e["request_id"] == held["request_id"]} == {"fire"}


def test_statistics_count_what_label_requests_held_per_resource(lab, clock):
    held = ask(lab["alice"], ["usb3"], count=2)
    clock.advance(minutes=4)
    lab["alice"].post("/reservation/release", json={"request_id": held["request_id"]})
    figures = {f["resource_name"]: f for f in lab["admin"].get(
        "/admin/statistics", query_string={"since": "2026-11-25", "until": "2026-11-26"}).json["resources"]}
    assert figures["scope-1"]["holds"] == 1 and figures["scope-1"]["total_hold_seconds"] == 240
    assert figures["scope-3"]["holds"] == 0


def test_a_label_request_holds_as_long_as_asked_within_the_smallest_maximum_of_what_it_gets(lab, clock):
    ids, admin = lab["ids"], lab["admin"]
    admin.post("/admin/resource/modify", json={"resource_id": ids["scope-1"], "max_hold_minutes": 120})
    admin.post("/admin/resource/modify", json={"resource_id": ids["scope-2"], "max_hold_minutes": 30})
    long = lab["alice"].post("/reservation/request", json={"labels": ["usb3"], "count": 2, "hold_minutes": 60,
                                                           "note": "soak test"}).json
    assert datetime.fromisoformat(long["valid_until_date"]) == START + timedelta(minutes=30)
    entries = [e for e in active(lab["alice"]) if e["request_id"] == long["request_id"]]
    assert {e["note"] for e in entries if e["resource_id"] is None} == {"soak test"}
    too_long = lab["bob"].post("/reservation/request", json={"labels": ["scope"], "hold_minutes": 10_000})
    assert (too_long.status_code, too_long.json["code"]) == (400, "HOLD_TOO_LONG")
