"""Inputs someone sends on purpose, each of which once answered 500: now a 4xx with a JSON error
or a form message, and nothing half done. (tests/test_no_server_errors.py tries them at random.)"""
import json

import pytest
from sqlalchemy import text

from backend.extensions import db
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.pages import HTML, csrf_token
from tests.pages import text as page_text


def rows(app, table):
    with app.app_context():
        return db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()


def snapshot(app):
    return {table: rows(app, table) for table in ("users", "resources", "reservations", "login_sessions")}


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
def test_a_lone_surrogate_in_any_json_string_is_refused(accounts, app, path, body):
    accounts.add_resource("bench-1")
    admin = accounts.admin
    before = snapshot(app)
    response = post_raw(admin, path, body)
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_TEXT"
    assert "surrogate" in response.json["error"]
    assert snapshot(app) == before


@pytest.mark.parametrize("wrap", [lambda inner: inner, lambda inner: '{"name": ' + inner + "}"])
def test_json_nested_a_thousand_levels_deep_is_refused(accounts, app, wrap):
    deep = "[" * 1000 + "]" * 1000
    admin = accounts.admin
    before = snapshot(app)
    for path in ("/session/login", "/admin/resource/add", "/reservation/request"):
        response = post_raw(admin, path, wrap(deep))
        assert response.status_code == 400, path
        assert response.json["code"] in ("INVALID_JSON", "INVALID_TYPE")
    assert snapshot(app) == before


def test_nul_in_a_login_name_is_a_bad_request_not_a_failed_login(client):
    """PostgreSQL cannot even compare text holding NUL; no name holds one."""
    response = client.post("/session/login", json={"name": "ad\x00min", "password": ADMIN_PASSWORD})
    assert response.status_code == 400
    assert response.json["code"] in ("INVALID_INPUT", "INVALID_TEXT")
    page = client.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(client, "/session/login"), "name": "ad\x00min", "password": "x"})
    assert page.status_code == 400


@pytest.mark.parametrize("path, field", [("/admin/resource/add", "comment"),
                                         ("/admin/reservation/force_release", "reason")])
def test_nul_in_free_text_is_refused(accounts, app, path, field):
    bench = accounts.add_resource("bench-1")
    admin = accounts.admin
    before = snapshot(app)
    response = admin.post(path, json={"name": "bench-2", "resource_id": bench, field: "a\x00b"})
    assert response.status_code == 400
    assert snapshot(app) == before


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=9999-12-31", "since=0001-01-01&until=9999-12-31",
                                   "since=0001-01-01", "until=0001-01-01"])
def test_far_dates_in_history_filters_are_answered(accounts, query):
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": accounts.add_resource("bench-1")})
    page = alice.get(f"/reservation/mine?{query}", headers=HTML)
    assert page.status_code == 200
    assert alice.get(f"/reservation/history?{query}").status_code == 200
    assert alice.get(f"/reservation/history/export?{query}").status_code == 200
    assert accounts.admin.get(f"/admin/statistics?{query}").status_code in (200, 400)


def test_the_last_day_there_is_still_finds_everything(accounts):
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": accounts.add_resource("bench-1")})
    page = page_text(alice.get("/reservation/mine?since=0001-01-01&until=9999-12-31", headers=HTML))
    assert "1 reservation matches." in page


# PostgreSQL's id columns end at 2**31 - 1, SQLite's at 2**63 - 1: both are refused, not asked of the database.
BIG_IDS = [str(2**31), str(2**63), str(2**64), "9" * 40]


@pytest.mark.parametrize("value", BIG_IDS)
@pytest.mark.parametrize("path, field", [("/admin/user/modify", "user_id"), ("/admin/user/delete", "user_id"),
                                         ("/admin/resource/modify", "resource_id"),
                                         ("/admin/resource/delete", "resource_id"),
                                         ("/admin/reservation/force_release", "resource_id"),
                                         ("/admin/reservation/remove", "reservation_id")])
def test_ids_past_what_id_columns_hold_in_admin_forms_are_refused(accounts, app, path, field, value):
    accounts.add_resource("bench-1")
    admin = accounts.admin
    token = csrf_token(admin, "/admin/users")
    before = snapshot(app)
    response = admin.post(path, headers=HTML, data={
        "csrf_token": token, field: value, "name": "renamed",
        "next": "/admin/users"})
    assert response.status_code in (302, 400, 404)
    assert snapshot(app) == before
    shown = page_text(admin.get(response.headers.get("Location", "/admin/users"), headers=HTML))
    assert "flash-error" in shown or response.status_code != 302


@pytest.mark.parametrize("value", BIG_IDS)
def test_ids_past_what_id_columns_hold_in_page_addresses_are_no_page(accounts, value):
    for path in ("/admin/users/", "/admin/resources/"):
        assert accounts.admin.get(path + value, headers=HTML).status_code == 404


NEXT_WITH_LINE_BREAKS = ["/\r\nSet-Cookie: stolen=1", "/reservation/mine\n", "/\rx", "/\x00", "/ x"]


@pytest.mark.parametrize("next_url", NEXT_WITH_LINE_BREAKS)
def test_login_with_a_line_break_in_next_logs_in_and_goes_to_the_dashboard(accounts, client, next_url):
    accounts.add_user("alice")
    response = client.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(client, "/session/login"), "name": "alice", "password": USER_PASSWORD,
        "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in str(response.headers)
    assert client.get("/session/status").json["user_name"] == "alice"


@pytest.mark.parametrize("next_url", NEXT_WITH_LINE_BREAKS)
def test_reservation_with_a_line_break_in_next_is_made_once_and_redirected(accounts, next_url):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    response = alice.post("/reservation/request", headers=HTML, data={
        "csrf_token": csrf_token(alice, "/"), "resource_id": bench, "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    [held] = alice.get("/reservation/active").json["reservations"]
    assert (held["user_name"], held["status"]) == ("alice", "approved")


def test_login_page_ignores_a_next_with_line_breaks(client):
    page = client.get("/session/login?next=/%0D%0ASet-Cookie:x", headers=HTML).get_data(as_text=True)
    assert 'name="next" type="hidden" value=""' in page


def test_json_with_surrogates_the_tables_cannot_hold_is_listed_nowhere(accounts, app):
    """The refusals above left no trace, not even in the names a later page lists."""
    post_raw(accounts.admin, "/admin/user/add",
             json.dumps({"name": "eve\ud800", "email": "eve@example.org", "password": "a-long-password"}))
    assert [u["name"] for u in accounts.admin.get("/info/users").json["users"]] == ["admin"]
