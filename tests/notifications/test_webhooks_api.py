"""Webhooks, preferences and the browser's events over JSON: shapes, refusals, and whose is whose."""
import pytest

from tests.notifications.conftest import SECRET, add_webhook

URL = "http://ci.example.org/hooks/reservia"


def test_a_webhook_is_added_listed_and_removed(clock, accounts):
    alice = accounts.user("alice")
    answer = alice.post("/session/webhooks", json={"url": URL, "events": ["granted", "ended"], "secret": SECRET})
    assert answer.status_code == 201
    assert answer.json == {"message": "Webhook added.", "webhook_id": 1}
    listed = alice.get("/session/webhooks").json
    assert listed == {"webhooks": [{"id": 1, "url": URL, "events": ["granted", "ended"], "format": "json",
                                    "created_date": "2026-11-25T09:00:00+00:00", "disabled_reason": None,
                                    "last_delivery": None}],
                      "count": 1}
    assert SECRET not in alice.get("/session/webhooks").get_data(as_text=True)
    assert alice.get("/session/webhooks/deliveries?webhook_id=1").json == {
        "webhook_id": 1, "deliveries": [], "count": 0}
    removed = alice.post("/session/webhooks/remove", json={"webhook_id": 1})
    assert removed.json == {"message": "Webhook removed.", "webhook_id": 1}
    assert alice.get("/session/webhooks").json["count"] == 0


def test_without_a_secret_one_is_made_and_shown_once(clock, accounts):
    alice = accounts.user("alice")
    answer = alice.post("/session/webhooks", json={"url": URL, "events": ["granted"]})
    assert answer.status_code == 201
    secret = answer.json["secret"]
    assert len(secret) >= 30 and secret in answer.json["message"]
    assert secret not in alice.get("/session/webhooks").get_data(as_text=True)


@pytest.mark.parametrize("body, code, words", [
    ({"url": "ftp://ci.example.org/x", "events": ["granted"]}, "INVALID_URL", "http:// or https://"),
    ({"url": "not-a-url", "events": ["granted"]}, "INVALID_URL", "http:// or https://"),
    ({"events": ["granted"]}, "INVALID_INPUT", "URL: This field is required."),
    ({"url": URL, "events": []}, "INVALID_INPUT", "Choose at least one event."),
    ({"url": URL}, "INVALID_INPUT", "Choose at least one event."),
    ({"url": URL, "events": "granted"}, "INVALID_TYPE", "events must be a list of strings."),
    ({"url": URL, "events": ["granted", "eaten"]}, "INVALID_INPUT", "'eaten' is not a valid choice"),
    ({"url": URL, "events": ["granted"], "secret": "short"}, "INVALID_INPUT", "between 16 and 200 characters"),
    ({"url": URL, "events": ["granted"], "format": "xml"}, "INVALID_INPUT", "Not a valid choice"),
    ({"url": 7, "events": ["granted"]}, "INVALID_TYPE", "url must be a string."),
])
def test_bad_webhooks_are_refused_with_a_reason(clock, accounts, body, code, words):
    alice = accounts.user("alice")
    answer = alice.post("/session/webhooks", json=body)
    assert answer.status_code == 400
    assert answer.json["code"] == code and words in answer.json["error"]
    assert alice.get("/session/webhooks").json["count"] == 0


def test_the_same_url_twice_is_a_conflict(clock, accounts):
    alice = accounts.user("alice")
    add_webhook(alice, URL)
    again = alice.post("/session/webhooks", json={"url": URL, "events": ["ended"], "secret": SECRET})
    assert (again.status_code, again.json["code"]) == (409, "WEBHOOK_EXISTS")


def test_resource_changed_is_for_administrators(clock, accounts, admin_client):
    alice = accounts.user("alice")
    refused = alice.post("/session/webhooks", json={"url": URL, "events": ["resource_changed"], "secret": SECRET})
    assert (refused.status_code, refused.json["code"]) == (403, "ADMIN_REQUIRED")
    assert alice.post("/session/notifications", json={"resource_changed_email": True}).status_code == 403
    add_webhook(admin_client, URL, events=("resource_changed",))


def test_other_peoples_webhooks_are_as_unknown_as_missing_ones(clock, accounts):
    alice, bob = accounts.user("alice"), accounts.user("bob")
    webhook_id = add_webhook(alice, URL)
    for path in ("/session/webhooks/remove", "/session/webhooks/test"):
        answer = bob.post(path, json={"webhook_id": webhook_id})
        assert (answer.status_code, answer.json["code"]) == (404, "WEBHOOK_NOT_FOUND")
    answer = bob.get(f"/session/webhooks/deliveries?webhook_id={webhook_id}")
    assert answer.status_code == 404
    assert bob.get("/session/webhooks/deliveries").json["code"] == "INVALID_INPUT"
    assert bob.get("/session/webhooks/deliveries?webhook_id=x").status_code == 400
    assert alice.get("/session/webhooks").json["count"] == 1


