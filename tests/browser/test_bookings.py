"""Planning a week in Chromium, in the reader's own time zone: booking through the form, a
conflict told beside the times, the block in the week view, the card's next booking, and
cancelling from My reservations after confirming."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "browser-password"
ZONE = "Europe/Budapest"


def test_a_team_plans_its_week(open_page, api_as):
    admin = api_as("admin")
    for name in ("alice", "bob"):
        admin.post("/admin/user/add", data={"name": name, "email": f"{name}@example.org", "password": PASSWORD})
    admin.post("/admin/resource/add", data={"name": "scope-bench", "labels": ["scope"]})
    # Tomorrow in the reader's zone, not this week's last day: the week view shows it without paging.
    tomorrow = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=1)

    alice = open_page("alice", PASSWORD, timezone_id=ZONE)
    alice.get_by_role("link", name="Calendar").click()
    alice.get_by_label("Resource", exact=True).select_option(label="scope-bench")
    alice.get_by_role("button", name="Show").click()
    alice.get_by_role("link", name="Book", exact=True).click()
    alice.get_by_label("Date").fill(tomorrow.isoformat())
    alice.get_by_label("From").fill("14:00")
    alice.get_by_label("To", exact=True).fill("16:00")
    alice.get_by_label("Note").fill("customer demo")
    screenshot(alice, "book-form")
    alice.get_by_role("button", name="Book", exact=True).click()
    expect(alice.get_by_role("status")).to_contain_text("Booked from 14:00 to 16:00")
    expect(alice).to_have_url(re.compile(r"tz=Europe(%2F|/)Budapest"))
    block = alice.locator(".block-booking")
    expect(block).to_contain_text("14:00–16:00")
    expect(block).to_contain_text("Booked by alice")
    screenshot(alice, "week-view")

    bob = open_page("bob", PASSWORD, viewport=PHONE, timezone_id=ZONE, at="/reservation/book")
    bob.get_by_label("Resource", exact=True).select_option(label="scope-bench")
    bob.get_by_label("Date").fill(tomorrow.isoformat())
    bob.get_by_label("From").fill("15:00")
    bob.get_by_label("To", exact=True).fill("17:00")
    bob.get_by_role("button", name="Book", exact=True).click()
    expect(bob.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    expect(bob.locator("#start_time-error")).to_contain_text("Booked by alice 14:00–16:00")
    expect(bob.get_by_label("To", exact=True)).to_have_value("17:00")

    bob.goto("/")
    expect(bob.get_by_role("article", name="scope-bench")).to_contain_text(
        re.compile(r"Booked by alice from \w+ \d+ \w+,? 14:00"))

    alice.get_by_role("link", name="My reservations").click()
    row = alice.get_by_role("row", name=re.compile("scope-bench"))
    expect(row).to_contain_text("customer demo")
    row.get_by_text("Cancel booking").click()
    dialog = alice.get_by_role("dialog")
    expect(dialog).to_contain_text("Your booking of scope-bench")
    dialog.get_by_role("button", name="Yes, cancel it").click()
    expect(alice.get_by_role("status")).to_contain_text("Cancelled 1 booking.")
    expect(alice.get_by_text("No bookings ahead.")).to_be_visible()
