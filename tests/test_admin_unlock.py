"""An administrator clears a user's login lock, from a script or the user's page: one action, one URL."""
import re
from datetime import datetime, timezone

import pytest

from tests.conftest import USER_PASSWORD
from tests.pages import HTML, post_form, text

START = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)


def log_in(app, password, address="203.0.113.66"):
    return app.test_client().post("/session/login", json={"name": "alice", "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def lock_alice(app):
    for n in range(5):
        assert log_in(app, f"guess-{n}").status_code == 401
    assert log_in(app, USER_PASSWORD).status_code == 429


def test_an_administrator_clears_a_lock_with_json(app, accounts, clock):
    alice_id = accounts.add_user("alice")
    lock_alice(app)
    answer = accounts.admin.post("/admin/user/unlock", json={"user_id": alice_id})
    assert answer.status_code == 200
    assert answer.json == {"message": "Login lock of alice cleared: they can log in again at once.",
                           "user_id": alice_id}
    assert log_in(app, USER_PASSWORD).status_code == 200
    again = accounts.admin.post("/admin/user/unlock", json={"user_id": alice_id})
    assert again.json["message"] == "alice had no failed logins counted: nothing to clear."


@pytest.mark.parametrize("body, status, code", [
    ({"user_id": 9999}, 404, "USER_NOT_FOUND"),
    ({}, 400, "INVALID_INPUT"),
    ({"user_id": "two"}, 400, "INVALID_TYPE"),
])
def test_unlocking_nobody_is_refused(admin_client, body, status, code):
    answer = admin_client.post("/admin/user/unlock", json=body)
    assert (answer.status_code, answer.json["code"]) == (status, code)


def test_only_administrators_may_clear_a_lock(app, accounts, clock):
    alice_id = accounts.add_user("alice")
    lock_alice(app)
    bob = accounts.user("bob")
    assert bob.post("/admin/user/unlock", json={"user_id": alice_id}).status_code == 403
    assert app.test_client().post("/admin/user/unlock", json={"user_id": alice_id}).status_code == 401
    assert log_in(app, USER_PASSWORD).status_code == 429


def test_the_users_page_shows_the_lock_and_clears_it(app, accounts, clock):
    alice_id = accounts.add_user("alice")
    page = f"/admin/users/{alice_id}"
    assert "No failed logins counted: alice may log in." in text(accounts.admin.get(page, headers=HTML))
    lock_alice(app)
    shown = text(accounts.admin.get(page, headers=HTML))
    assert re.search(r'Login locked until <time datetime="2026-11-29T09:00:30\+00:00"[^>]*>09:00 UTC</time>: '
                     r'5 failed logins counted.', shown)
    assert re.search(r'<form method="post" action="/admin/user/unlock">.*?<button [^>]*>Clear login lock</button>',
                     shown, re.S)
    answer = post_form(accounts.admin, "/admin/user/unlock", page, user_id=alice_id, next=page + "#login-lock")
    assert answer.status_code == 302 and answer.headers["Location"] == page + "#login-lock"
    after = text(accounts.admin.get(page, headers=HTML))
    assert "Login lock of alice cleared: they can log in again at once." in after
    assert "No failed logins counted" in after
    assert log_in(app, USER_PASSWORD).status_code == 200


def test_the_form_without_its_csrf_token_changes_nothing(app, accounts, clock):
    alice_id = accounts.add_user("alice")
    lock_alice(app)
    refused = accounts.admin.post("/admin/user/unlock", headers=HTML, data={"user_id": alice_id})
    assert refused.status_code == 400
    assert log_in(app, USER_PASSWORD).status_code == 429