@pytest.mark.parametrize("app_settings", [{"RESERVIA_WEBHOOK_HOSTS": "*.example.org, 10.0.0.0/8"}])
def test_an_administrator_may_restrict_webhook_hosts(clock, accounts):
    alice = accounts.user("alice")
    for allowed in ("https://ci.example.org/x", "http://10.1.2.3:8080/hook"):
        assert alice.post("/session/webhooks", json={"url": allowed, "events": ["granted"]}).status_code == 201
    refused = alice.post("/session/webhooks", json={"url": "https://example.com.evil.net/x", "events": ["granted"]})
    assert (refused.status_code, refused.json["code"]) == (400, "URL_NOT_ALLOWED")
    assert "not allowed here" in refused.json["error"]


def test_webhooks_need_a_login(client):
    assert client.get("/session/webhooks").json["code"] == "NOT_AUTHENTICATED"
    assert client.post("/session/webhooks", json={"url": URL, "events": ["granted"]}).status_code == 401


def test_preferences_default_to_granted_and_expiring_and_change_one_by_one(clock, accounts):
    alice = accounts.user("alice")
    answer = alice.get("/session/notifications").json
    bookings = ("booking_starts_soon", "booking_started", "booking_cancelled", "hold_shortened")
    assert answer["preferences"] == {"granted_email": True, "granted_browser": True, "expiring_email": True,
                                     "expiring_browser": True, "ended_email": False, "ended_browser": False,
                                     **{f"{event}_{channel}": True for event in bookings
                                        for channel in ("email", "browser")}}
    assert answer["events"] == ["granted", "expiring", "ended", *bookings]
    changed = alice.post("/session/notifications", json={"ended_browser": True, "granted_email": False})
    assert changed.json["preferences"]["ended_browser"] is True
    assert changed.json["preferences"]["granted_email"] is False
    assert changed.json["preferences"]["expiring_email"] is True
    assert alice.post("/session/notifications", json={"ended_browser": "yes"}).json["code"] == "INVALID_TYPE"


def test_the_browser_hears_of_its_users_turn(clock, accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    since = bob.get("/session/notifications/feed").json["now"]
    assert bob.get(f"/session/notifications/feed?since={since}").json["notifications"] == []
    clock.advance(minutes=3)
    alice.post("/reservation/release", json={"resource_id": bench})
    clock.advance(minutes=3)
    feed = bob.get("/session/notifications/feed", query_string={"since": since}).json
    [turn] = feed["notifications"]
    assert turn["event"] == "granted" and turn["title"] == "Your turn: bench-1 is yours"
    assert feed["now"] == "2026-11-25T09:06:00+00:00"
    assert alice.get("/session/notifications/feed", query_string={"since": since}).json["notifications"] == []
    # Turned off for the browser, it is not shown.
    bob.post("/session/notifications", json={"granted_browser": False})
    assert bob.get("/session/notifications/feed", query_string={"since": since}).json["notifications"] == []
    assert bob.get("/session/notifications/feed?since=yesterday").json["code"] == "INVALID_DATE"


def test_test_deliveries_are_limited_to_six_a_minute_per_user(clock, accounts):
    alice, bob = accounts.user("alice"), accounts.user("bob")
    webhook_id = add_webhook(alice, URL)
    for _ in range(6):
        assert alice.post("/session/webhooks/test", json={"webhook_id": webhook_id}).status_code == 202
        clock.advance(seconds=5)
    refused = alice.post("/session/webhooks/test", json={"webhook_id": webhook_id})
    assert (refused.status_code, refused.json["code"]) == (429, "WEBHOOK_TESTS_THROTTLED")
    # The first of the six leaves the minute 30 s from now.
    assert refused.headers["Retry-After"] == "30"
    assert "try again in 30 s" in refused.json["error"]
    # Someone else's tests are theirs to count.
    assert bob.post("/session/webhooks/test", json={"webhook_id": add_webhook(bob, URL)}).status_code == 202
    clock.advance(seconds=30)
    assert alice.post("/session/webhooks/test", json={"webhook_id": webhook_id}).status_code == 202
    assert alice.post("/session/webhooks/test", json={"webhook_id": webhook_id}).status_code == 429
