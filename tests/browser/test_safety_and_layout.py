"""What a browser must never be able to do, and a layout that fits a phone."""
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, new_context, sign_in
from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def test_form_post_with_a_wrong_csrf_token_is_rejected_and_changes_nothing(open_page):
    admin = open_page("admin", at="/admin/resources")
    admin.get_by_label("Name", exact=True).fill("bench-forged")
    admin.locator('input[name="csrf_token"]').last.evaluate("input => input.value = 'forged'")
    admin.get_by_role("button", name="Add resource").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("The request could not be completed")
    expect(admin.locator("main")).to_contain_text("The form could not be accepted")
    admin.goto("/admin/resources")
    expect(admin.locator("table")).to_have_count(0)
    expect(admin.locator("main")).to_contain_text("No resources yet")


def test_user_cannot_open_admin_pages(open_page, live_server):
    admin = open_page("admin", at="/admin/users")
    form = admin.locator("form", has=admin.get_by_role("button", name="Add user"))
    form.get_by_label("User name").fill("alice")
    form.get_by_label("Email").fill("alice@example.org")
    form.get_by_label("Password").fill("browser-password")
    form.get_by_role("button", name="Add user").click()

    alice = open_page("alice", "browser-password")
    expect(alice.get_by_role("navigation", name="Main").get_by_role("link", name="Users")).to_have_count(0)
    for path in ("/admin/users", "/admin/resources"):
        response = alice.goto(path)
        assert response.status == 403
        expect(alice.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_anonymous_visitor_logs_in_and_lands_where_they_were_going(open_page):
    page = open_page()
    page.goto("/reservation/mine")
    expect(page).to_have_url(re.compile(r"/session/login\?next=/reservation/mine$"))
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_have_text("Invalid user name or password.")
    expect(page.get_by_label("Password")).to_be_focused()


LONG_NAME = "thermal-chamber-with-a-very-long-name-0123456789"


@pytest.fixture(scope="module")
def phone_admin(browser, module_live_server):
    """An administrator on a phone, on a server holding a resource and a user of long names (the
    administrator holds the resource): the phone-width cases only look at its pages."""
    context = new_context(browser, module_live_server, viewport=PHONE)
    sign_in(context.request, "admin", ADMIN_PASSWORD)
    api = context.request
    resource = api.post("/admin/resource/add", data={
        "name": LONG_NAME, "comment": "Climate chamber " * 12}).json()["resource_id"]
    user = api.post("/admin/user/add", data={
        "name": "maximilian-alexander-longname", "password": "browser-password",
        "email": "maximilian.alexander.longname@laboratory.example.org"}).json()["user_id"]
    api.post("/reservation/request", data={"resource_id": resource})
    yield context.new_page(), {"user": user, "resource": resource}
    context.close()


@pytest.mark.parametrize("path", ["/", "/reservation/mine?user=all", "/admin/users",
                                  "/admin/users/{user}", "/admin/resources", "/admin/resources/{resource}",
                                  "/admin/statistics", "/admin/audit", "/session/password", "/session/login",
                                  "/no/such/page"])
def test_no_horizontal_scroll_at_phone_width(phone_admin, path):
    page, ids = phone_admin
    page.goto(path.format(**ids))
    expect(page.locator("main")).to_be_visible()
    if path == "/":
        expect(page.get_by_role("article", name=LONG_NAME)).to_be_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] == PHONE["width"]


def test_times_are_shown_in_the_readers_time_zone(open_page):
    page = open_page("admin", timezone_id="Asia/Kolkata", at=None)
    resource = page.request.post("/admin/resource/add", data={"name": "bench-1"}).json()["resource_id"]
    page.request.post("/reservation/request", data={"resource_id": resource})
    page.goto("/")
    since = page.get_by_role("article", name="bench-1").locator("time").first
    held_at = datetime.fromisoformat(since.get_attribute("datetime"))
    expect(since).to_have_text((held_at + timedelta(hours=5, minutes=30)).strftime("%H:%M"))
