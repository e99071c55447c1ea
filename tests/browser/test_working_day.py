"""A dashboard people keep open all day, in Chromium on a phone and a desktop: it stays where the
reader is, says the right thing in the reader's time zone, and keeps itself current."""
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "browser-password"


def seed(admin, users, resources):
    """Users, and resources as (name, comment) or (name, comment, max_hold_minutes), through the
    administrator's JSON API (an api_as client, or a page's `request`)."""
    for name in users:
        admin.post("/admin/user/add", data={"name": name, "email": f"{name}@example.org", "password": PASSWORD})
    ids = []
    for name, comment, *maximum in resources:
        body = {"name": name, "comment": comment}
        if maximum:
            body["max_hold_minutes"] = maximum[0]
        ids.append(admin.post("/admin/resource/add", data=body).json()["resource_id"])
    return ids


def card(page, name):
    return page.get_by_role("article", name=name)


def top_of(locator):
    return locator.evaluate("el => el.getBoundingClientRect().top")


def hide_tab_when_asked(page):
    """Lets a test put the tab in the background: document.hidden follows window.__hidden."""
    page.add_init_script("""
        Object.defineProperty(document, "hidden", {configurable: true, get: () => !!window.__hidden});
        Object.defineProperty(document, "visibilityState", {configurable: true,
            get: () => window.__hidden ? "hidden" : "visible"});
    """)


def set_hidden(page, hidden):
    page.evaluate(f"window.__hidden = {'true' if hidden else 'false'};"
                  "document.dispatchEvent(new Event('visibilitychange'))")


def stop_the_clock(page):
    """Call before the page loads: its timers then fire only when the test moves its clock on
    (page.clock.run_for), so a test says how much time passes instead of waiting for it."""
    now = datetime.now(UTC)
    page.clock.install(time=now - timedelta(minutes=1))
    page.clock.pause_at(now)


def count_board_fetches(page):
    """Call before the page loads: window.__boardFetches counts the board's refreshes as the page
    asks for them (on a stopped clock, exactly those the test's run_for brought about)."""
    page.add_init_script("""
        window.__boardFetches = 0;
        const fetchAsUsual = window.fetch;
        window.fetch = function (resource) {
            if (String(resource).includes("/reservation/board")) { window.__boardFetches += 1; }
            return fetchAsUsual.apply(this, arguments);
        };
    """)


def board_fetches(page):
    return page.evaluate("window.__boardFetches")


def refresh_once(page):
    """Moves a stopped clock on by the page's period (1 s) and returns the status of the board's
    refresh that follows, once the page shows it is done ("Updated" with the new time): by then
    it has set its next refresh, so the next move of the clock brings that one about."""
    updated = page.locator("#board-status")
    before = updated.text_content()
    with page.expect_response(lambda r: "/reservation/board" in r.url) as answer:
        page.clock.run_for(1_000)
    expect(updated).not_to_have_text(before)
    return answer.value.status


WORKDAY = [(f"bench-{n:02}", "Oscilloscope, room 2.14" if n % 3 == 0 else "") for n in range(1, 28)]


def test_on_a_phone_an_action_far_down_leaves_the_card_where_it_was(open_page, api_as):
    seed(api_as("admin"), ["alice"], WORKDAY)
    alice = open_page("alice", PASSWORD, viewport=PHONE)
    far = card(alice, "bench-24")
    far.get_by_role("button", name="Request").scroll_into_view_if_needed()
    before, scrolled = top_of(far), alice.evaluate("window.scrollY")
    assert scrolled > 4000  # 6,000 px of cards above it on a phone
    far.get_by_role("button", name="Request").click()
    expect(alice.get_by_role("status")).to_contain_text("Reservation approved: you hold bench-24.")
    expect(far).to_contain_text("Approved — you hold it.")
    # The line added on top did not push the card away, nor did the page go back to the top.
    assert abs(top_of(far) - before) <= 2
    assert alice.evaluate("window.scrollY") > scrolled
    expect(far.get_by_role("button", name="Release")).to_be_focused()

    alice.evaluate("window.scrollTo(0, 0)")
    yours = alice.locator("#mine")
    expect(yours.get_by_role("link", name="bench-24")).to_be_visible()
    expect(yours.get_by_role("button", name="Keep alive")).to_be_in_viewport()
    expect(yours.get_by_role("button", name="Release")).to_be_in_viewport()
    screenshot(alice, "dashboard-phone-holds-on-top", full_page=False)
    yours.get_by_role("button", name="Release").click()
    expect(alice.get_by_role("status")).to_contain_text("Released.")
    expect(yours).to_contain_text("You hold nothing")


