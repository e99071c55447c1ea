"""This process's change signal: whoever waits for the database to change (a held GET
/reservation/wait, the delivery worker between passes) is woken as soon as anything is committed,
by any process, instead of re-reading on a timer.

One daemon thread per process and database learns of commits (change_watchers.py: SQLite's
`PRAGMA data_version` read when inotify reports a write to the file, PostgreSQL's LISTEN) and
moves a generation number, waking every waiter. A waiter notes the generation *before* it reads,
then waits for it to move: a commit after its read always moves it later, since the watcher
compares against a count it read earlier still.

The thread starts with the first waiter and ends LINGER seconds after the last one left, closing
its connection, so a process nobody waits in holds nothing. It moves the generation when it
starts watching: a commit made while nothing watched must not be missed by a waiter that noted the
generation before. While it cannot watch (the database unreachable) waiters re-read every
FALLBACK_INTERVAL, as before there was a signal, and it tries again every RECONNECT_PAUSE.
"""
import os
import threading
import time
from contextlib import contextmanager

from backend.logs import log

# While the signal is down, a waiter re-reads this often.
FALLBACK_INTERVAL = 0.25
# How long the thread outlives its last waiter; how long it pauses between attempts to watch.
LINGER = 10.0
RECONNECT_PAUSE = 1.0


class ChangeSignal:
    """Wakes this process's waiters when the database changed (see the module docstring).

    `watcher` opens what watches the database (change_watchers.py); None: nothing can watch
    (an in-memory database), and waiters only ever re-read every FALLBACK_INTERVAL.
    """

    def __init__(self, watcher):
        self.watcher = watcher
        self._pid = None
        self._own()

    def _own(self):
        """Fork safety: a child starts afresh; the parent's thread, lock and connection are not its own."""
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._changed = threading.Condition()
        self._generation = 0
        self._waiting = 0
        self._thread = None
        self._closed = False
        self.watching = False

    def close(self):
        """End the thread within a second or so (the application is being disposed of); waiters
        fall back to re-reading, and a new waiter starts it again."""
        self._own()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    @contextmanager
    def listening(self):
        """While inside, this thread may wait(); the watcher runs (and, on SQLite, polls often)."""
        self._own()
        with self._changed:
            self._waiting += 1
            self._closed = False
            if self._thread is None and self.watcher is not None:
                self._thread = threading.Thread(target=self._watch, name="reservia-changes", daemon=True)
                self._thread.start()
            # A watcher pausing for the idle interval starts polling often at once.
            self._changed.notify_all()
        try:
            yield self
        finally:
            with self._changed:
                self._waiting -= 1

    def generation(self):
        """A number that moves whenever the database changed; note it before reading."""
        self._own()
        with self._changed:
            return self._generation

    def wait(self, seen, timeout, poll_when_down=True):
        """Until the generation is no longer `seen`, or `timeout` seconds; while nothing watches, at
        most FALLBACK_INTERVAL unless `poll_when_down` is false. Returns whether it moved."""
        with self._changed:
            if poll_when_down and not self.watching:
                timeout = min(timeout, FALLBACK_INTERVAL)
            return self._changed.wait_for(lambda: self._generation != seen, max(timeout, 0))

    def wake(self):
        """Wake every waiter of this process as if the database changed (one of them is stopping)."""
        self._own()
        self._moved()

    def _moved(self, watching=None):
        with self._changed:
            self._generation += 1
            if watching is not None:
                self.watching = watching
            self._changed.notify_all()

    def _idle_too_long(self, idle_since):
        """(whether to end the thread, the moment it became idle); ends it under the lock, so
        that a waiter arriving meanwhile starts a new one."""
        with self._changed:
            if self._closed:
                self._thread = None
                self.watching = False
                return True, idle_since
            if self._waiting:
                return False, None
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since < LINGER:
                return False, idle_since
            self._thread = None
            self.watching = False
            return True, idle_since

    def _watch(self):
        idle_since = None
        while True:
            try:
                with self.watcher.open() as watch:
                    self._moved(watching=True)
                    while True:
                        done, idle_since = self._idle_too_long(idle_since)
                        if done:
                            return
                        pause = watch.pause(busy=idle_since is None)
                        if pause:
                            with self._changed:
                                self._changed.wait(pause)
                        if watch.changed():
                            self._moved()
            except Exception as error:  # noqa: BLE001 - any failure to watch: waiters poll, we retry
                log.info("database change signal down, waiters re-read every %.2f s: %s",
                         FALLBACK_INTERVAL, error)
                self._moved(watching=False)
            done, idle_since = self._idle_too_long(idle_since)
            if done:
                return
            time.sleep(RECONNECT_PAUSE)
