"""The info endpoints: health, version, resource, label and user lists."""
import pytest

from backend.version import __version__

pytestmark = pytest.mark.once


def test_is_alive_needs_no_login(client):
    response = client.get("/info/is_alive")
    assert response.status_code == 200
    assert response.json == {"status": "alive", "service": "Reservia"}


def test_version_is_reported(client):
    assert client.get("/info/get_version").json == {"version": __version__}


def test_resources_need_login(client):
    response = client.get("/info/resources")
    assert response.status_code == 401
    assert response.json["code"] == "NOT_AUTHENTICATED"


def test_resources_are_listed_with_comments(accounts, user_client):
    accounts.add_resource("bench-1", "the fast one")
    accounts.add_resource("bench-2")
    body = user_client.get("/info/resources").json
    assert body["count"] == 2
    assert [(r["name"], r["comment"]) for r in body["resources"]] == [
        ("bench-1", "the fast one"), ("bench-2", "")]


def test_labels_count_as_free_only_what_nobody_holds_or_keeps_and_is_not_in_maintenance(accounts):
    """An approved label request's own row names no resource: it must not make every label 0 free."""
    admin = accounts.admin
    ids = {}
    for name, labels in [("scope-1", ["scope", "usb3"]), ("scope-2", ["scope", "usb3"]), ("scope-3", ["scope"]),
                         ("scope-4", ["scope"]), ("scope-5", ["scope", "usb3"])]:
        ids[name] = admin.post("/admin/resource/add", json={"name": name, "labels": labels}).json["resource_id"]
    alice, bob, carol = accounts.user("alice"), accounts.user("bob"), accounts.user("carol")

    def free():
        return {label["name"]: (label["resources"], label["free"])
                for label in alice.get("/info/labels").json["labels"]}

    assert bob.post("/reservation/request", json={"resource_id": ids["scope-1"]}).json["status"] == "approved"
    admin.post("/admin/resource/modify", json={"resource_id": ids["scope-3"], "maintenance": True})
    assert free() == {"scope": (5, 3), "usb3": (3, 2)}
    held = alice.post("/reservation/request", json={"labels": ["scope"]}).json
    assert (held["status"], held["resource_ids"]) == ("approved", [ids["scope-2"]])
    assert free() == {"scope": (5, 2), "usb3": (3, 1)}
    # Carol's request keeps scope-5, the one free usb3 bench, and waits for another.
    assert carol.post("/reservation/request", json={"labels": ["usb3"], "count": 2}).json["status"] == "requested"
    assert free() == {"scope": (5, 1), "usb3": (3, 0)}


def test_users_list_is_for_administrators(accounts, user_client, client):
    assert client.get("/info/users").status_code == 401
    assert user_client.get("/info/users").status_code == 403
    body = accounts.admin.get("/info/users").json
    assert {u["name"] for u in body["users"]} == {"admin", "alice"}
    assert all("password" not in str(u) for u in body["users"])


def test_wrong_method_is_405_json(client):
    response = client.post("/info/is_alive", json={})
    assert response.status_code == 405
    assert response.json["code"] == "METHOD_NOT_ALLOWED"


def test_unknown_url_is_404_json_for_scripts(client):
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json["code"] == "NOT_FOUND"
