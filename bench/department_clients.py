"""What each member of the department does, request by request, as the browser's scripts and the
`reservia lock` client do it: open dashboards refreshing themselves, CI jobs looping lock cycles,
and a few people using the dashboard's and the Book page's forms."""
import asyncio
import html
import random
import re
import time
from datetime import UTC, datetime, timedelta

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}
# What the lock client uses (client/reservia.py): its lease, and a keep-alive every third of it.
LEASE_SECONDS = 60
KEEP_ALIVE_EVERY = LEASE_SECONDS / 3
SERVER_WAIT_LIMIT = 30
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _attribute(page, name):
    found = re.search(rf'{name}="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def _iso(moment):
    """A moment as the browser's Date.toISOString() writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Window:
    """The measured span: a request counts when it starts and ends inside it, once it is open.

    It opens when every dashboard is open (or the wait for them ends), not at the time first
    planned: a server slow to open the pages (Apache's first minute) had the requests of that
    planned span counted as well as the window's own, twice the refreshes at the opening's
    latencies, and more CPU in its requests than the server spent in the window."""

    def __init__(self, start, stop):
        self.start, self.stop, self.closed = start, stop, False
        self.opened = False

    def open(self, start, duration):
        self.start, self.stop, self.opened = start, start + duration, True

    def counts(self, began, ended):
        return self.opened and self.start <= began and ended <= self.stop


class Tally:
    """Every counted request by kind: latencies, errors and the server CPU it reported."""

    def __init__(self, window):
        self.window = window
        self.kinds = {}
        self.all_requests = 0
        self.all_errors = 0
        # Every failed answer, in the window or not: what it was, so that a report can say.
        self.failures = []
        self.refreshes_answered = 0
        # Dashboards open, and the interval they refresh at (the page's data-refresh-seconds).
        self.pages_open = 0
        self.refresh_seconds = None

    def record(self, kind, answer, expected):
        ended = time.monotonic()
        began = ended - answer.seconds
        failed = answer.status not in expected
        self.all_requests += 1
        self.all_errors += failed
        if failed:
            self.failures.append(_failure(kind, answer, began, self.window))
        if not self.window.counts(began, ended):
            return
        figures = self.kinds.setdefault(kind, {"latencies": [], "errors": 0, "error_kinds": {}, "cpu_ms": 0.0,
                                               "timed": 0, "in_app": [], "queued": [], "connected": 0,
                                               "told_to_close": 0})
        if failed:
            figures["errors"] += 1
            figures["error_kinds"][str(answer.status)] = figures["error_kinds"].get(str(answer.status), 0) + 1
        else:
            figures["latencies"].append(answer.seconds)
        if answer.cpu_ms is not None:
            figures["cpu_ms"] += answer.cpu_ms
            figures["timed"] += 1
        if answer.app_ms is not None and not failed:
            figures["in_app"].append(answer.app_ms / 1000)
        figures["connected"] += answer.connected > 0
        figures["told_to_close"] += answer.headers.get("connection", "").lower() == "close"
        if answer.queued_ms is not None and not failed:
            figures["queued"].append(answer.queued_ms / 1000)


def _page_text(page):
    """An error page's message (templates/errors/error.html: the paragraph under its heading), else its title."""
    found = re.search(r"</h1>\s*<p>\s*([^<]+)", page) or re.search(r"<title>\s*([^<]+)", page)
    return " ".join(html.unescape(found.group(1) if found else page[:80]).split())[:200]


def _failure(kind, answer, began, window):
    """One failed answer as the report tells it: its kind, request, status, the JSON body's "code"
    and "error" (an HTML error page's message), and when it was sent, from the window's start."""
    code = message = None
    if answer.body:
        try:
            found = answer.json()
        except ValueError:
            message = _page_text(answer.body.decode("utf-8", "replace"))
        else:
            if isinstance(found, dict):
                code, message = found.get("code"), found.get("error")
    return {"kind": kind, "asked": answer.asked, "status": answer.status, "code": code, "error": message,
            "retry_after": answer.headers.get("retry-after"), "at": round(began - window.start, 2),
            "in_window": window.counts(began, began + answer.seconds)}


async def _sleep_until(moment, window):
    while not window.closed and time.monotonic() < moment:
        await asyncio.sleep(min(1.0, moment - time.monotonic()))


async def sign_in(browser, name, password, tally):
    """The API login: a session cookie of the reader's own."""
    answer = await browser.request("POST", "/session/login", JSON, json_body={"name": name, "password": password})
    tally.record("sign in", answer, (200,))
    return answer.ok


class OpenDashboard:
    """dashboard.js and notifications.js on one open dashboard: the board every `seconds` after the
    previous answer, with If-None-Match and the cards it holds (Reservia-Cards: a changed board
    comes without them); the notices feed at 0.5 s, then only when the board's
    Reservia-Notices names a version the feed has not told, or the page was silent too long."""

    def __init__(self, browser, page, tally, window):
        self.browser, self.tally, self.window = browser, tally, window
        self.board_url = _attribute(page, "data-refresh-url")
        self.seconds = float(_attribute(page, "data-refresh-seconds") or 5)
        self.feed_url = _attribute(page, "data-feed-url")
        self.gap = float(_attribute(page, "data-validator-seconds") or 15)
        self.since = datetime.fromisoformat(_attribute(page, "data-since").replace("Z", "+00:00"))
        self.since_at = time.monotonic()
        self.validator = self.version = self.board_version = self.looked_at = None
        self.cards_held = ""

    def _recent(self, sent):
        return self.looked_at is not None and sent - self.looked_at <= self.gap

    def _current(self, sent):
        self.since += timedelta(seconds=max(0.0, sent - self.since_at))
        self.since_at = self.looked_at = sent

    async def look(self):
        sent = time.monotonic()
        headers = dict(JSON)
        if self.version is not None and self._recent(sent):
            headers["If-None-Match"] = self.version
        answer = await self.browser.request("GET", self.feed_url, headers, query={"since": _iso(self.since)})
        self.tally.record(f"notices {answer.status}", answer, (200, 304))
        if answer.status == 304:
            self._current(sent)
        elif answer.status == 200:
            self.version = answer.headers.get("etag")
            self.since = datetime.fromisoformat(answer.json()["now"].replace("Z", "+00:00"))
            self.since_at, self.looked_at = time.monotonic(), sent

    async def refresh(self):
        """One board refresh; True when the feed must be asked now."""
        sent = time.monotonic()
        headers = dict(HTML, **{"Reservia-Cards": self.cards_held})
        if self.validator:
            headers["If-None-Match"] = self.validator
        answer = await self.browser.request("GET", self.board_url, headers)
        self.tally.record(f"board {answer.status}", answer, (200, 304))
        if answer.status not in (200, 304):
            return False
        if self.window.counts(sent, time.monotonic()):
            self.tally.refreshes_answered += 1
        if answer.status == 200:
            self.validator = answer.headers.get("etag")
            self.cards_held = answer.headers.get("reservia-cards", "")
            self.board_version = answer.headers.get("reservia-notices")
        if self.board_version and self.board_version == self.version and self._recent(sent):
            self._current(sent)
            return False
        return True

    async def run(self):
        opened = time.monotonic()
        next_feed, next_board = opened + 0.5, opened + self.seconds
        while not self.window.closed:
            await _sleep_until(min(next_feed, next_board), self.window)
            now = time.monotonic()
            if now >= next_feed:
                await self.look()
                next_feed = time.monotonic() + 2 * self.seconds
            elif now >= next_board:
                if await self.refresh():
                    await self.look()
                next_feed = time.monotonic() + 2 * self.seconds
                next_board = time.monotonic() + self.seconds


async def reader(connect, name, password, opens_at, tally, window):
    """Someone who signs in, opens the dashboard and leaves it open."""
    await _sleep_until(opens_at, window)
    browser = connect()
    try:
        if not await sign_in(browser, name, password, tally):
            return
        page = await browser.request("GET", "/", HTML)
        tally.record("dashboard page", page, (200,))
        if page.status == 200:
            browser.on_page("/")
            dashboard = OpenDashboard(browser, page.body.decode(), tally, window)
            tally.pages_open += 1
            tally.refresh_seconds = dashboard.seconds
            await dashboard.run()
    finally:
        browser.close()


async def _keep_alive(browser, request_id, tally):
    """The lock client's keep-alive of a waiting or held request; returns when it was sent."""
    sent = time.monotonic()
    answer = await browser.request("POST", "/reservation/keep_alive", json_body={"request_id": request_id})
    tally.record("CI keep-alive", answer, (200,))
    return sent


async def ci_job(connect, token, label, hold, tally, window, starts_at):
    """`reservia lock --labels LABEL -- CMD` in a loop, CMD taking `hold` seconds: the resource
    list, the request, waits honouring Retry-After with keep-alives, the hold, the release."""
    await _sleep_until(starts_at, window)
    browser = connect()
    browser.headers = {"Authorization": f"Bearer {token}", **JSON}
    try:
        while not window.closed:
            tally.record("CI resource list", await browser.request("GET", "/info/resources"), (200,))
            asked = await browser.request("POST", "/reservation/request",
                                          json_body={"labels": [label], "lease_seconds": LEASE_SECONDS})
            tally.record("CI request", asked, (201,))
            if asked.status != 201:
                await asyncio.sleep(1)
                continue
            request_id, status = asked.json()["request_id"], asked.json()["status"]
            kept = time.monotonic() - asked.seconds
            while status == "requested" and not window.closed:
                if time.monotonic() - kept >= KEEP_ALIVE_EVERY:
                    kept = await _keep_alive(browser, request_id, tally)
                timeout = max(0, min(SERVER_WAIT_LIMIT, int(kept + KEEP_ALIVE_EVERY - time.monotonic())))
                sent = time.monotonic()
                answer = await browser.request("GET", "/reservation/wait",
                                               query={"request_id": request_id, "timeout": timeout})
                tally.record("CI wait", answer, (200,))
                if answer.status != 200:
                    await asyncio.sleep(1)
                    continue
                status = answer.json()["status"]
                retry_after = answer.headers.get("retry-after")
                if status == "requested" and (retry_after or timeout == 0):
                    await asyncio.sleep(max(0.0, max(float(retry_after or 0), 0.5) - (time.monotonic() - sent)))
            if status != "approved" or window.closed:
                continue
            held_until = time.monotonic() + hold
            while time.monotonic() < held_until and not window.closed:
                await asyncio.sleep(min(held_until, kept + KEEP_ALIVE_EVERY) - time.monotonic())
                if time.monotonic() - kept >= KEEP_ALIVE_EVERY:
                    kept = await _keep_alive(browser, request_id, tally)
            released = await browser.request("POST", "/reservation/release", json_body={"request_id": request_id})
            tally.record("CI release", released, (200,))
    finally:
        browser.close()


class Person:
    """Someone at the dashboard who requests their desk, releases it and books it, in turn, with
    the page's forms (each post carries the page's CSRF token; the board is fetched again after
    each action, as dashboard.js does) and the Book page's form."""

    def __init__(self, browser, desk, index, tally):
        self.browser, self.desk, self.index, self.tally = browser, desk, index, tally
        self.csrf = self.board_url = None
        self.bookings = 0

    async def open(self, name, password):
        if not await sign_in(self.browser, name, password, self.tally):
            return False
        page = await self.browser.request("GET", "/", HTML)
        self.tally.record("dashboard page", page, (200,))
        if page.status != 200:
            return False
        text = page.body.decode()
        self.csrf, self.board_url = _CSRF.search(text).group(1), _attribute(text, "data-refresh-url")
        return True

    async def act_on_card(self, action, expected):
        at = f"resource-{self.desk}"
        # Back at the dashboard (from the Book page's calendar, say), whose script posts the card.
        self.browser.on_page("/")
        answer = await self.browser.request("POST", f"/reservation/{action}", JSON, form={
            "csrf_token": self.csrf, "resource_id": self.desk, "next": f"/?at={at}#{at}"})
        self.tally.record(f"browser {action}", answer, expected)
        self.tally.record("board after action", await self.browser.request("GET", self.board_url, HTML), (200,))

    async def book(self):
        book_page = f"/reservation/book?resource_id={self.desk}"
        page = await self.browser.request("GET", book_page, HTML)
        self.tally.record("book page", page, (200,))
        if page.status != 200:
            return
        self.browser.on_page(book_page)
        self.bookings += 1
        day = (datetime.now(UTC) + timedelta(days=2 + self.bookings)).date().isoformat()
        answer = await self.browser.request("POST", "/reservation/book", HTML, form={
            "csrf_token": _CSRF.search(page.body.decode()).group(1), "resource_id": self.desk, "date": day,
            "start_time": "10:00", "end_time": "11:00", "time_zone": "UTC", "repeat_every": "",
            "repeat_until": "", "note": "bench"})
        self.tally.record("browser book", answer, (302,))
        if answer.status == 302:
            week = await self.browser.request("GET", answer.headers["location"], HTML)
            self.tally.record("calendar page", week, (200,))
            if week.status == 200:
                self.browser.on_page(answer.headers["location"])


async def person(connect, name, password, desk, index, pause, tally, window, starts_at):
    await _sleep_until(starts_at, window)
    browser = connect()
    someone = Person(browser, desk, index, tally)
    try:
        if not await someone.open(name, password):
            return
        actions = [lambda: someone.act_on_card("request", (201,)), lambda: someone.act_on_card("release", (200,)),
                   someone.book]
        turn = 0
        while not window.closed:
            await asyncio.sleep(random.uniform(0.5, 1.5) * pause)
            if not window.closed:
                await actions[turn % len(actions)]()
                turn += 1
    finally:
        browser.close()
