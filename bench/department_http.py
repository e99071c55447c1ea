"""One virtual browser's (or CI job's) keep-alive connection that hands back whole answers: status,
headers, body, and the server's CPU for it (Server-Timing), on top of bench.load's HttpConnection."""
import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.load import REQUEST_TIMEOUT, HttpConnection

_TIMING = re.compile(rb"cpu;dur=([0-9.]+)(?:, app;dur=([0-9.]+))?(?:, queue;dur=([0-9.]+))?")


@dataclass
class Answer:
    """A response, or a failure (`status` is then the exception's name)."""

    status: object
    seconds: float
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    cpu_ms: float | None = None
    # Wall time in Reservia (Server-Timing app): the rest of `seconds` was spent before or after it.
    app_ms: float | None = None
    # Under mod_wsgi: from Apache accepting the request to Reservia starting on it.
    queued_ms: float | None = None
    # Connections opened for it (0: sent on a kept-alive one; 2: the kept one had been closed).
    connected: int = 0
    # What was asked ("GET /path", query left off): a failure's report names it.
    asked: str = ""

    def json(self):
        return json.loads(self.body)

    @property
    def ok(self):
        return isinstance(self.status, int) and self.status < 400


def _parse(raw):
    """(headers, body) of a whole response in `raw`; header names lowercased, Set-Cookie listed."""
    end = raw.find(b"\r\n\r\n")
    headers = {"set-cookie": []}
    for line in bytes(raw[:end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower().decode(), value.strip().decode("latin-1")
        if name == "set-cookie":
            headers[name].append(value)
        else:
            headers[name] = value
    body = bytes(raw[end + 4:])
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return headers, body


def _unchunk(data):
    out, at = bytearray(), 0
    while True:
        line_end = data.index(b"\r\n", at)
        size = int(data[at:line_end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[line_end + 2:line_end + 2 + size]
        at = line_end + 2 + size + 2


class Browser:
    """A keep-alive connection with a cookie jar (one cookie per name, as the site sets them) and
    the page it is on, which it names in a Referer header as a browser does."""

    def __init__(self, host, port, tls=None, headers=None):
        self.host, self.port, self.tls = host, port, tls
        self.cookies = {}
        self.headers = headers or {}
        self.connection = None
        self.page = None

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def on_page(self, path):
        """The browser shows the page at `path` (its query kept, no fragment): what it asks from
        now on, from the page's scripts or its forms, says so in Referer. The site's
        Referrer-Policy (same-origin) has browsers send it to the site, and over HTTPS its form
        posts need it: Flask-WTF refuses a form whose Referer is missing or from elsewhere."""
        scheme = "https" if self.tls else "http"
        self.page = f"{scheme}://{self.host}:{self.port}{path.split('#')[0]}"

    async def request(self, method, path, headers=None, json_body=None, form=None, query=None):
        """The Answer to one request; a GET whose idle connection the server closed meanwhile is
        sent once more on a new one, as browsers do."""
        asked = f"{method} {path}"
        if query:
            path = f"{path}?{urlencode(query)}"
        body = None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for name, value in {**self.headers, **(headers or {})}.items():
            lines.append(f"{name}: {value}")
        if self.cookies:
            lines.append(f"Cookie: {self.cookie_header()}")
        if self.page:
            lines.append(f"Referer: {self.page}")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            lines.append("Content-Type: application/json")
        elif form is not None:
            body = urlencode(form).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if body is not None or method == "POST":
            lines.append(f"Content-Length: {len(body or b'')}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
        began = time.monotonic()
        connected = 0
        for attempt in (1, 2):
            reused = self.connection is not None and not self.connection.transport.is_closing()
            try:
                if not reused:
                    connected += 1
                    _, self.connection = await asyncio.get_running_loop().create_connection(
                        HttpConnection, self.host, self.port, ssl=self.tls)
                status, keep_alive = await asyncio.wait_for(self.connection.send(raw), REQUEST_TIMEOUT)
                headers, payload = _parse(self.connection.buffer)
                if not keep_alive:
                    self.close()
                break
            except (TimeoutError, OSError, ConnectionError) as exc:
                self.close()
                stale = reused and not isinstance(exc, TimeoutError) and method == "GET"
                if attempt == 2 or not stale:
                    return Answer(type(exc).__name__, time.monotonic() - began, asked=asked)
        for cookie in headers["set-cookie"]:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        timing = _TIMING.search(headers.get("server-timing", "").encode())
        return Answer(status, time.monotonic() - began, headers, payload, asked=asked,
                      cpu_ms=float(timing.group(1)) if timing else None,
                      app_ms=float(timing.group(2)) if timing and timing.group(2) else None,
                      queued_ms=float(timing.group(3)) if timing and timing.group(3) else None,
                      connected=connected)

    def close(self):
        if self.connection is not None:
            self.connection.transport.close()
            self.connection = None
