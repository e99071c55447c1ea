"""How the change signal (changes.py) learns that something was committed, engine by engine.

A watcher's `open()` is a context manager giving a watch: `pause(busy)` says how long the signal's
thread sleeps before asking again (woken early when a waiter arrives), and `changed()` whether
anything was committed since it last asked.
"""
import os
import sqlite3
import time
from contextlib import contextmanager

from backend.database.file_writes import FileWrites

# SQLite without inotify: how often the count is read while someone waits (each look costs some
# 50 us of CPU), and while nobody does (the thread lingers, see changes.py); with inotify, the
# longest it sleeps before looking anyway.
BUSY_POLL = 0.004
IDLE_POLL = 0.25
# After a write inotify reported: how long, and how often, to look for the commit it belongs to.
SETTLE = 0.02
SETTLE_POLL = 0.0005
# PostgreSQL: the longest the thread sleeps on its socket before looking whether anyone still waits.
LISTEN_PAUSE = 1.0
# The channel every write notifies at commit (migrations/versions/0018_data_version.py).
CHANNEL = "data_version"


class SQLiteWatcher:
    """`PRAGMA data_version` on a read-only connection of its own: the number changes whenever
    another connection, of any process, has committed to the file. It is asked when inotify says
    the file was written (file_writes.py), and every IDLE_POLL in case a write went unreported;
    where inotify is not to be had, every BUSY_POLL while anyone waits."""

    def __init__(self, path):
        self.path = path

    @contextmanager
    def open(self):
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                     check_same_thread=False)
        try:
            writes = FileWrites.open(self.path)
        except OSError:
            writes = None
        try:
            yield _SQLiteWatch(connection, writes)
        finally:
            if writes is not None:
                writes.close()
            connection.close()


class _SQLiteWatch:
    def __init__(self, connection, writes):
        self.connection = connection
        self.writes = writes
        self.seen = self._count()

    def _count(self):
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def pause(self, busy):
        if self.writes is not None:
            return 0  # changed() itself sleeps until the file is written
        return BUSY_POLL if busy else IDLE_POLL

    def changed(self):
        written = self.writes is not None and self.writes.wait(IDLE_POLL)
        count = self._count()
        # inotify reports the write of the commit's frames a moment before the commit is visible
        # (the index in -shm is updated after it): look again briefly before going back to sleep.
        deadline = time.monotonic() + SETTLE
        while written and count == self.seen and time.monotonic() < deadline:
            time.sleep(SETTLE_POLL)
            count = self._count()
        moved, self.seen = count != self.seen, count
        if moved and self.writes is not None:
            self.writes.wait(0)  # the rest of this commit's writes, reported already: nothing new
        return moved


class PostgresWatcher:
    """LISTEN on a connection of its own, asleep on its socket until a write's NOTIFY arrives (the
    data_version trigger sends one in the writing transaction, delivered at its commit)."""

    def __init__(self, conninfo):
        self.conninfo = conninfo

    @contextmanager
    def open(self):
        import psycopg  # here, not at the top: the driver took 0.1 s of every start on SQLite
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            yield _PostgresWatch(connection)


class _PostgresWatch:
    def __init__(self, connection):
        self.connection = connection

    @staticmethod
    def pause(busy):
        return 0  # changed() itself sleeps on the socket

    def changed(self):
        """Whether a notification came within LISTEN_PAUSE; a lost connection raises."""
        return any(True for _ in self.connection.notifies(timeout=LISTEN_PAUSE, stop_after=1))


def watcher_for(engine):
    """The watcher of the engine's database; None for an in-memory SQLite database."""
    url = engine.url
    if engine.dialect.name == "postgresql":
        return PostgresWatcher(url.set(drivername="postgresql").render_as_string(hide_password=False))
    if engine.dialect.name == "sqlite":
        path = url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            return SQLiteWatcher(os.path.abspath(path))
    return None
