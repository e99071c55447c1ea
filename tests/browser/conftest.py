"""A live Reservia on a free loopback port, and Debian's headless Chromium driven by Playwright."""
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.conftest import ADMIN_PASSWORD, application_at

# Debian's build of Chromium's headless shell: the same engine (Blink, V8) and version as its
# `chromium`, without the desktop browser around it (profile services, password manager, UI),
# as Playwright itself runs headless: each page load costs it half the CPU. What the shell lacks,
# desktop notifications (it denies every page), is tested in the whole browser, DESKTOP_CHROMIUM.
CHROMIUM = "/usr/bin/chromium-headless-shell"
DESKTOP_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


class LiveServer:
    """Reservia served by Werkzeug in a thread, with its data in a temporary RESERVIA_HOME."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # Looking for shutdown() every 20 ms, not every 0.5 s: each test stops its own server.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join()


# Open pages refresh every second, so that the tests of refreshing wait a second, not five.
LIVE_SETTINGS = {"RESERVIA_REFRESH_SECONDS": 1}


@pytest.fixture
def live_server(make_app):
    """A server of the test's own, on a database of its own."""
    server = LiveServer(make_app(**LIVE_SETTINGS))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_live_server(tmp_path_factory, migrated_template):
    """One server for a whole module whose tests only look at what its first one set up: a server,
    a context and a login per case would cost more than the cases themselves."""
    home = tmp_path_factory.mktemp("live") / "home"
    with application_at(home, migrated_template, **LIVE_SETTINGS) as application:
        server = LiveServer(application)
        server.start()
        yield server
        server.stop()


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    """The headless shell every test drives, unless its module asks for `desktop_browser`."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def desktop_browser(playwright):
    """The whole Chromium, headless, launched only for the tests of what the shell lacks: a module
    overrides `browser` with it (`def browser(desktop_browser): return desktop_browser`)."""
    chromium = playwright.chromium.launch(executable_path=DESKTOP_CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """Opens a page in a fresh browser context (its own cookies). When a name is given, logged in
    and at `at`: the dashboard, as the login form leaves a user (without its "Welcome" message),
    or the page the test starts at; None leaves it blank, for a test that first sets up through
    page.request (each page loaded costs a tenth to a quarter of a second of CPU)."""
    contexts = []

    def open_as(name=None, password=None, viewport=DESKTOP, timezone_id="UTC", javascript=True, at="/"):
        context = new_context(browser, live_server, viewport, timezone_id, javascript)
        contexts.append(context)
        page = context.new_page()
        if name:
            sign_in(context.request, name, password or ADMIN_PASSWORD)
            if at:
                page.goto(at)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def api_as(playwright, live_server):
    """The JSON API as a user, with no page open: for a test's own set-up and for the moves of
    people whose screens it does not look at (an open page loads a dashboard and asks for it
    again every second until the test ends)."""
    clients = []

    def log_in_as(name, password=None):
        api = playwright.request.new_context(base_url=live_server.url)
        clients.append(api)
        sign_in(api, name, password or ADMIN_PASSWORD)
        return api

    yield log_in_as
    for api in clients:
        api.dispose()


def new_context(browser, server, viewport=DESKTOP, timezone_id="UTC", javascript=True):
    """A browser context of its own (cookies, storage) on `server`, in British English."""
    context = browser.new_context(viewport=viewport, base_url=server.url, timezone_id=timezone_id,
                                  locale="en-GB", java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    return context


def sign_in(api, name, password):
    """Logs in through the JSON API (a browser context's `request`, or an api_as client): the same
    session cookie as the login form's, for the tests about something else, without loading and
    posting the form (a page load is most of what a browser test costs). The form's own tests
    use log_in."""
    answer = api.post("/session/login", data={"name": name, "password": password})
    assert answer.ok, f"{name} could not log in: {answer.status} {answer.text()}"


def log_in(page, name, password):
    """Logs in through the login form, as a person does, and waits for the dashboard."""
    page.goto("/session/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def screenshot(page, name, full_page=True):
    """Saves the page (or what the window shows) as docs/screenshots/NAME.png (shown in the
    README) when RESERVIA_SCREENSHOTS=1 (`make screenshots`). Otherwise it renders nothing: a
    test run leaves the images kept in git alone, and a full-page PNG nobody keeps cost a
    third of a second of CPU each."""
    if os.environ.get("RESERVIA_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(full_page=full_page, path=SCREENSHOTS / f"{name}.png")
