"""How writers take SQLite's one write lock: in turn within a process, by quick polls between processes.

SQLite lets one transaction write at a time. Left to itself, a writer that finds the lock taken
sleeps 1, 2, 5, 10 ... up to 100 ms between tries, so the lock sits idle while waiters sleep:
with a write lasting about a millisecond, eight clients saw p99 latencies of half a second.
Here the threads of one process queue on a lock of their own (woken the moment it is free), and
only the first of them polls SQLite, every 0.1 to 1 ms. Either wait ends with `Busy` (503) after
RESERVIA_SQLITE_BUSY_TIMEOUT seconds in all, so a stuck writer elsewhere cannot hang this one.
"""
import random
import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext

from backend.errors import Busy

FIRST_PAUSE = 0.0001
LONGEST_PAUSE = 0.001


def is_lock_refusal(error):
    """Whether a driver error says the database lock was taken ("database is locked", "busy")."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


class SQLiteWriteQueue:
    def __init__(self, timeout_seconds):
        self.timeout = timeout_seconds
        self._turn = threading.RLock()
        self._deadline = threading.local()

    @contextmanager
    def turn(self):
        """Hold this process's writing turn; everything inside may begin a write transaction."""
        deadline = time.monotonic() + self.timeout
        if not self._turn.acquire(timeout=self.timeout):
            raise Busy()
        self._deadline.at = deadline
        try:
            yield
        finally:
            self._deadline.at = None
            self._turn.release()

    def begin_immediate(self, connection):
        """BEGIN IMMEDIATE on a sqlite3 connection, polling briefly until the lock is free."""
        deadline = getattr(self._deadline, "at", None) or time.monotonic() + self.timeout
        pause = FIRST_PAUSE
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    connection.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not is_lock_refusal(exc):
                        raise
                if time.monotonic() + pause > deadline:
                    raise Busy()
                time.sleep(pause * random.uniform(0.5, 1.0))
                pause = min(pause * 2, LONGEST_PAUSE)
        finally:
            connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")


class NoWriteQueue:
    """Engines with row locks need no queue: writers of different resources go side by side."""

    @staticmethod
    def turn():
        return nullcontext()
