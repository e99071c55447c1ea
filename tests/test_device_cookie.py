"""A browser that has signed in as a user before keeps getting in while others' guesses lock the
name (OWASP's device cookies), and is held back by its own guesses."""
from datetime import datetime, timezone

import pytest

from tests.conftest import USER_PASSWORD
from tests.pages import HTML, csrf_token

pytestmark = pytest.mark.once

START = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)
ELSEWHERE = "203.0.113.66"


def log_in(client, password=USER_PASSWORD, name="alice", address="192.0.2.10"):
    return client.post("/session/login", json={"name": name, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def guess(app, times, name="alice", address=ELSEWHERE):
    """Wrong passwords for `name` from browsers that never signed in; the answers' statuses."""
    return [log_in(app.test_client(), f"guess-{n}", name, address).status_code for n in range(times)]


def test_a_browser_that_signed_in_before_is_not_locked_out_by_guesses_from_elsewhere(app, accounts, clock):
    accounts.add_user("alice")
    laptop = app.test_client()
    assert log_in(laptop).status_code == 200
    assert guess(app, 6) == [401] * 5 + [429]
    assert log_in(app.test_client()).status_code == 429  # the name stays locked for everyone else
    assert log_in(laptop).status_code == 200
    assert laptop.get("/session/status").json["user_name"] == "alice"


def test_the_device_cookie_is_signed_http_only_lax_and_kept_for_half_a_year(app, accounts, clock):
    accounts.add_user("alice")
    answer = log_in(app.test_client())
    [cookie] = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("reservia_device=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert f"Max-Age={180 * 24 * 3600}" in cookie and "Secure" not in cookie
    over_https = app.test_client().post("/session/login", json={"name": "alice", "password": USER_PASSWORD},
                                        base_url="https://localhost")
    assert any(c.startswith("reservia_device=") and "Secure" in c for c in over_https.headers.getlist("Set-Cookie"))


def test_guesses_from_a_signed_in_browser_lock_that_browser_only(app, accounts, clock):
    accounts.add_user("alice")
    laptop = app.test_client()
    assert log_in(laptop).status_code == 200
    assert [log_in(laptop, f"guess-{n}").status_code for n in range(5)] == [401] * 5
    refused = log_in(laptop)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    assert refused.json["error"] == ("Too many failed logins for this user name on this browser: "
                                     "try again in 30 seconds.")
    assert log_in(app.test_client()).status_code == 200  # the name itself was not locked
    clock.advance(seconds=30)
    assert log_in(laptop).status_code == 200


def test_a_forged_or_foreign_device_cookie_counts_for_nothing(app, accounts, clock):
    accounts.add_user("alice")
    accounts.add_user("bob")
    assert guess(app, 5) == [401] * 5
    forged = app.test_client()
    forged.set_cookie("reservia_device", "eyJ1IjoyLCJzIjoiIiwiZCI6IngifQ.forged.signature")
    assert log_in(forged).status_code == 429
    bobs = app.test_client()
    assert log_in(bobs, name="bob").status_code == 200
    assert log_in(bobs).status_code == 429  # it vouches for bob, not for alice


def test_a_new_password_ends_other_browsers_device_cookies(app, accounts, clock):
    """Like the password change ends other sessions; the browser that changed it keeps its own."""
    accounts.add_user("alice")
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop).status_code == 200 and log_in(phone).status_code == 200
    changed = phone.post("/session/password", json={"current_password": USER_PASSWORD,
                                                    "new_password": "a-brand-new-secret-7"})
    assert changed.status_code == 200
    assert guess(app, 5) == [401] * 5
    assert log_in(laptop, "a-brand-new-secret-7").status_code == 429
    assert log_in(phone, "a-brand-new-secret-7").status_code == 200


def test_the_login_page_sets_the_device_cookie_too(app, accounts, clock):
    accounts.add_user("alice")
    browser = app.test_client()
    answer = browser.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(browser, "/session/login"), "name": "alice", "password": USER_PASSWORD})
    assert answer.status_code == 302
    browser.post("/session/logout", json={})
    assert guess(app, 5) == [401] * 5
    assert log_in(browser).status_code == 200
