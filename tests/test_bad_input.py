"""Every POST endpoint refuses bad input with a 4xx JSON error and changes nothing."""
import json

import pytest
from sqlalchemy import text

from backend.extensions import db
from tests.conftest import USER_PASSWORD, Accounts

# Endpoint -> (a body that would be accepted, its fields as "id", "text" or "flag", optional fields).
ENDPOINTS = {
    "/session/login": ({"name": "admin", "password": "x"},
                       {"name": "text", "password": "text"}, set()),
    "/session/password": ({"current_password": "x", "new_password": "new-password-1"},
                          {"current_password": "text", "new_password": "text"}, set()),
    "/admin/user/add": (
        {"name": "newbie", "email": "newbie@example.org", "password": "fresh-pass-9", "role": "user"},
        {"name": "text", "email": "text", "password": "text", "role": "text"}, {"role"}),
    "/admin/user/modify": (
        {"user_id": 3, "name": "renamed", "email": "renamed@example.org", "password": "new-password",
         "role": "user", "active": True},
        {"user_id": "id", "name": "text", "email": "text", "password": "text", "role": "text",
         "active": "flag"},
        {"name", "email", "password", "role", "active"}),
    "/admin/user/delete": ({"user_id": 3}, {"user_id": "id"}, set()),
    "/admin/resource/add": ({"name": "new-bench", "comment": "c"},
                            {"name": "text", "comment": "text"}, {"comment"}),
    "/admin/resource/modify": (
        {"resource_id": 1, "name": "renamed", "comment": "c", "maintenance": True, "active": True},
        {"resource_id": "id", "name": "text", "comment": "text", "maintenance": "flag",
         "active": "flag"},
        {"name", "comment", "maintenance", "active"}),
    "/admin/resource/delete": ({"resource_id": 1}, {"resource_id": "id"}, set()),
    "/admin/reservation/force_release": ({"resource_id": 1, "reason": "r"},
                                         {"resource_id": "id", "reason": "text"}, {"reason"}),
    "/admin/reservation/remove": ({"reservation_id": 2, "reason": "r"},
                                  {"reservation_id": "id", "reason": "text"}, {"reason"}),
    "/reservation/request": ({"resource_id": 1}, {"resource_id": "id"}, set()),
    "/reservation/cancel": ({"resource_id": 1}, {"resource_id": "id"}, set()),
    "/reservation/release": ({"resource_id": 1}, {"resource_id": "id"}, set()),
    "/reservation/keep_alive": ({"resource_id": 1}, {"resource_id": "id"}, set()),
}

WRONG = {
    "id": ["1", 1.0, 1.5, True, False, None, -1, 0, 2**31, 2**63, 2**64, [], {}, [1], {"id": 1}],
    "text": [1, 1.5, True, None, [], {}, ["a"], "x" * 10_240],
    "flag": ["true", "false", 1, 0, None, [], {}],
}
NAME_ONLY = ["", "   ", "bad\x00name", "tab\tname", "x" * 81]


def _field_cases():
    for path, (valid, fields, optional) in ENDPOINTS.items():
        for field, kind in fields.items():
            if field not in optional:
                yield path, {k: v for k, v in valid.items() if k != field}, f"{field} missing"
            wrong = WRONG[kind]
            if path.endswith("/add") and field == "name":
                wrong = wrong + NAME_ONLY
            for value in wrong:
                if value is None and field in optional:
                    continue  # optional fields may be null
                yield path, {**valid, field: value}, f"{field}={json.dumps(value)[:20]}"
    yield "/admin/user/add", {**ENDPOINTS["/admin/user/add"][0], "email": "not-an-email"}, "bad email"
    yield "/admin/user/add", {**ENDPOINTS["/admin/user/add"][0], "role": "root"}, "unknown role"
    yield "/admin/user/modify", {"user_id": 3, "role": "root"}, "unknown role"
    yield "/admin/user/modify", {"user_id": 3, "password": "short"}, "short password"
    yield "/admin/user/modify", {"user_id": 999, "name": "ghost"}, "unknown user"
    yield "/admin/resource/modify", {"resource_id": 999, "name": "ghost"}, "unknown resource"
    yield "/session/password", {"current_password": "wrong", "new_password": "new-password-1"}, "wrong"
    yield "/session/password", {"current_password": USER_PASSWORD, "new_password": "short"}, "short"


