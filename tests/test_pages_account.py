"""People's own pages: changing their password, and their reservation history with filters."""
import re

import pytest

from tests.conftest import USER_PASSWORD
from tests.old_databases import database_of_the_first_release
from tests.pages import HTML, csrf_token, refused_page, text

pytestmark = pytest.mark.once


def change_password(client, current, new, again=None):
    return client.post("/session/password", headers=HTML, data={
        "csrf_token": csrf_token(client, "/session/password"), "current_password": current,
        "new_password": new, "new_password_again": new if again is None else again, "next": "/"})


def test_password_page_needs_a_login(client):
    response = client.get("/session/password", headers=HTML)
    assert response.headers["Location"] == "/session/login?next=/session/password"


def test_changing_the_password_logs_out_the_other_sessions(accounts):
    alice = accounts.user("alice")
    other = accounts.login("alice")
    response = change_password(alice, USER_PASSWORD, "a-brand-new-password")
    assert response.headers["Location"] == "/"
    assert "Password changed; your other sessions were logged out." in text(alice.get("/", headers=HTML))
    assert other.get("/", headers=HTML).status_code == 302
    accounts.login("alice", "a-brand-new-password")


def test_wrong_current_password_is_shown_at_its_field(accounts):
    alice = accounts.user("alice")
    response = change_password(alice, "not-my-password", "a-brand-new-password")
    assert response.headers["Location"] == "/session/password"
    page = text(refused_page(alice, response))
    assert 'id="current_password-error">The current password is not right.</p>' in page
    assert "not-my-password" not in page and "a-brand-new-password" not in page
    accounts.login("alice")


def test_too_short_new_password_is_shown_at_its_field(accounts):
    alice = accounts.user("alice")
    page = text(refused_page(alice, change_password(alice, USER_PASSWORD, "short")))
    assert 'id="new_password-error">Field must be between 8 and 1024 characters long.</p>' in page


def test_default_password_banner_goes_once_the_admin_changes_it(tmp_path, make_app):
    url = database_of_the_first_release(tmp_path, users=(("admin", "admin", "admin"), ("carol", "user", "carol-pass")))
    app = make_app(RESERVIA_DATABASE_URL=url)
    admin = app.test_client()
    admin.post("/session/login", json={"name": "admin", "password": "admin"})
    assert "change it now" in text(admin.get("/session/password", headers=HTML))
    assert change_password(admin, "admin", "a-much-better-password").headers["Location"] == "/"
    assert "default password" not in text(admin.get("/", headers=HTML))


def test_weak_or_unchanged_new_passwords_are_shown_at_their_field(accounts):
    alice = accounts.user("alice")
    for new, message in (("password1", "Too easy to guess: this is a very common password."),
                         (USER_PASSWORD, "The new password must differ from the current one."),
                         ("ALICE   ", "The password must not be the user name."),
                         (" " * 12, "A password of spaces only is too easy to guess.")):
        page = text(refused_page(alice, change_password(alice, USER_PASSWORD, new)))
        assert f'id="new_password-error">{message}</p>' in page, page[-2000:]
    accounts.login("alice")


def _history(accounts):
    """alice: bench-1 released, bench-2 held, bench-1 again queued behind bob."""
    bench1, bench2 = accounts.add_resource("bench-1"), accounts.add_resource("bench-2")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench1})
    alice.post("/reservation/release", json={"resource_id": bench1})
    alice.post("/reservation/request", json={"resource_id": bench2})
    bob.post("/reservation/request", json={"resource_id": bench1})
    alice.post("/reservation/request", json={"resource_id": bench1})
    return alice, bench1


def rows(page):
    return re.findall(r'data-label="Resource">([^<]+)</th>.*?data-label="State"><span class="badge '
                      r'badge-\w+">(\w+)', page, re.S)


def test_history_lists_only_my_reservations_newest_first(accounts):
    alice, _ = _history(accounts)
    page = text(alice.get("/reservation/mine", headers=HTML))
    assert rows(page) == [("bench-1", "requested"), ("bench-2", "approved"), ("bench-1", "released")]


def test_history_filters_by_resource_and_state(accounts):
    alice, bench1 = _history(accounts)
    page = text(alice.get(f"/reservation/mine?resource_id={bench1}", headers=HTML))
    assert rows(page) == [("bench-1", "requested"), ("bench-1", "released")]
    page = text(alice.get("/reservation/mine?state=released", headers=HTML))
    assert rows(page) == [("bench-1", "released")]
    assert '<option selected value="released">' in page
    assert re.search(r'href="/reservation/history/export\?user_id=\d+&state=released"', page)


def test_history_filters_by_dates(accounts):
    alice, _ = _history(accounts)
    assert rows(text(alice.get("/reservation/mine?until=2020-01-01", headers=HTML))) == []
    assert len(rows(text(alice.get("/reservation/mine?since=2020-01-01", headers=HTML)))) == 3


def test_invalid_filter_is_shown_at_its_field(accounts):
    alice, _ = _history(accounts)
    response = alice.get("/reservation/mine?since=2026-11-20&until=2026-11-10", headers=HTML)
    assert response.status_code == 200
    assert 'id="until-error">Must not be before the start date.</p>' in text(response)


def test_history_is_paginated(accounts, app):
    app.config["RESERVIA_PAGE_SIZE"] = 2
    alice, _ = _history(accounts)
    first = text(alice.get("/reservation/mine?state=", headers=HTML))
    assert len(rows(first)) == 2 and "Page 1 of 2" in first
    assert 'href="/reservation/mine?page=2"' in first
    second = text(alice.get("/reservation/mine?page=2", headers=HTML))
    assert rows(second) == [("bench-1", "released")]
    assert 'rel="prev" href="/reservation/mine?page=1"' in second


def test_users_see_only_their_own_history_whatever_they_ask(accounts):
    _history(accounts)
    bob = accounts.login("bob")
    page = text(bob.get("/reservation/mine?user=all", headers=HTML))
    assert rows(page) == [("bench-1", "approved")]
    assert 'id="user"' not in page
    assert 'href="/reservation/history/export?user_id=' in page


def test_administrators_choose_whose_history_they_see(accounts):
    _history(accounts)
    admin = accounts.admin
    own = text(admin.get("/reservation/mine", headers=HTML))
    assert "<h1>My reservations</h1>" in own and rows(own) == []
    everyone = text(admin.get("/reservation/mine?user=all", headers=HTML))
    assert "<h1>Reservations</h1>" in everyone
    assert len(rows(everyone)) == 4
    assert 'data-label="User">bob</td>' in everyone
    assert 'href="/reservation/history/export"' in everyone
    bob_id = next(u["id"] for u in admin.get("/info/users").json["users"] if u["name"] == "bob")
    bobs = text(admin.get(f"/reservation/mine?user={bob_id}", headers=HTML))
    assert 'data-label="User">bob</td>' in bobs and 'data-label="User">alice</td>' not in bobs
    assert f'href="/reservation/history/export?user_id={bob_id}"' in bobs


def test_csv_link_exports_what_the_page_shows(accounts):
    alice, bench1 = _history(accounts)
    page = text(alice.get(f"/reservation/mine?resource_id={bench1}&since=2020-01-01&until=2099-12-31",
                          headers=HTML))
    link = re.search(r'href="(/reservation/history/export[^"]*)"', page).group(1)
    export = alice.get(link)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 1 + len(rows(page)) == 3
