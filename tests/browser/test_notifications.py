"""In Chromium: the waiting user's page says their turn came, without a reload, and the desktop
notification appears when they allowed it; an open page asks one cheap question per interval."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import USER_PASSWORD, Accounts

# Slow: it starts the whole Chromium (the shell denies notifications) and waits through refreshes.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

FEED = "/session/notifications/feed"


@pytest.fixture
def browser(desktop_browser):
    """Desktop notifications need the whole browser: the headless shell denies them to every page."""
    return desktop_browser


# Records each desktop notification the page makes, then makes the real one.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__desktop = [];
  function Recorded(title, options) {
    window.__desktop.push({ title: title, body: options && options.body });
    return new Real(title, options);
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();
"""


def board_refreshes(page, count):
    """Wait until the dashboard has asked for its board `count` more times."""
    for _ in range(count):
        with page.expect_request(lambda request: "/reservation/board" in request.url):
            pass


def test_the_waiting_user_sees_their_turn_without_a_reload(open_page, live_server):
    accounts = Accounts(live_server.app)
    bench = accounts.add_resource("bench-1")
    for name in ("alice", "bob"):
        accounts.add_user(name)
    alice = accounts.login("alice")
    assert alice.post("/reservation/request", json={"resource_id": bench}).json["status"] == "approved"

    bob = open_page("bob", USER_PASSWORD, at=None)  # at the dashboard once it records notifications
    bob.context.grant_permissions(["notifications"], origin=live_server.url)
    bob.context.add_init_script(RECORD_NOTIFICATIONS)
    feed_looks = []
    bob.on("request", lambda request: feed_looks.append(request.url) if FEED in request.url else None)
    bob.goto("/")
    bob.get_by_role("article", name="bench-1").get_by_role("button", name="Request").click()
    expect(bob.get_by_role("status")).to_contain_text("position 1")
    bob.evaluate("window.__notReloaded = true")
    assert bob.evaluate("Notification.permission") == "granted"
    # On the dashboard the board's refresh says whether a notice arrived: while none does, the
    # feed is not asked (it was once, as the page opened), however often the board refreshes.
    board_refreshes(bob, 2)  # the page's first look, half a refresh after it opened, is sent
    feed_looks.clear()
    board_refreshes(bob, 3)
    assert feed_looks == []

    alice.post("/reservation/release", json={"resource_id": bench})

    notice = bob.locator("#notices .notice")
    expect(notice).to_contain_text("Your turn: bench-1 is yours")
    expect(notice).to_contain_text("you now hold bench-1")
    expect(bob).to_have_title("(!) Your turn: bench-1 is yours · Reservia")
    bob.wait_for_function("window.__desktop.length > 0")
    assert bob.evaluate("window.__desktop") == [{
        "title": "Your turn: bench-1 is yours",
        "body": bob.locator("#notices .notice p").nth(1).inner_text()}]
    assert bob.evaluate("window.__notReloaded") is True
    screenshot(bob, "dashboard-your-turn")

    assert len(feed_looks) == 1  # the look that brought the notice

    # Seen once: another page of the same tab does not show it again, and there the feed, asked
    # every interval, answers 304 while nothing arrives. Dismissing restores the title.
    with bob.expect_response(lambda response: FEED in response.url and response.status == 304):
        bob.goto("/reservation/mine")
    expect(bob.locator("#notices .notice")).to_have_count(0)
    bob.goto("/")
    expect(bob.locator("#notices .notice")).to_have_count(0)
    expect(bob).to_have_title("Dashboard · Reservia")


def test_the_notifications_page(open_page, live_server):
    accounts = Accounts(live_server.app)
    accounts.add_user("alice")
    page = open_page("alice", USER_PASSWORD)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.locator("#desktop-state")).to_contain_text("Desktop notifications are not allowed yet")
    expect(page.get_by_role("button", name="Allow desktop notifications")).to_be_visible()
    page.get_by_label("URL").fill("http://ci.example.org/hooks/reservia")
    page.get_by_label("Your hold or request was ended for you (ended)", exact=True).check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_role("status")).to_contain_text("Its secret, shown only now:")
    expect(page.get_by_role("heading", name="http://ci.example.org/hooks/reservia")).to_be_visible()
    page.get_by_label("Your hold or request was ended for you (ended): E-mail").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("Notification preferences saved.")
    expect(page.get_by_label("Your hold or request was ended for you (ended): E-mail")).to_be_checked()
    page.get_by_role("button", name="Send a test").click()
    expect(page.get_by_role("status")).to_contain_text("Test delivery queued")
    screenshot(page, "notifications")
