"""The info endpoints: health, version, resource and user lists."""
from backend.version import __version__


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