def test_without_script_the_answer_comes_back_to_the_card(open_page, api_as):
    seed(api_as("admin"), ["alice"], WORKDAY)
    alice = open_page("alice", PASSWORD, javascript=False)
    target = card(alice, "bench-20")
    target.get_by_role("button", name="Request").click()
    expect(alice).to_have_url(re.compile(r"/\?at=resource-\d+#resource-\d+$"))
    expect(target).to_contain_text("Approved — you hold it.")
    expect(target).to_be_in_viewport()
    assert alice.evaluate("window.scrollY") > 1000
    # The message floats in view, however far down the card is.
    expect(alice.get_by_role("status")).to_be_in_viewport()
    expect(alice.get_by_role("status")).to_contain_text("Reservation approved: you hold bench-20.")
    expect(alice.locator("#mine").get_by_role("button", name="Keep alive")).to_have_count(1)


def test_times_and_messages_are_in_the_readers_zone_and_holds_last_as_chosen(open_page, api_as):
    seed(api_as("admin"), ["alice"], [("licence-matlab", "One seat", 480)])
    alice = open_page("alice", PASSWORD, timezone_id="Europe/Berlin")
    matlab = card(alice, "licence-matlab")
    matlab.get_by_label("for how long, on licence-matlab").select_option(label="2 h")
    matlab.get_by_label("Note for licence-matlab").fill("flashing fw 2.3")
    matlab.get_by_role("button", name="Request").click()
    expect(matlab).to_contain_text("flashing fw 2.3")
    ends = matlab.locator(".expiry time")
    until = datetime.fromisoformat(ends.get_attribute("datetime"))
    approved = datetime.fromisoformat(matlab.locator(".holder time").first.get_attribute("datetime"))
    assert until - approved == timedelta(hours=2)
    berlin = until.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    expect(ends).to_have_text(berlin)
    expect(matlab.locator(".countdown")).to_have_text(re.compile(r"\(1:59:\d\d left\)|\(2:00:00 left\)"))
    matlab.get_by_role("button", name="Keep alive").click()
    message = alice.get_by_role("status")
    expect(message).to_contain_text(re.compile(r"licence-matlab is kept until \d\d:\d\d\."))
    shown = message.locator("time")
    kept = datetime.fromisoformat(shown.get_attribute("datetime")).astimezone(ZoneInfo("Europe/Berlin"))
    expect(shown).to_have_text(kept.strftime("%H:%M"))
    expect(message).not_to_contain_text("UTC")
    alice.goto("/reservation/mine")
    expect(alice.get_by_role("row", name=re.compile("licence-matlab"))).to_contain_text("flashing fw 2.3")


