"""A session's forms carry one CSRF token, signed once (backend/web/csrf_tokens.py); a new session
gets a new one, and no session's token works for another."""
import itertools

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf
from itsdangerous import TimestampSigner

from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.pages import HTML, csrf_token

pytestmark = pytest.mark.once


@pytest.fixture
def seconds_pass(monkeypatch):
    """Each token signed as if a second had passed since the last: tokens signed within one second
    are alike, so reusing one could not be told from signing again."""
    moments = itertools.count(1_800_000_000)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: next(moments))


def test_a_session_keeps_its_token_and_its_forms_work(accounts, seconds_pass):
    alice = accounts.user("alice")
    token = csrf_token(alice, "/")
    assert csrf_token(alice, "/session/password") == token
    assert csrf_token(alice, "/") == token
    response = alice.post("/session/logout", headers=HTML, data={"csrf_token": token})
    assert response.headers["Location"] == "/session/login"


def test_a_new_session_gets_a_new_token_and_the_old_one_is_refused(accounts):
    alice = accounts.user("alice")
    old = csrf_token(alice, "/")
    alice.post("/session/logout", headers=HTML, data={"csrf_token": old})
    alice.post("/session/login", json={"name": "alice", "password": USER_PASSWORD})
    assert csrf_token(alice, "/") != old
    assert alice.post("/session/logout", headers=HTML, data={"csrf_token": old}).status_code == 400
    assert alice.get("/", headers=HTML).status_code == 200  # still signed in


def test_two_sessions_of_one_person_do_not_share_tokens(accounts):
    on_laptop = accounts.user("alice")
    on_phone = accounts.login("alice")
    laptop_token = csrf_token(on_laptop, "/")
    assert csrf_token(on_phone, "/") != laptop_token
    assert on_phone.post("/session/logout", headers=HTML, data={"csrf_token": laptop_token}).status_code == 400
    assert on_phone.get("/", headers=HTML).status_code == 200


def test_a_token_signed_before_the_session_changed_is_not_kept(app, seconds_pass):
    """A view that shows a form and then starts a new session (none of Reservia's does both in one
    request yet): the token it signed is for the old session's secret, and is not kept for the new."""
    def sign_then_start_again():
        generate_csrf()
        session.clear()
        session["csrf_token"] = "the new session's secret"
        return ""

    app.add_url_rule("/test/sign-then-start-again", view_func=sign_then_start_again)
    browser = app.test_client()
    old = csrf_token(browser, "/session/login")
    browser.get("/test/sign-then-start-again")
    assert csrf_token(browser, "/session/login") != old
    response = browser.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(browser, "/session/login"), "name": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 302
