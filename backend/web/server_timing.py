"""`Server-Timing: cpu;dur=MS, app;dur=MS` on every answer when RESERVIA_SERVER_TIMING is on: the
benchmark's measure of what each kind of request costs the server (the CPU of the thread that
served it) and how long it spent in Reservia (wall time), which told apart from the latency the
client saw is the time spent waiting before Reservia (the server's queues, the network). Under
mod_wsgi, `queue;dur=MS` also tells how long the request waited between Apache accepting it and
Reservia starting on it (a free daemon thread, the interpreter lock)."""
import time


class ServerTiming:
    """WSGI middleware: the thread's CPU time from the request's arrival to its status line.

    Measured around the whole application, so that the session, the login lookup and the hooks
    count with the view; Reservia's answers are built whole before start_response is called, so
    the body's iteration adds nothing worth a second reading. thread_time() is the CPU of this
    thread alone: the other threads of the process serving other requests meanwhile are not in it.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started, arrived = time.thread_time(), time.perf_counter()
        timings = ""
        accepted = environ.get("mod_wsgi.request_start")  # microseconds since the epoch
        if accepted:
            timings = f", queue;dur={max(0.0, time.time() * 1000 - int(accepted) / 1000):.3f}"

        def timed_start_response(status, headers, exc_info=None):
            spent = (time.thread_time() - started) * 1000
            inside = (time.perf_counter() - arrived) * 1000
            headers = [*headers, ("Server-Timing", f"cpu;dur={spent:.3f}, app;dur={inside:.3f}{timings}")]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, timed_start_response)


def time_requests(app, enabled):
    """Wrap the application in ServerTiming when the setting asks for it; otherwise nothing changes."""
    if enabled:
        app.wsgi_app = ServerTiming(app.wsgi_app)