def test_the_board_keeps_refreshing_in_a_background_tab(open_page, api_as):
    [bench] = seed(api_as("admin"), ["alice", "bob", "carol"], [("bench-1", "")])
    alice = open_page()
    hide_tab_when_asked(alice)
    count_board_fetches(alice)
    stop_the_clock(alice)
    log_in(alice, "alice", PASSWORD)
    card(alice, "bench-1").get_by_role("button", name="Request").click()
    expect(card(alice, "bench-1")).to_contain_text("Approved — you hold it.")
    set_hidden(alice, True)
    fetched = board_fetches(alice)
    api_as("bob", PASSWORD).post("/reservation/request", data={"resource_id": bench})
    # Slower in the background: not after the page's period (1 s here), nor five ...
    alice.clock.run_for(5_000)
    assert board_fetches(alice) == fetched
    expect(card(alice, "bench-1")).not_to_contain_text("bob")
    # ... but after six, and it goes on.
    alice.clock.run_for(1_000)
    assert board_fetches(alice) == fetched + 1
    expect(card(alice, "bench-1")).to_contain_text("bob")
    api_as("carol", PASSWORD).post("/reservation/request", data={"resource_id": bench})
    set_hidden(alice, False)  # back to the tab: current at once, with no timer
    expect(card(alice, "bench-1")).to_contain_text("carol")


def test_an_unchanged_board_is_not_sent_again(open_page, api_as):
    [bench] = seed(api_as("admin"), ["alice", "bob"], [("bench-1", "", 480)])
    alice = open_page()
    stop_the_clock(alice)
    log_in(alice, "alice", PASSWORD)
    # Refreshed every second: the whole board once, then "Not Modified" while nothing changes.
    assert [refresh_once(alice) for _ in range(3)] == [200, 304, 304]
    choice = card(alice, "bench-1").locator("option[data-end-of-day]")
    assert re.fullmatch(r"[0-9]+", choice.get_attribute("value"))  # the reader's day, worked out
    api_as("bob", PASSWORD).post("/reservation/request", data={"resource_id": bench})
    assert refresh_once(alice) == 200
    expect(card(alice, "bench-1")).to_contain_text("bob")


def test_signed_out_meanwhile_the_reader_logs_in_and_is_back_at_the_card(open_page, api_as):
    admin = api_as("admin")
    seed(admin, ["alice"], WORKDAY[:8])
    alice = open_page()
    # No board refresh may find the session gone before the click does: the page's timers wait.
    stop_the_clock(alice)
    log_in(alice, "alice", PASSWORD)
    alice_id = next(u["id"] for u in admin.get("/info/users").json()["users"] if u["name"] == "alice")
    admin.post("/admin/user/modify", data={"user_id": alice_id, "password": "a-new-password"})
    card(alice, "bench-08").get_by_role("button", name="Request").click()
    expect(alice).to_have_url(re.compile(r"/session/login\?"))
    expect(alice.get_by_role("alert")).to_contain_text("You had been logged out, so “Request” was not done.")
    alice.get_by_label("User name").fill("alice")
    alice.get_by_label("Password").fill("a-new-password")
    alice.get_by_role("button", name="Log in").click()
    expect(alice).to_have_url(re.compile(r"/\?at=resource-\d+#resource-\d+$"))
    # The page's other alert, the notices of the user's events, may be showing something meanwhile.
    expect(alice.get_by_role("alert").filter(has_text="was not done")).to_contain_text(
        "“Request” was not done: you had been logged out.")
    expect(card(alice, "bench-08").get_by_role("button", name="Request")).to_be_visible()
    expect(alice.locator("main")).not_to_contain_text("405")


