"""Logging in and out, session status, and what a copied cookie is worth after logout."""
from pathlib import Path

import pytest

from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD

pytestmark = pytest.mark.once


def test_login_answers_with_the_user(accounts, client):
    accounts.add_user("alice")
    response = client.post("/session/login", json={"name": "alice", "password": USER_PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body["message"] == "Login successful"
    assert body["user_name"] == "alice" and body["role"] == "user" and body["user_id"] > 1


def test_unknown_user_and_wrong_password_look_the_same(accounts, client):
    accounts.add_user("alice")
    unknown = client.post("/session/login", json={"name": "nobody", "password": "whatever"})
    wrong = client.post("/session/login", json={"name": "alice", "password": "wrong-password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json == wrong.json


def test_status_reports_who_is_logged_in(admin_client, client):
    assert client.get("/session/status").json == {"logged_in": False}
    status = admin_client.get("/session/status").json
    assert status["logged_in"] is True
    assert status["user_name"] == "admin" and status["role"] == "admin"
    assert "user_email" in status and "user_id" in status


def test_cookie_copied_before_logout_is_refused_afterwards(accounts, app):
    accounts.add_user("alice")
    client = accounts.login("alice")
    cookie = client.get_cookie("reservia_session")
    thief = app.test_client()
    thief.set_cookie("reservia_session", cookie.value)
    assert thief.get("/info/resources").status_code == 200

    assert client.post("/session/logout", json={}).json == {"message": "Logout successful"}
    assert client.get("/info/resources").status_code == 401
    assert thief.get("/info/resources").status_code == 401
    assert thief.get("/session/status").json == {"logged_in": False}


def test_altered_cookie_is_refused_even_after_the_genuine_one_was_accepted(accounts, app):
    """Checked cookies are remembered by their exact text: one changed character is a stranger."""
    accounts.add_user("alice")
    client = accounts.login("alice")
    genuine = client.get_cookie("reservia_session").value
    assert client.get("/info/resources").status_code == 200
    payload, _, signature = genuine.rpartition(".")
    # A middle character: every bit of it counts (the last base64 character may carry spare bits).
    for forged in (payload + "." + _other_letter_at(signature, len(signature) // 2),
                   _other_letter_at(payload, len(payload) // 2) + "." + signature):
        thief = app.test_client()
        thief.set_cookie("reservia_session", forged)
        assert thief.get("/info/resources").status_code == 401
        assert thief.get("/session/status").json == {"logged_in": False}
    assert client.get("/info/resources").status_code == 200


def _other_letter_at(text, index):
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def test_logout_of_one_session_keeps_the_others(accounts):
    accounts.add_user("alice")
    laptop, ci_job = accounts.login("alice"), accounts.login("alice")
    laptop.post("/session/logout", json={})
    assert ci_job.get("/info/resources").status_code == 200


def test_session_cookie_is_httponly_and_samesite(accounts, client):
    response = client.post("/session/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    cookie_header = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie_header
    assert "SameSite=Lax" in cookie_header


def test_password_is_never_echoed_or_stored_in_clear(accounts, app):
    accounts.add_user("alice", password="a-secret-pass")
    from backend.database import get_database

    with app.app_context():
        user = get_database().users.named("alice")
        assert "a-secret-pass" not in user.password_hash
        assert user.password_hash.startswith("pbkdf2:")
    log_text = Path(app.config["RESERVIA_LOG_FILE"]).read_text(encoding="utf-8")
    assert "a-secret-pass" not in log_text


def test_inactive_user_cannot_log_in(accounts, app, client):
    accounts.add_user("alice")
    from backend.database import get_database
    from backend.extensions import db

    with app.app_context():
        user = get_database().users.named("alice")
        user.active = False
        db.session.commit()
    response = client.post("/session/login", json={"name": "alice", "password": USER_PASSWORD})
    assert response.status_code == 401
