"""An administrator ends a forgotten hold and the queue moves on, seen live on the dashboards."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "browser-password"


def seed(page, users, resources):
    """Users and resources created through the JSON API with the administrator's cookies."""
    for name in users:
        page.request.post("/admin/user/add", data={
            "name": name, "email": f"{name}@example.org", "password": PASSWORD})
    return [page.request.post("/admin/resource/add", data={"name": name, "comment": comment})
            .json()["resource_id"] for name, comment in resources]


def test_force_release_moves_the_queue_and_the_countdown_runs(open_page):
    admin = open_page("admin", at=None)
    bench, _ = seed(admin, ["alice", "bob"], [("bench-1", "Oscilloscope, room 2.14"),
                                                ("licence-matlab", "One seat")])
    alice = open_page("alice", PASSWORD)
    alice.get_by_role("article", name="bench-1").get_by_role("button", name="Request").click()
    countdown = alice.get_by_role("article", name="bench-1").locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"\((9:\d\d|10:00) left\)"))
    alice.get_by_role("article", name="bench-1").get_by_role("button", name="Keep alive").click()
    # In the reader's time zone (UTC here), so without "UTC".
    expect(alice.get_by_role("status")).to_contain_text(re.compile(r"bench-1 is kept until \d\d:\d\d\."))

    bob = open_page("bob", PASSWORD)
    bob.get_by_role("article", name="bench-1").get_by_role("button", name="Request").click()
    expect(bob.get_by_role("status")).to_contain_text("position 1")

    admin.goto(f"/admin/resources/{bench}")
    expect(admin.locator("main")).to_contain_text("Held by alice")
    screenshot(admin, "admin-resource")
    admin.get_by_label("Reason (kept in the history)").fill("left for the day")
    admin.get_by_text("End this hold").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog).to_contain_text("alice holds bench-1; it passes to bob.")
    dialog.get_by_role("button", name="Yes, end the hold").click()
    expect(admin.get_by_role("status")).to_contain_text("Hold ended. bob now holds it.")

    expect(bob.get_by_role("article", name="bench-1")).to_contain_text("Approved — you hold it.")
    expect(alice.get_by_role("article", name="bench-1").get_by_role("button", name="Request")).to_be_visible()
    alice.goto("/reservation/mine")
    expect(alice.get_by_role("row", name=re.compile("bench-1"))).to_contain_text("left for the day")
    screenshot(alice, "my-reservations")


def test_maintenance_and_password_change_through_the_pages(open_page):
    admin = open_page("admin", at=None)
    seed(admin, ["alice"], [("bench-1", "")])
    admin.goto("/admin/resources")
    admin.get_by_role("button", name="Start maintenance of bench-1").click()
    expect(admin.get_by_role("status")).to_contain_text("Resource modified successfully")
    expect(admin.get_by_role("button", name="End maintenance of bench-1")).to_be_visible()

    alice = open_page("alice", PASSWORD)
    expect(alice.get_by_role("article", name="bench-1")).to_contain_text("Maintenance")
    alice.get_by_role("link", name="Change password").click()
    alice.get_by_label("Current password").fill("wrong-password")
    alice.get_by_label("New password", exact=True).fill("short")
    alice.get_by_label("Repeat the new password").fill("shirt")
    alice.get_by_role("button", name="Change password").click()
    # Every mistake at once, on a page that can be reloaded.
    expect(alice.locator("#current_password-error")).to_have_text("The current password is not right.")
    expect(alice.locator("#new_password-error")).to_contain_text("between 8 and 1024")
    expect(alice.locator("#new_password_again-error")).to_have_text("The two new passwords differ.")
    expect(alice).to_have_url(re.compile(r"/session/password$"))
    alice.get_by_label("Current password").fill(PASSWORD)
    alice.get_by_label("New password", exact=True).fill("an-even-better-one")
    alice.get_by_label("Repeat the new password").fill("an-even-better-one")
    alice.get_by_role("button", name="Change password").click()
    expect(alice.get_by_role("status")).to_contain_text("Password changed")


def test_an_administrator_clears_a_login_lock_from_the_users_page(open_page):
    admin = open_page("admin", at=None)
    seed(admin, ["alice"], [])
    for guess in range(5):
        admin.request.post("/session/login", data={"name": "alice", "password": f"guess-{guess}"},
                           headers={"Content-Type": "application/json"})
    alice_id = next(u["id"] for u in admin.request.get("/info/users").json()["users"] if u["name"] == "alice")
    admin.goto(f"/admin/users/{alice_id}")
    lock = admin.locator("#login-lock")
    expect(lock).to_contain_text("Login locked until")
    expect(lock).to_contain_text("5 failed logins counted.")
    lock.get_by_role("button", name="Clear login lock").click()
    expect(admin.get_by_role("status")).to_contain_text("Login lock of alice cleared")
    expect(admin.locator("#login-lock")).to_contain_text("No failed logins counted: alice may log in.")
    log_in(open_page(), "alice", PASSWORD)  # through the form, to the dashboard