def test_deleting_someone_asks_first_and_says_where_their_hold_goes(open_page, api_as):
    admin = open_page("admin", at=None)
    [matlab] = seed(admin.request, ["dave", "alice"], [("licence-matlab", "One seat")])
    api_as("dave", PASSWORD).post("/reservation/request", data={"resource_id": matlab})
    api_as("alice", PASSWORD).post("/reservation/request", data={"resource_id": matlab})
    dave_id = next(u["id"] for u in admin.request.get("/info/users").json()["users"] if u["name"] == "dave")
    admin.goto(f"/admin/users/{dave_id}")
    admin.get_by_text("Delete dave", exact=True).click()
    dialog = admin.get_by_role("dialog")
    expect(dialog).to_contain_text("dave holds licence-matlab; it passes to alice.")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(admin, "confirm-dialog", full_page=False)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert admin.request.get("/reservation/active").json()["count"] == 2
    admin.get_by_text("Delete dave", exact=True).click()
    dialog.get_by_role("button", name="Yes, delete dave").click()
    expect(admin.get_by_role("status")).to_contain_text(
        "User deactivated: their history is kept. Their hold on licence-matlab ended; alice now holds it.")

    # Without script the same words unfold in place.
    plain = open_page("admin", javascript=False, at=f"/admin/resources/{matlab}")
    plain.get_by_text("End this hold", exact=True).click()
    expect(plain.locator(".confirm-what")).to_have_text("alice holds licence-matlab; nobody waits, so it becomes free.")
    plain.get_by_role("button", name="Yes, end the hold").click()
    expect(plain.get_by_role("status")).to_contain_text("Hold ended.")


def test_admin_resources_page_keeps_names_whole_and_the_add_form_at_hand(open_page):
    admin = open_page("admin", at=None)
    names = ["licence-matlab", "thermal-chamber-02", "oscilloscope-bench-14", "pi-cluster-node-07",
             "logic-analyser", "room-2.14-whiteboard"]
    seed(admin.request, [], [(name, "Shared by the firmware and the hardware teams, booked all day") for name in names])
    admin.goto("/admin/resources")
    for name in names:
        link = admin.get_by_role("link", name=name, exact=True)
        assert link.evaluate("a => a.getClientRects().length") == 1, f"{name} wraps"
    # A refused form comes back to this page, not to the URL it posted to.
    admin.get_by_label("Name", exact=True).fill("licence-matlab")
    admin.get_by_role("button", name="Add resource").click()
    expect(admin.locator("#name-error")).to_have_text("A resource named 'licence-matlab' already exists.")
    expect(admin).to_have_url(re.compile(r"/admin/resources#add-resource$"))
    admin.reload()
    expect(admin.locator("#name-error")).to_have_count(0)
    assert admin.request.get("/info/resources").json()["count"] == len(names)

    admin.set_viewport_size(PHONE)
    admin.goto("/admin/resources")
    expect(admin.get_by_role("button", name="Add resource")).to_be_in_viewport()
    widths = admin.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    admin.set_viewport_size(DESKTOP)


def test_statistics_fit_a_phone_and_sort_by_column(open_page, api_as):
    admin = open_page("admin", viewport=PHONE, at=None)
    ids = seed(admin.request, ["alice"], [("a-very-long-resource-name-for-the-chart", ""), ("bench-2", ""),
                                          ("scope", "")])
    alice = api_as("alice", PASSWORD)
    for resource in ids[:2]:
        alice.post("/reservation/request", data={"resource_id": resource})
    admin.goto("/admin/statistics")
    for bar in admin.locator(".bar-value, .bar-track").all():
        box = bar.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    widths = admin.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    admin.set_viewport_size(DESKTOP)
    heading = admin.get_by_role("button", name="Resource")
    heading.click()
    names = admin.locator("tbody th").all_inner_texts()
    assert names == sorted(names)
    heading.click()
    assert admin.locator("tbody th").all_inner_texts() == sorted(names, reverse=True)
    expect(admin.get_by_role("columnheader", name="Resource")).to_have_attribute("aria-sort", "descending")


def test_cards_take_the_height_they_need(open_page, api_as):
    admin = open_page("admin", at=None)
    busy, _ = seed(admin.request, ["alice", "bob", "carol"], [("bench-1", ""), ("bench-2", "")])
    for name in ("alice", "bob", "carol"):
        api_as(name, PASSWORD).post("/reservation/request", data={"resource_id": busy})
    admin.goto("/")
    held, free = card(admin, "bench-1").bounding_box(), card(admin, "bench-2").bounding_box()
    assert held["y"] == free["y"]  # side by side
    assert free["height"] < held["height"] - 50
