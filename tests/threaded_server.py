"""Servers in a thread of the test process: the test's own application served over HTTP for
clients that run as processes (client/reservia.py), which then see the conftest clock and which
the test can make misbehave; and any other server a test runs (webhook receivers, health targets)."""
import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


class Flaky:
    """WSGI middleware: the next few calls to a path get a canned answer (a proxy's error page,
    a redirect, an odd header) instead of Reservia's; `calls` counts the calls to each path as they
    arrive, `answered` those Reservia has answered (a test that moves the clock after a call waits
    for its answer, so the call is served at the time it was made)."""

    def __init__(self, app):
        self.app = app
        self.canned = {}
        self.calls = {}
        self.answered = {}
        self.lock = threading.Lock()

    def fail(self, path, times, status="503 Service Unavailable"):
        """A proxy's HTML error page, as while Reservia restarts."""
        self.answer(path, times, status, [("Content-Type", "text/html")],
                    b"<html><body>Bad gateway: restarting</body></html>")

    def answer(self, path, times, status, headers, body=b""):
        with self.lock:
            self.canned[path] = [times, status, headers, body]

    def __call__(self, environ, start_response):
        with self.lock:
            path = environ.get("PATH_INFO")
            self.calls[path] = self.calls.get(path, 0) + 1
            canned = self.canned.get(path)
            if canned and canned[0] > 0:
                canned[0] -= 1
                start_response(canned[1], canned[2])
                return [canned[3]]
        answer = self.app(environ, start_response)
        with self.lock:
            self.answered[path] = self.answered.get(path, 0) + 1
        return answer


def start_in_thread(server):
    """Serve `server` from a daemon thread; returns the function that stops and closes it. It looks
    for the stop every 20 ms, not every half second as Python's default: each test stops its own
    servers, and half a second a test added up to a minute a run."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join()
        server.server_close()
    return stop


@contextmanager
def serving(app, port=0):
    """Yield (base URL, Flaky middleware) of `app` served on 127.0.0.1 until the block ends."""
    flaky = Flaky(app)
    server = make_server("127.0.0.1", port, flaky, threaded=True)
    stop = start_in_thread(server)
    try:
        yield f"http://127.0.0.1:{server.server_port}", flaky
    finally:
        stop()
