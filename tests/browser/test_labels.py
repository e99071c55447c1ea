"""Labels in Chromium: filter the dashboard by a chip, search, and ask for any resource of a label."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "browser-password"
BENCHES = [("scope-1", ["scope", "usb3"], "Keysight, room 2.14"), ("scope-2", ["scope", "usb3"], ""),
           ("scope-3", ["scope"], "the old one"), ("logic-1", ["logic-analyser"], ""),
           ("matlab", ["licence"], "floating licence"), ("rig-a", ["hil", "can"], "CAN bus rig")]


def seed(admin):
    """alice, bob and the BENCHES, through the administrator's JSON API (an api_as client)."""
    for name in ("alice", "bob"):
        admin.post("/admin/user/add", data={"name": name, "email": f"{name}@example.org", "password": PASSWORD})
    return {name: admin.post("/admin/resource/add", data={"name": name, "labels": labels,
                                                          "comment": comment}).json()["resource_id"]
            for name, labels, comment in BENCHES}


def test_a_chip_filters_and_request_any_gets_the_first_free_one(open_page, api_as):
    ids = seed(api_as("admin"))
    api_as("bob", PASSWORD).post("/reservation/request", data={"resource_id": ids["scope-1"]})
    alice = open_page("alice", PASSWORD, viewport=DESKTOP)
    alice.get_by_role("link", name="scope 2/3 free").click()
    expect(alice.locator("article.card")).to_have_count(3)
    expect(alice.locator("#board-count")).to_contain_text("3 of 6 resources match")
    alice.get_by_role("link", name="usb3 1/2 free").click()
    expect(alice.locator("article.card")).to_have_count(2)
    assert alice.url.endswith("?label=scope&label=usb3")

    alice.locator("#label-usb3").get_by_role("button", name="Request any").click()
    mine = alice.locator("#mine")
    expect(mine).to_contain_text("1 × usb3")
    expect(mine).to_contain_text("You hold them")
    expect(alice.get_by_role("article", name="scope-2")).to_contain_text("Held by alice")
    # Still filtered after acting in place and after the page's own refresh.
    expect(alice.locator("article.card")).to_have_count(2)
    screenshot(alice, "dashboard-labels")
    mine.get_by_role("button", name="Release all").click()
    expect(mine).to_contain_text("You hold nothing and wait for nothing")


def test_a_waiting_label_request_shows_what_is_kept_and_can_be_cancelled(open_page, api_as):
    ids = seed(api_as("admin"))
    bob = api_as("bob", PASSWORD)
    for name in ("scope-1", "scope-2"):
        bob.post("/reservation/request", data={"resource_id": ids[name]})
    alice = open_page("alice", PASSWORD, viewport=PHONE, at=None)
    alice.request.post("/reservation/request", data={"labels": ["scope"], "count": 2})
    alice.goto("/")
    mine = alice.locator("#mine")
    expect(mine).to_contain_text("2 × scope")
    expect(mine).to_contain_text("1 of 2 kept for you: scope-3")
    expect(alice.get_by_role("article", name="scope-3")).to_contain_text("Kept for alice (you), 1 of 2")
    bob.post("/reservation/release", data={"resource_id": ids["scope-1"]})
    expect(mine).to_contain_text("You hold them", timeout=10_000)  # the page's own refresh
    mine.get_by_role("button", name="Release all").click()
    expect(mine).to_contain_text("You hold nothing")


def test_the_search_finds_names_comments_and_labels(open_page, api_as):
    seed(api_as("admin"))
    alice = open_page("alice", PASSWORD)
    alice.get_by_role("searchbox", name="Find").fill("room 2.14")
    alice.get_by_role("button", name="Search").click()
    expect(alice.locator("article.card")).to_have_count(1)
    alice.get_by_role("searchbox", name="Find").fill("CAN")
    alice.get_by_role("button", name="Search").click()
    expect(alice.locator("article.card")).to_have_count(1)
    expect(alice.get_by_role("article", name="rig-a")).to_be_visible()
    alice.get_by_role("link", name="Show all").first.click()
    expect(alice.locator("article.card")).to_have_count(6)
