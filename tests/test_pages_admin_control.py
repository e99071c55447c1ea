"""Admin pages for changing and retiring users and resources and ending other people's reservations."""
import re

import pytest

from tests.conftest import users_by_name
from tests.pages import HTML, post_form, refused_page, text

pytestmark = pytest.mark.once


def test_user_page_shows_the_form_filled_in_and_recent_reservations(accounts):
    alice_id = accounts.add_user("alice")
    bench = accounts.add_resource("bench-1")
    accounts.login("alice").post("/reservation/request", json={"resource_id": bench})
    page = text(accounts.admin.get(f"/admin/users/{alice_id}", headers=HTML))
    assert re.search(r'<input [^>]*id="name"[^>]* value="alice"', page)
    assert 'value="alice@example.org"' in page
    assert re.search(r'<input [^>]*checked id="active"', page)
    assert re.search(r'data-label="Resource">bench-1</th>\s*<td data-label="State"><span class="badge '
                     r'badge-approved">approved', page)


def test_unknown_user_page_is_404(admin_client):
    assert admin_client.get("/admin/users/999", headers=HTML).status_code == 404


def test_change_user_through_the_form(accounts):
    alice_id = accounts.add_user("alice")
    admin = accounts.admin
    page = f"/admin/users/{alice_id}"
    response = post_form(admin, "/admin/user/modify", page, user_id=alice_id, name="alice2",
                         email="alice2@example.org", password="", role="admin", active="y",
                         next=page)
    assert response.headers["Location"] == page
    users = users_by_name(admin)
    assert users["alice2"]["role"] == "admin" and users["alice2"]["email"] == "alice2@example.org"
    accounts.login("alice2")  # an empty password box kept the password


def test_unticking_active_deactivates_the_user(accounts):
    alice_id = accounts.add_user("alice")
    page = f"/admin/users/{alice_id}"
    post_form(accounts.admin, "/admin/user/modify", page, user_id=alice_id, name="alice",
              email="alice@example.org", role="user", active="false", next=page)
    response = accounts.admin.get(page, headers=HTML)
    assert "deactivated: cannot log in" in text(response)
    assert accounts.app.test_client().post(
        "/session/login", json={"name": "alice", "password": "user-password-1"}).status_code == 401


def test_refused_change_shows_the_message_at_the_field(accounts):
    accounts.add_user("bob")
    alice_id = accounts.add_user("alice")
    page = f"/admin/users/{alice_id}"
    response = post_form(accounts.admin, "/admin/user/modify", page, user_id=alice_id, name="bob",
                         email="alice@example.org", role="user", active="y", next=page)
    body = text(refused_page(accounts.admin, response))
    assert re.search(r'id="name-error">A user named .bob. already exists.</p>', body)
    assert "<h1>alice</h1>" in body


