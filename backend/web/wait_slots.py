"""This process's slots for held waits: as many as held_waits() allows for the server serving it,
handed first to the waiters next in line (may_hold, backend/domain/held_waits.py).

Made on the first GET /reservation/wait, from that request's server and RESERVIA_WAIT_THREADS, and
kept with the application for the life of the process.
"""
import threading

from flask import current_app, request

from backend.domain.held_waits import held_waits, may_hold
from backend.logs import STARTUP, log
from backend.web.server_threads import server_threads

_EXTENSION = "reservia.wait_slots"
_made = threading.Lock()


class WaitSlots:
    """`total` threads of this process that waits may hold."""

    def __init__(self, total):
        self.total = total
        self.taken = 0
        self._lock = threading.Lock()

    def acquire(self, next_in_line=True):
        """Take a slot if one may be held for this waiter (never blocks); whether one was taken."""
        with self._lock:
            if not may_hold(self.taken, self.total, next_in_line):
                return False
            self.taken += 1
            return True

    def release(self):
        with self._lock:
            if self.taken <= 0:
                raise RuntimeError("nothing was acquired")
            self.taken -= 1


class NoSlots:
    """No thread may be held: every waiter is answered at once and asks again."""

    @staticmethod
    def acquire(next_in_line=True):
        return False

    @staticmethod
    def release():
        raise RuntimeError("nothing was acquired")


def wait_slots():
    """The slots of the current application in this process (acquire(next_in_line), release())."""
    app = current_app._get_current_object()
    slots = app.extensions.get(_EXTENSION)
    if slots is None:
        with _made:
            slots = app.extensions.get(_EXTENSION)
            if slots is None:
                slots = app.extensions[_EXTENSION] = _make(app.config["RESERVIA_WAIT_THREADS"])
    return slots


def _make(setting):
    threads = server_threads(request.environ)
    explicit = None if setting == "" else setting
    held = held_waits(threads, explicit)
    told = "" if explicit is None else f", RESERVIA_WAIT_THREADS={explicit}"
    log.info("%s waits hold at most %d threads of this process: %s%s", STARTUP, held, threads.describe(), told)
    return WaitSlots(held) if held > 0 else NoSlots()
