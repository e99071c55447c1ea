"""Administrators add users and resources; nobody else may."""
import pytest

from tests.conftest import users_by_name


def test_admin_adds_a_user_who_can_log_in(admin_client, accounts):
    response = admin_client.post("/admin/user/add", json={
        "name": "bob", "email": "Bob@Example.org", "password": "bread-password"})
    assert response.status_code == 201
    assert response.json["message"] == "User created successfully"
    assert isinstance(response.json["user_id"], int)
    accounts.login("bob", "bread-password")
    users = users_by_name(admin_client)
    assert users["bob"]["email"] == "bob@example.org"
    assert users["bob"]["role"] == "user"


def test_admin_adds_another_administrator(admin_client, accounts):
    admin_client.post("/admin/user/add", json={
        "name": "carol", "email": "carol@example.org", "password": "amber-password", "role": "admin"})
    carol = accounts.login("carol", "amber-password")
    assert carol.get("/info/users").status_code == 200


def test_admin_adds_a_resource(admin_client):
    response = admin_client.post("/admin/resource/add", json={"name": "bench-1", "comment": "fast"})
    assert response.status_code == 201
    assert response.json["message"] == "Resource created successfully"
    resources = admin_client.get("/info/resources").json["resources"]
    assert [(r["id"], r["name"], r["comment"]) for r in resources] == [
        (response.json["resource_id"], "bench-1", "fast")]


def test_unicode_names_are_welcome(admin_client):
    response = admin_client.post("/admin/resource/add", json={"name": "Prüfstand 3 — Ωmega"})
    assert response.status_code == 201
    names = [r["name"] for r in admin_client.get("/info/resources").json["resources"]]
    assert names == ["Prüfstand 3 — Ωmega"]


@pytest.mark.parametrize("body, code", [
    ({"name": "alice", "email": "other@example.org", "password": "other-password-1"}, "USER_EXISTS"),
    ({"name": "other", "email": "ALICE@example.org", "password": "spare-password-1"}, "EMAIL_EXISTS"),
])
def test_duplicate_user_is_409(admin_client, accounts, body, code):
    accounts.add_user("alice")
    before = admin_client.get("/info/users").json["count"]
    response = admin_client.post("/admin/user/add", json=body)
    assert response.status_code == 409
    assert response.json["code"] == code
    assert admin_client.get("/info/users").json["count"] == before


def test_duplicate_resource_is_409(admin_client, accounts):
    accounts.add_resource("bench-1")
    response = admin_client.post("/admin/resource/add", json={"name": "bench-1"})
    assert response.status_code == 409
    assert response.json["code"] == "RESOURCE_EXISTS"


@pytest.mark.parametrize("path, body", [
    ("/admin/user/add", {"name": "eve", "email": "eve@example.org", "password": "ember-password"}),
    ("/admin/resource/add", {"name": "eve-bench"}),
])
def test_admin_actions_are_refused_to_users_and_anonymous(accounts, client, path, body):
    user = accounts.user("mallory")
    assert client.post(path, json=body).status_code == 401
    forbidden = user.post(path, json=body)
    assert forbidden.status_code == 403
    assert forbidden.json["code"] == "ADMIN_REQUIRED"
    assert accounts.admin.get("/info/resources").json["count"] == 0
    assert "eve" not in {u["name"] for u in accounts.admin.get("/info/users").json["users"]}


def test_short_password_is_refused(admin_client):
    response = admin_client.post("/admin/user/add", json={
        "name": "bob", "email": "bob@example.org", "password": "short"})
    assert response.status_code == 400
    assert "password" in response.json["fields"]
