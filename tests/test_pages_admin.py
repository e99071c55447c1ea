"""Admin pages: the users and resources lists, their add forms, and who may open them."""
import html
import re

import pytest

from tests.pages import HTML, csrf_token, refused_page

pytestmark = pytest.mark.once


def field_error(page, field_id):
    """The message shown under one form field, or None."""
    match = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else None


@pytest.mark.parametrize("path", ["/admin/users", "/admin/resources"])
def test_users_cannot_open_admin_pages(user_client, path):
    response = user_client.get(path, headers=HTML)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Administrators only." in page
    assert 'class="site-header"' in page  # in the site's layout


def test_users_page_lists_users_with_their_roles(accounts):
    accounts.add_user("alice")
    accounts.add_user("olga", role="admin")
    page = accounts.admin.get("/admin/users", headers=HTML).get_data(as_text=True)
    rows = re.findall(r'data-label="Name"><a [^>]*>([^<]+)</a></th>'
                      r'.*?data-label="Role"><span[^>]*>(\w+)', page, re.S)
    assert rows == [("admin", "Administrator"), ("alice", "User"), ("olga", "Administrator")]


def test_add_user_form_creates_the_user_and_returns_to_the_list(accounts):
    admin = accounts.admin
    response = admin.post("/admin/user/add", headers=HTML, data={
        "csrf_token": csrf_token(admin, "/admin/users"), "next": "/admin/users", "name": "dora",
        "email": "dora@example.org", "password": "a-long-password", "role": "user"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    page = admin.get("/admin/users", headers=HTML).get_data(as_text=True)
    assert "User created successfully" in page and "dora@example.org" in page
    accounts.login("dora", "a-long-password")


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "email": "e@example.org", "password": "long-enough"}, "name", "This field is required."),
    ({"name": "erin", "email": "not-an-email", "password": "long-enough"}, "email", "Invalid email address."),
    ({"name": "erin", "email": "e@example.org", "password": "short"}, "password",
     "Field must be between 8 and 1024 characters long."),
    ({"name": "alice", "email": "e@example.org", "password": "long-enough"}, "name",
     "A user named 'alice' already exists."),
    ({"name": "erin", "email": "alice@example.org", "password": "long-enough"}, "email",
     "The email 'alice@example.org' is already in use."),
])
def test_refused_user_form_shows_the_message_at_its_field(accounts, data, field, message):
    accounts.add_user("alice")
    admin = accounts.admin
    response = admin.post("/admin/user/add", headers=HTML,
                          data={"csrf_token": csrf_token(admin, "/admin/users"), "next": "/admin/users#add-user",
                                **data})
    assert response.headers["Location"] == "/admin/users#add-user"
    page = refused_page(admin, response).get_data(as_text=True)
    assert field_error(page, field) == message
    assert 'aria-invalid="true"' in page
    assert 'value="long-enough"' not in page  # the password is never sent back
    users = admin.get("/info/users").json["users"]
    assert [u["name"] for u in users] == ["admin", "alice"]


def test_resources_page_shows_holder_and_queue_length(accounts):
    bench = accounts.add_resource("bench-1", "the fast one")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": bench})
    page = accounts.admin.get("/admin/resources", headers=HTML).get_data(as_text=True)
    row = re.search(r'data-label="Name"><a href="/admin/resources/\d+">bench-1</a></th>.*?</tr>',
                    page, re.S).group(0)
    assert "the fast one" in row
    assert re.search(r'data-label="Held by">alice', row)
    assert '<td data-label="Queue">1</td>' in row


def test_add_resource_form_and_a_duplicate_name_at_its_field(accounts):
    admin = accounts.admin
    data = {"csrf_token": csrf_token(admin, "/admin/resources"), "name": "bench-1",
            "comment": "by the window", "next": "/admin/resources"}
    assert admin.post("/admin/resource/add", headers=HTML, data=data).status_code == 302
    page = admin.get("/admin/resources", headers=HTML).get_data(as_text=True)
    assert "Resource created successfully" in page and "by the window" in page

    again = admin.post("/admin/resource/add", headers=HTML, data=data)
    shown = refused_page(admin, again)
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert field_error(page, "name") == "A resource named 'bench-1' already exists."
    assert "by the window</textarea>" in page  # what was typed is kept
    assert admin.get("/info/resources").json["count"] == 1
    # Shown once: reloading the page shows the empty form, and posts nothing.
    assert field_error(admin.get("/admin/resources", headers=HTML).get_data(as_text=True), "name") is None


def test_admin_form_with_a_wrong_csrf_token_is_refused_and_changes_nothing(accounts):
    admin = accounts.admin
    csrf_token(admin, "/admin/resources")
    response = admin.post("/admin/resource/add", headers=HTML,
                          data={"csrf_token": "forged", "name": "bench-1"})
    assert response.status_code == 400
    assert admin.get("/info/resources").json["count"] == 0


def test_json_clients_still_get_json_errors_from_the_add_endpoints(admin_client):
    response = admin_client.post("/admin/resource/add", json={"name": ""})
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_INPUT"


def test_user_posting_an_admin_form_is_refused(accounts):
    alice = accounts.user("alice")
    token = csrf_token(alice, "/")
    response = alice.post("/admin/resource/add", headers=HTML, data={"csrf_token": token, "name": "x"})
    assert response.status_code == 302
    assert "Administrators only." in alice.get("/", headers=HTML).get_data(as_text=True)
    assert accounts.admin.get("/info/resources").json["count"] == 0
