"""Logging in and out in a browser, the default-password banner, and error pages in the layout."""
import html
import re

import pytest

from tests.conftest import USER_PASSWORD
from tests.old_databases import database_of_the_first_release
from tests.pages import HTML, csrf_token

pytestmark = pytest.mark.once


def log_in(client, name, password, next_url=""):
    return client.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(client, "/session/login"), "name": name, "password": password, "next": next_url})


def test_login_page_labels_every_field(client):
    page = client.get("/session/login", headers=HTML).get_data(as_text=True)
    assert '<html lang="en">' in page
    for field_id in ("name", "password"):
        assert re.search(rf'<label for="{field_id}">', page)
        assert re.search(rf'<input[^>]*id="{field_id}"', page)
    assert '<button type="submit" class="button button-primary button-wide">Log in</button>' in page


def test_wrong_password_is_shown_at_the_field_and_the_name_is_kept(accounts, client):
    accounts.add_user("alice")
    response = log_in(client, "alice", "wrong-password")
    assert response.status_code == 401
    page = html.unescape(response.get_data(as_text=True))
    assert re.search(r'id="password-error">Invalid user name or password.</p>', page)
    assert 'value="alice"' in page
    assert "wrong-password" not in page


def test_empty_name_is_shown_at_its_field(client):
    page = log_in(client, "", "whatever").get_data(as_text=True)
    assert 'id="name-error">This field is required.</p>' in page


def test_login_goes_back_to_the_page_the_user_came_from(accounts, client):
    accounts.add_user("alice")
    to_login = client.get("/reservation/mine?page=2", headers=HTML).headers["Location"]
    page = client.get(to_login, headers=HTML).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/reservation/mine?page=2"' in page
    response = log_in(client, "alice", USER_PASSWORD, "/reservation/mine?page=2")
    assert response.headers["Location"] == "/reservation/mine?page=2"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                      "javascript:alert(1)"])
def test_login_never_sends_the_user_off_site(accounts, client, next_url):
    accounts.add_user("alice")
    response = log_in(client, "alice", USER_PASSWORD, next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_is_a_button_that_ends_the_session(user_client):
    page = user_client.get("/", headers=HTML).get_data(as_text=True)
    assert re.search(r'<form method="post" action="/session/logout"[^>]*>\s*<input type="hidden" '
                     r'name="csrf_token"', page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = user_client.post("/session/logout", headers=HTML, data={"csrf_token": token})
    assert response.headers["Location"] == "/session/login"
    assert user_client.get("/", headers=HTML).status_code == 302


def test_logout_without_a_valid_token_keeps_the_user_logged_in(user_client):
    csrf_token(user_client, "/")
    response = user_client.post("/session/logout", headers=HTML, data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert user_client.get("/", headers=HTML).status_code == 200


def test_banner_warns_the_administrator_while_the_default_password_is_in_use(tmp_path, make_app):
    """A database from before generated first passwords, whose administrator kept "admin"."""
    url = database_of_the_first_release(tmp_path, users=(("admin", "admin", "admin"), ("carol", "user", "carol-pass")))
    app = make_app(RESERVIA_DATABASE_URL=url)
    client = app.test_client()
    log_in(client, "admin", "admin")
    page = client.get("/session/password", headers=HTML).get_data(as_text=True)
    assert "still has the old default password" in page
    carol = app.test_client()
    log_in(carol, "carol", "carol-pass")
    assert "default password" not in carol.get("/", headers=HTML).get_data(as_text=True)


def test_no_banner_once_the_password_is_changed(accounts):
    assert "still has the old default password" not in accounts.admin.get("/", headers=HTML).get_data(as_text=True)


def test_unknown_page_is_a_404_in_the_layout(user_client):
    response = user_client.get("/no/such/page", headers=HTML)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page and 'class="site-header"' in page


def test_server_error_is_a_500_page_in_the_layout(app, user_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.extensions["reservia_database"].boards, "all", broken)
    response = user_client.get("/", headers=HTML)
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<h1>Something went wrong</h1>" in page and 'class="site-header"' in page
    assert "a bug" not in page
