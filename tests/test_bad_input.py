"""Every POST endpoint refuses bad input with a 4xx JSON error and changes nothing."""
import json

import pytest
from sqlalchemy import text

from backend.extensions import db

# Endpoint -> (a body that would be accepted, its fields as "id" or "text").
ENDPOINTS = {
    "/session/login": ({"name": "admin", "password": "x"}, {"name": "text", "password": "text"}),
    "/admin/user/add": (
        {"name": "newbie", "email": "newbie@example.org", "password": "newbie-pass", "role": "user"},
        {"name": "text", "email": "text", "password": "text", "role": "text"}),
    "/admin/resource/add": ({"name": "new-bench", "comment": "c"}, {"name": "text", "comment": "text"}),
    "/reservation/request": ({"resource_id": 1}, {"resource_id": "id"}),
    "/reservation/cancel": ({"resource_id": 1}, {"resource_id": "id"}),
    "/reservation/release": ({"resource_id": 1}, {"resource_id": "id"}),
    "/reservation/keep_alive": ({"resource_id": 1}, {"resource_id": "id"}),
}

WRONG_IDS = ["1", 1.0, 1.5, True, False, None, -1, 0, 2**63, 2**64, [], {}, [1], {"id": 1}]
WRONG_TEXTS = [1, 1.5, True, None, [], {}, ["a"], "x" * 10_240]
OPTIONAL = {"comment", "role"}
NAME_ONLY = ["", "   ", "bad\x00name", "tab\tname", "x" * 81]

RAW_BODIES = [
    ("no body", b""),
    ("malformed", b'{"resource_id": '),
    ("list", b"[1, 2]"),
    ("string", b'"resource_id"'),
    ("number", b"42"),
    ("null", b"null"),
    ("nan", b'{"resource_id": NaN}'),
]


def _field_cases():
    for path, (valid, fields) in ENDPOINTS.items():
        for field, kind in fields.items():
            if field not in OPTIONAL:
                yield path, {k: v for k, v in valid.items() if k != field}, f"{field} missing"
            wrong = WRONG_IDS if kind == "id" else WRONG_TEXTS
            if path.startswith("/admin/") and field == "name":
                wrong = wrong + NAME_ONLY
            for value in wrong:
                if value is None and field in OPTIONAL:
                    continue  # optional fields may be null
                yield path, {**valid, field: value}, f"{field}={json.dumps(value)[:20]}"
    yield "/admin/user/add", {**ENDPOINTS["/admin/user/add"][0], "email": "not-an-email"}, "bad email"
    yield "/admin/user/add", {**ENDPOINTS["/admin/user/add"][0], "role": "root"}, "unknown role"


FIELD_CASES = list(_field_cases())


@pytest.fixture
def world(accounts, app):
    """A resource with a holder and a queue, and a client for every role."""
    bench = accounts.add_resource("bench-1")
    assert bench == 1
    holder, waiting = accounts.user("holder"), accounts.user("waiting")
    holder.post("/reservation/request", json={"resource_id": bench})
    waiting.post("/reservation/request", json={"resource_id": bench})
    return {"admin": accounts.admin, "holder": holder}


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


def test_accepted_body_does_change_something(app, world):
    """The table's valid bodies are really valid, so 'nothing changed' above means something."""
    before = snapshot(app)
    response = world["admin"].post("/admin/resource/add", json=ENDPOINTS["/admin/resource/add"][0])
    assert response.status_code == 201
    assert snapshot(app) != before