FIELD_CASES = list(_field_cases())


RAW_BODIES = [
    ("no body", b""),
    ("malformed", b'{"resource_id": '),
    ("list", b"[1, 2]"),
    ("string", b'"resource_id"'),
    ("number", b"42"),
    ("null", b"null"),
    ("nan", b'{"resource_id": NaN}'),
]


def build_world(accounts):
    """A resource with a holder and a queue, and a client for every role."""
    bench, holder, _ = accounts.queue_of("bench-1", "holder", "waiting")
    assert bench == 1
    return {"admin": accounts.admin, "holder": holder}


@pytest.fixture(scope="module")
def app(module_app):
    """One application for the module's hundreds of cases: each is refused and changes nothing
    (each checks that), so every case meets the same world."""
    return module_app


@pytest.fixture(scope="module")
def world(app):
    return build_world(Accounts(app))


def snapshot(app):
    """Every row of every table, to prove a refused request changed nothing."""
    with app.app_context():
        return {table: db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
                for table in ("users", "resources", "reservations")}


def _client_for(path, world):
    return world["admin"] if path.startswith("/admin/") else world["holder"]


def _assert_refused(response, app, before):
    assert 400 <= response.status_code < 500, response.data[:300]
    body = response.get_json()
    assert isinstance(body, dict) and body.keys() >= {"error", "code"}, response.data[:300]
    assert body["error"] and body["code"].isupper()
    assert snapshot(app) == before


@pytest.mark.parametrize("path, body, case", FIELD_CASES,
                         ids=[f"{p}:{c}" for p, _, c in FIELD_CASES])
def test_bad_fields_are_refused(app, world, path, body, case):
    before = snapshot(app)
    _assert_refused(_client_for(path, world).post(path, json=body), app, before)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("case, raw", RAW_BODIES, ids=[c for c, _ in RAW_BODIES])
def test_bad_bodies_are_refused(app, world, path, case, raw):
    before = snapshot(app)
    response = _client_for(path, world).post(path, data=raw, content_type="application/json")
    _assert_refused(response, app, before)
    assert response.status_code == 400


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("content_type", ["text/plain", None, "application/xml"])
def test_posts_that_are_not_json_or_forms_are_refused(app, world, path, content_type):
    """A text/plain post is what a hostile page can send cross-site without a preflight."""
    before = snapshot(app)
    valid = json.dumps(ENDPOINTS[path][0])
    response = _client_for(path, world).post(path, data=valid, content_type=content_type)
    _assert_refused(response, app, before)
    assert response.status_code == 415


@pytest.mark.parametrize("path", ENDPOINTS)
def test_form_posts_without_csrf_token_are_refused(app, world, path):
    before = snapshot(app)
    response = _client_for(path, world).post(
        path, data={k: str(v) for k, v in ENDPOINTS[path][0].items()},
        headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_accepted_body_does_change_something(make_app):
    """The table's valid bodies are really valid, so 'nothing changed' above means something.
    It changes its world, so it builds one of its own."""
    app = make_app()
    world = build_world(Accounts(app))
    before = snapshot(app)
    response = world["admin"].post("/admin/resource/add", json=ENDPOINTS["/admin/resource/add"][0])
    assert response.status_code == 201
    assert snapshot(app) != before


@pytest.mark.parametrize("path", ENDPOINTS)
def test_unknown_fields_are_refused_by_name(app, world, path):
    """A misspelt optional field (`lease_secnds`) left out silently would change what the request
    does: the whole body is refused, naming the field."""
    before = snapshot(app)
    response = _client_for(path, world).post(path, json={**ENDPOINTS[path][0], "lease_secnds": 60})
    _assert_refused(response, app, before)
    assert response.status_code == 400
    assert response.json["code"] == "UNKNOWN_FIELD"
    assert "'lease_secnds'" in response.json["error"]
