"""The audit log's pages: the administrators' page with its filters, and each person's own
security events on their account page."""
import pytest

from tests.conftest import USER_PASSWORD
from tests.pages import HTML, post_form, text

pytestmark = pytest.mark.once


def test_the_admin_page_lists_entries_newest_first_with_the_same_filters(app, accounts):
    accounts.add_resource("bench-1")
    alice_id = accounts.add_user("alice")
    post_form(accounts.admin, "/admin/user/modify", f"/admin/users/{alice_id}", user_id=alice_id, role="admin")
    page = accounts.admin.get("/admin/audit", headers=HTML)
    assert page.status_code == 200
    assert 'href="/admin/audit" aria-current="page">Audit log</a>' in text(page)
    shown = text(page).split("<tbody>")[1]
    assert shown.index("user.modify") < shown.index("user.create") < shown.index("resource.create")
    assert "page · 127.0.0.1" in shown  # the form post, and where it came from
    assert '{"role":["user","admin"]}' in shown
    filtered = text(accounts.admin.get("/admin/audit?action=resource.create", headers=HTML))
    assert "bench-1" in filtered and "alice" not in filtered.split("<tbody>")[1]
    assert 'href="/admin/audit.csv?action=resource.create"' in filtered


def test_a_bad_filter_on_the_page_is_a_message_not_an_error(admin_client):
    page = admin_client.get("/admin/audit?from=last+week", headers=HTML)
    assert page.status_code == 400
    assert "from must be an ISO 8601 date or date and time" in text(page)
    assert 'value="last week"' in text(page)


def test_the_account_page_shows_ones_own_security_events(app, accounts, clock):
    accounts.add_user("alice")
    app.test_client().post("/session/login", json={"name": "alice", "password": "not-it"},
                           environ_base={"REMOTE_ADDR": "10.1.2.3"})
    alice = app.test_client()
    alice.post("/session/login", json={"name": "alice", "password": USER_PASSWORD},
               environ_base={"REMOTE_ADDR": "10.1.2.3"})
    page = text(alice.get("/session/password", headers=HTML))
    assert "Recent security events on your account" in page
    assert "Signed in from 10.1.2.3, <time" in page
    assert "A sign-in with a wrong password from 10.1.2.3" in page
    assert 'data-show="weekday"' in page and ">Wed 25 Nov, 09:00 UTC</time>" in page
    # The administrator's own sign-ins are not alice's.
    assert page.count("Signed in") == 1


def test_a_users_and_a_resources_pages_lead_to_their_changes(accounts):
    alice_id, bench = accounts.add_user("alice"), accounts.add_resource("bench-1")
    user_page = text(accounts.admin.get(f"/admin/users/{alice_id}", headers=HTML))
    assert f'href="/admin/audit?object_type=user&object_id={alice_id}">Changes to this account</a>' in user_page
    resource_page = text(accounts.admin.get(f"/admin/resources/{bench}", headers=HTML))
    link = f"/admin/audit?object_type=resource&object_id={bench}"
    assert f'href="{link}">Changes to this resource</a>' in resource_page
    assert "resource.create" in text(accounts.admin.get(link, headers=HTML)).split("<tbody>")[1]
