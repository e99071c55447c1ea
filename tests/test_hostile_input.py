"""Inputs someone sends on purpose, each of which once answered 500: now a 4xx with a JSON error
or a form message, and nothing half done. (tests/test_no_server_errors.py tries them at random.)"""
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from backend.extensions import db
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, Accounts
from tests.pages import HTML, csrf_token
from tests.pages import text as page_text


@pytest.fixture(scope="module")
def world(module_app):
    """The administrator, alice with a held resource, and bob; every case leaves it as it found it."""
    app = module_app
    accounts = Accounts(app)
    bench = accounts.add_resource("bench-1")
    spare = accounts.add_resource("bench-2")
    alice = accounts.user("alice")
    accounts.add_user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    return SimpleNamespace(app=app, admin=accounts.admin, alice=alice, bench=bench, spare=spare)


def snapshot(app):
    with app.app_context():
        return {table: db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
                for table in ("users", "resources", "reservations", "login_sessions")}


def post_raw(client, path, raw):
    return client.post(path, data=raw, content_type="application/json")


@pytest.mark.parametrize("path, body", [
    ("/session/login", '{"name": "\\ud800", "password": "whatever-1"}'),
    ("/session/login", '{"name": "admin", "password": "\\ud800"}'),
    ("/admin/user/add", '{"name": "eve", "email": "eve@example.org", "password": "\\udfffabcdefgh"}'),
    ("/admin/user/add", '{"name": "eve\\ud83d", "email": "eve@example.org", "password": "a-long-password"}'),
    ("/admin/resource/add", '{"name": "bench-x", "comment": "\\ud800"}'),
    ("/admin/reservation/force_release", '{"resource_id": 1, "reason": "\\udc00"}'),
])
def test_a_lone_surrogate_in_any_json_string_is_refused(world, path, body):
    before = snapshot(world.app)
    response = post_raw(world.admin, path, body)
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_TEXT"
    assert "surrogate" in response.json["error"]
    assert snapshot(world.app) == before


@pytest.mark.parametrize("wrap", [lambda inner: inner, lambda inner: '{"name": ' + inner + "}"],
                         ids=["alone", "in a field"])
def test_json_nested_a_thousand_levels_deep_is_refused(world, wrap):
    deep = "[" * 1000 + "]" * 1000
    before = snapshot(world.app)
    for path in ("/session/login", "/admin/resource/add", "/reservation/request"):
        response = post_raw(world.admin, path, wrap(deep))
        assert response.status_code == 400, path
        assert response.json["code"] in ("INVALID_JSON", "INVALID_TYPE")
    assert snapshot(world.app) == before


def test_nul_in_a_login_name_is_a_bad_request_not_a_failed_login(world):
    """PostgreSQL cannot even compare text holding NUL; no name holds one."""
    client = world.app.test_client()
    response = client.post("/session/login", json={"name": "ad\x00min", "password": ADMIN_PASSWORD})
    assert response.status_code == 400
    assert response.json["code"] in ("INVALID_INPUT", "INVALID_TEXT")
    page = client.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(client, "/session/login"), "name": "ad\x00min", "password": "x"})
    assert page.status_code == 400


@pytest.mark.parametrize("path, field", [("/admin/resource/add", "comment"),
                                         ("/admin/reservation/force_release", "reason")])
def test_nul_in_free_text_is_refused(world, path, field):
    before = snapshot(world.app)
    response = world.admin.post(path, json={"name": "bench-3", "resource_id": world.bench, field: "a\x00b"})
    assert response.status_code == 400
    assert snapshot(world.app) == before


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=9999-12-31", "since=0001-01-01&until=9999-12-31",
                                   "since=0001-01-01", "until=0001-01-01"])
def test_far_dates_in_history_filters_are_answered(world, query):
    assert world.alice.get(f"/reservation/mine?{query}", headers=HTML).status_code == 200
    assert world.alice.get(f"/reservation/history?{query}").status_code == 200
    assert world.alice.get(f"/reservation/history/export?{query}").status_code == 200
    assert world.admin.get(f"/admin/statistics?{query}").status_code in (200, 400)


def test_the_last_day_there_is_still_finds_everything(world):
    page = page_text(world.alice.get("/reservation/mine?since=0001-01-01&until=9999-12-31", headers=HTML))
    assert "1 reservation matches." in page


# PostgreSQL's id columns end at 2**31 - 1, SQLite's at 2**63 - 1: both are refused, not asked of the database.
BIG_IDS = [str(2**31), str(2**63), str(2**64), "9" * 40]


@pytest.mark.parametrize("value", BIG_IDS)
@pytest.mark.parametrize("path, field", [("/admin/user/modify", "user_id"), ("/admin/user/delete", "user_id"),
                                         ("/admin/resource/modify", "resource_id"),
                                         ("/admin/resource/delete", "resource_id"),
                                         ("/admin/reservation/force_release", "resource_id"),
                                         ("/admin/reservation/remove", "reservation_id")])
def test_ids_past_what_id_columns_hold_in_admin_forms_are_refused(world, path, field, value):
    admin = world.admin
    token = csrf_token(admin, "/admin/users")
    before = snapshot(world.app)
    response = admin.post(path, headers=HTML, data={
        "csrf_token": token, field: value, "name": "renamed", "next": "/admin/users"})
    assert response.status_code in (302, 400, 404)
    assert snapshot(world.app) == before
    if response.status_code == 302:
        assert "flash-error" in page_text(admin.get(response.headers["Location"], headers=HTML))


@pytest.mark.parametrize("value", BIG_IDS)
def test_ids_past_what_id_columns_hold_in_page_addresses_are_no_page(world, value):
    for path in ("/admin/users/", "/admin/resources/"):
        assert world.admin.get(path + value, headers=HTML).status_code == 404


NEXT_WITH_LINE_BREAKS = ["/\r\nSet-Cookie: stolen=1", "/reservation/mine\n", "/\rx", "/\x00", "/ x"]


@pytest.mark.parametrize("next_url", NEXT_WITH_LINE_BREAKS)
def test_login_with_a_line_break_in_next_logs_in_and_goes_to_the_dashboard(world, next_url):
    client = world.app.test_client()
    response = client.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(client, "/session/login"), "name": "bob", "password": USER_PASSWORD,
        "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in str(response.headers)
    assert client.get("/session/status").json["user_name"] == "bob"


@pytest.mark.parametrize("next_url", NEXT_WITH_LINE_BREAKS)
def test_reservation_with_a_line_break_in_next_is_made_once_and_redirected(world, next_url):
    alice = world.alice
    response = alice.post("/reservation/request", headers=HTML, data={
        "csrf_token": csrf_token(alice, "/"), "resource_id": world.spare, "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    held = alice.get(f"/reservation/active?resource_id={world.spare}").json["reservations"]
    assert [(r["user_name"], r["status"]) for r in held] == [("alice", "approved")]
    assert alice.post("/reservation/release", json={"resource_id": world.spare}).status_code == 200


def test_login_page_ignores_a_next_with_line_breaks(world):
    page = world.app.test_client().get("/session/login?next=/%0D%0ASet-Cookie:x", headers=HTML)
    assert 'name="next" type="hidden" value=""' in page.get_data(as_text=True)


def test_refused_names_with_surrogates_are_listed_nowhere(world):
    """The refusals above left no trace, not even in the names a later page lists."""
    post_raw(world.admin, "/admin/user/add",
             json.dumps({"name": "eve\ud800", "email": "eve@example.org", "password": "a-long-password"}))
    assert [u["name"] for u in world.admin.get("/info/users").json["users"]] == ["admin", "alice", "bob"]
