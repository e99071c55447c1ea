"""What someone trying Reservia on purpose meets in a real browser: no framing, no known
administrator password, guesses held back, and names and passwords that cannot deceive."""
import re

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.browser.conftest import DESKTOP, LiveServer, screenshot
from tests.old_databases import database_of_the_first_release
from tests.threaded_server import start_in_thread

pytestmark = pytest.mark.browser

@pytest.fixture
def other_site(live_server):
    """Another site on the same host (so same-site: a Lax session cookie goes along into its
    frames) whose page frames Reservia's dashboard."""
    page = f'<h1>Win a prize</h1><iframe src="{live_server.url}/" width="800" height="600"></iframe>'

    def serve(environ, start_response):
        return Response(page, mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", 0, serve)
    stop = start_in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}/"
    stop()


def test_no_other_page_can_frame_the_signed_in_dashboard(open_page, other_site):
    admin = open_page("admin", at=None)
    admin.request.post("/admin/resource/add", data={"name": "bench-1"})
    admin.request.post("/reservation/request", data={"resource_id": 1})
    with admin.expect_console_message(lambda message: "frame-ancestors" in message.text):
        admin.goto(other_site)
    expect(admin.get_by_role("heading", name="Win a prize")).to_be_visible()
    [framed] = [frame for frame in admin.frames if frame is not admin.main_frame]
    assert "Release" not in framed.content() and "Dashboard" not in framed.content()
    admin.goto("/")
    expect(admin.locator("#action-1")).to_be_visible()  # at home the card's Release is there


def test_pages_work_under_the_content_security_policy(open_page):
    admin = open_page("admin", at=None)
    admin.request.post("/admin/resource/add", data={"name": "bench-1"})
    refused = []
    admin.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
             else None)
    for path in ("/", "/reservation/mine", "/admin/users", "/admin/resources", "/admin/resources/1",
                 "/admin/statistics", "/session/password"):
        admin.goto(path)
        expect(admin.locator("main")).to_be_visible()
    admin.goto("/")
    admin.get_by_role("article", name="bench-1").get_by_role("button", name="Request").click()
    expect(admin.get_by_role("article", name="bench-1").locator(".countdown")).to_have_text(
        re.compile(r"\(\d+:\d\d left\)"))  # the dashboard's own script runs
    assert refused == []


@pytest.fixture
def upgraded_server(tmp_path, make_app):
    """Reservia on a database of an earlier version whose administrator kept the password "admin"."""
    url = database_of_the_first_release(tmp_path, users=(("admin", "admin", "admin"),
                                                         ("carol", "user", "carol-password")))
    server = LiveServer(make_app(RESERVIA_DATABASE_URL=url))
    server.start()
    yield server
    server.stop()


def test_the_old_default_password_must_be_changed_before_anything_else(browser, upgraded_server):
    context = browser.new_context(viewport=DESKTOP, base_url=upgraded_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/session/login")
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill("admin")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/session/password$"))
        # The page's other alert, the (empty, and hidden once the style sheet applies) notices, is
        # there too: the check names the one it means.
        expect(page.get_by_role("alert").filter(has_text="old default password")).to_contain_text(
            "You logged in with the old default password")
        screenshot(page, "password-change-required")
        page.goto("/admin/users")
        expect(page).to_have_url(re.compile(r"/session/password$"))
        page.get_by_label("Current password").fill("admin")
        page.get_by_label("New password", exact=True).fill("password1")
        page.get_by_label("Repeat the new password").fill("password1")
        page.get_by_role("button", name="Change password").click()
        expect(page.locator("#new_password-error")).to_contain_text("Too easy to guess")
        page.get_by_label("Current password").fill("admin")
        page.get_by_label("New password", exact=True).fill("keys-to-the-lab-2026")
        page.get_by_label("Repeat the new password").fill("keys-to-the-lab-2026")
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("status")).to_contain_text("Password changed")
        page.goto("/admin/users")
        expect(page.get_by_role("heading", level=1)).to_have_text("Users")
        expect(page.get_by_label("Security warning")).to_have_count(0)
    finally:
        context.close()


def test_the_login_form_holds_back_guesses_and_says_for_how_long(open_page):
    page = open_page()
    page.goto("/session/login")
    for guess in range(5):
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill(f"guess-number-{guess}")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#password-error")).to_have_text("Invalid user name or password.")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("one-more-guess")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_have_text(
        "Too many failed logins for this user name: try again in 30 seconds.")
    screenshot(page, "login-throttled")


def test_the_users_page_refuses_look_alike_names_and_weak_passwords(open_page):
    admin = open_page("admin", at="/admin/users")
    form = admin.locator("form", has=admin.get_by_role("button", name="Add user"))
    form.get_by_label("User name").fill("аlice")  # the first letter is Cyrillic
    form.get_by_label("Email").fill("alice@corp.local")
    form.get_by_label("Password").fill("password1")
    form.get_by_role("button", name="Add user").click()
    expect(admin.locator("#name-error")).to_have_text(
        "Use letters of one script: this name mixes Cyrillic and Latin letters, which look alike.")
    form = admin.locator("form", has=admin.get_by_role("button", name="Add user"))
    form.get_by_label("User name").fill("alice")
    form.get_by_label("Password").fill("password1")
    form.get_by_role("button", name="Add user").click()
    expect(admin.locator("#password-error")).to_have_text("Too easy to guess: this is a very common password.")
    form = admin.locator("form", has=admin.get_by_role("button", name="Add user"))
    form.get_by_label("Password").fill("mirror-in-the-lab")
    form.get_by_role("button", name="Add user").click()
    expect(admin.get_by_role("status")).to_contain_text("User created successfully")
    expect(admin.locator("main")).to_contain_text("alice@corp.local")