def test_deleting_a_user_with_history_deactivates_them(accounts):
    alice_id = accounts.add_user("alice")
    bench = accounts.add_resource("bench-1")
    alice = accounts.login("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    alice.post("/reservation/release", json={"resource_id": bench})
    response = post_form(accounts.admin, "/admin/user/delete", f"/admin/users/{alice_id}",
                         user_id=alice_id, next="/admin/users")
    assert response.headers["Location"] == "/admin/users"
    page = text(accounts.admin.get("/admin/users", headers=HTML))
    assert "User deactivated: their history is kept." in page
    assert re.search(r'<tr class="inactive">\s*<th scope="row" data-label="Name"><a [^>]*>alice</a>', page)


def test_maintenance_toggle_on_the_resources_list(accounts):
    bench = accounts.add_resource("bench-1")
    admin = accounts.admin
    page = text(admin.get("/admin/resources", headers=HTML))
    assert "Start maintenance<span class=\"visually-hidden\"> of bench-1</span>" in page
    post_form(admin, "/admin/resource/modify", "/admin/resources", resource_id=bench,
              maintenance="y", next="/admin/resources")
    assert admin.get("/info/resources").json["resources"][0]["maintenance"] is True
    page = text(admin.get("/admin/resources", headers=HTML))
    assert "End maintenance" in page
    post_form(admin, "/admin/resource/modify", "/admin/resources", resource_id=bench,
              maintenance="false", next="/admin/resources")
    assert admin.get("/info/resources").json["resources"][0]["maintenance"] is False


def test_maintenance_shows_on_the_dashboard_and_the_queue_waits(accounts):
    bench = accounts.add_resource("bench-1")
    admin = accounts.admin
    post_form(admin, "/admin/resource/modify", "/admin/resources", resource_id=bench, maintenance="y")
    alice = accounts.user("alice")
    assert "You would wait in the queue until maintenance is over." in text(alice.get("/", headers=HTML))
    alice.post("/reservation/request", json={"resource_id": bench})
    page = text(alice.get("/", headers=HTML))
    assert '<span class="pill pill-maintenance">Maintenance</span>' in page
    assert "You are <strong>position 1</strong> in the queue." in page


def test_force_release_with_a_reason_kept_in_the_history(accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    page = f"/admin/resources/{bench}"
    assert "Held by <strong>alice</strong>" in text(accounts.admin.get(page, headers=HTML))
    response = post_form(accounts.admin, "/admin/reservation/force_release", page,
                         resource_id=bench, reason="left for the day", next=page)
    assert response.headers["Location"] == page
    admin_page = text(accounts.admin.get(page, headers=HTML))
    assert "Hold ended. bob now holds it." in admin_page
    assert "Held by <strong>bob</strong>" in admin_page
    assert "left for the day" in text(alice.get("/reservation/mine", headers=HTML))


def test_remove_a_queued_request_with_a_reason(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    queued = bob.post("/reservation/request", json={"resource_id": bench}).json["reservation_id"]
    page = f"/admin/resources/{bench}"
    assert f'<label for="reason-{queued}">Reason for removing bob</label>' in text(
        accounts.admin.get(page, headers=HTML))
    post_form(accounts.admin, "/admin/reservation/remove", page, reservation_id=queued,
              reason="duplicate request", next=page)
    assert "Nobody waits." in text(accounts.admin.get(page, headers=HTML))
    mine = text(bob.get("/reservation/mine", headers=HTML))
    assert "duplicate request" in mine and "badge-cancelled" in mine


def test_deleting_a_busy_resource_is_refused_with_a_flash(accounts):
    bench = accounts.add_resource("bench-1")
    accounts.user("alice").post("/reservation/request", json={"resource_id": bench})
    response = post_form(accounts.admin, "/admin/resource/delete", f"/admin/resources/{bench}",
                         resource_id=bench, next="/admin/resources")
    assert response.status_code == 302
    page = text(accounts.admin.get("/admin/resources", headers=HTML))
    assert re.search(r'flash-error" role="alert">.bench-1. is held or has a queue', page)
    assert accounts.admin.get("/info/resources").json["count"] == 1


def test_refused_resource_change_shows_the_message_at_the_field(accounts):
    accounts.add_resource("bench-1")
    bench2 = accounts.add_resource("bench-2")
    page = f"/admin/resources/{bench2}"
    response = post_form(accounts.admin, "/admin/resource/modify", page, resource_id=bench2,
                         name="bench-1", comment="", maintenance="false", active="y", next=page)
    assert re.search(r'id="name-error">A resource named .bench-1. already exists.</p>',
                     text(refused_page(accounts.admin, response)))


def test_users_cannot_open_the_admin_detail_pages(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    assert alice.get(f"/admin/resources/{bench}", headers=HTML).status_code == 403
    assert alice.get("/admin/users/1", headers=HTML).status_code == 403


def test_tampered_id_in_a_change_form_is_a_clear_refusal(accounts):
    admin = accounts.admin
    response = post_form(admin, "/admin/user/modify", "/admin/users", user_id="abc", name="x",
                         next="/admin/users")
    assert response.status_code == 302
    assert re.search(r'flash-error" role="alert">User: ', text(admin.get("/admin/users", headers=HTML)))
