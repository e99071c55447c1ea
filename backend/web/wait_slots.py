"""This process's slots for held waits: as many as held_waits() allows for the server serving it.

Made on the first GET /reservation/wait, from that request's server and RESERVIA_WAIT_THREADS, and
kept with the application for the life of the process.
"""
import threading

from flask import current_app, request

from backend.domain.held_waits import held_waits
from backend.logs import STARTUP, log
from backend.web.server_threads import server_threads

_EXTENSION = "reservia.wait_slots"
_made = threading.Lock()


class NoSlots:
    """No thread may be held: every waiter is answered at once and asks again."""

    @staticmethod
    def acquire(blocking=False):
        return False

    @staticmethod
    def release():
        raise RuntimeError("nothing was acquired")


def wait_slots():
    """The slots of the current application in this process (acquire(blocking=False), release())."""
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
    return threading.BoundedSemaphore(held) if held > 0 else NoSlots()
