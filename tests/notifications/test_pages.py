"""The Notifications page: preferences and webhooks from a browser form, with CSRF and messages."""
import re

import pytest

from tests.notifications.conftest import add_webhook
from tests.pages import HTML, csrf_token, text

pytestmark = pytest.mark.once

URL = "http://ci.example.org/hooks/reservia"
PAGE = "/session/notifications"


def post_form(client, path, data):
    return client.post(path, headers=HTML, data={"csrf_token": csrf_token(client, PAGE), "next": PAGE, **data})


def test_the_page_shows_preferences_and_is_linked_from_every_page(clock, accounts):
    alice = accounts.user("alice")
    page = text(alice.get(PAGE, headers=HTML))
    assert "<h1>Notifications</h1>" in page
    assert re.search(r'id="granted_email" name="granted_email" value="y" checked', page)
    assert re.search(r'id="ended_email" name="ended_email" value="y">', page)
    assert "resource_changed" not in page
    assert "E-mail is not set up on this Reservia" in page
    assert f'href="{PAGE}"' in text(alice.get("/", headers=HTML))


def test_preferences_are_saved_from_the_form(clock, accounts):
    alice = accounts.user("alice")
    # Ticked boxes send "y" before their hidden "false"; unticked ones only "false".
    response = post_form(alice, PAGE, {"granted_email": ["false"], "ended_email": ["y", "false"]})
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    page = text(alice.get(PAGE, headers=HTML))
    assert "Notification preferences saved." in page
    assert alice.get(PAGE).json["preferences"]["granted_email"] is False
    assert alice.get(PAGE).json["preferences"]["ended_email"] is True


def test_a_form_without_its_csrf_token_changes_nothing(clock, accounts):
    alice = accounts.user("alice")
    response = alice.post(PAGE, headers=HTML, data={"granted_email": "false"})
    assert response.status_code == 400
    assert alice.get(PAGE).json["preferences"]["granted_email"] is True
    refused = alice.post("/session/webhooks", headers=HTML, data={"url": URL, "events": "granted"})
    assert refused.status_code == 400 and alice.get("/session/webhooks").json["count"] == 0


def test_a_webhook_added_from_the_page_shows_its_made_secret_once(clock, accounts):
    alice = accounts.user("alice")
    response = post_form(alice, "/session/webhooks", {"url": URL, "events": ["granted", "ended"], "format": "json"})
    assert response.status_code == 302
    page = text(alice.get(PAGE, headers=HTML))
    secret = re.search(r"Its secret, shown only now: (\S+)</p>", page).group(1)
    assert URL in page and "Events: granted, ended" in page and "Nothing sent yet." in page
    assert secret not in text(alice.get(PAGE, headers=HTML))


def test_a_refused_webhook_comes_back_with_the_message_at_its_field(clock, accounts):
    alice = accounts.user("alice")
    response = post_form(alice, "/session/webhooks", {"url": "ftp://x.example.org/", "secret": "short"})
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    page = text(alice.get(PAGE, headers=HTML))
    assert 'id="url-error">Give an http:// or https:// URL with a host.</p>' in page
    assert "Choose at least one event." in page
    assert 'value="ftp://x.example.org/"' in page


def test_test_and_remove_buttons(clock, accounts):
    alice = accounts.user("alice")
    webhook_id = add_webhook(alice, URL)
    tested = post_form(alice, "/session/webhooks/test", {"webhook_id": str(webhook_id)})
    assert tested.headers["Location"] == PAGE
    assert "Test delivery queued" in text(alice.get(PAGE, headers=HTML))
    post_form(alice, "/session/webhooks/remove", {"webhook_id": str(webhook_id)})
    page = text(alice.get(PAGE, headers=HTML))
    assert "Webhook removed." in page and "No webhooks yet." in page


def test_the_webhook_list_address_leads_a_browser_to_the_page(clock, accounts):
    alice = accounts.user("alice")
    assert alice.get("/session/webhooks", headers=HTML).headers["Location"] == PAGE
