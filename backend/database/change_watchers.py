"""How the change signal (changes.py) learns that something was committed, engine by engine.

A watcher's `open()` is a context manager giving a watch: `pause(busy)` says how long the signal's
thread sleeps before asking again (woken early when a waiter arrives), and `changed()` whether
anything was committed since it last asked.
"""
import os
import sqlite3
from contextlib import contextmanager

import psycopg

# SQLite: how often the count is read while someone waits (each read costs some microseconds),
# and while nobody does (the thread lingers, see changes.py).
BUSY_POLL = 0.004
IDLE_POLL = 0.25
# PostgreSQL: the longest the thread sleeps on its socket before looking whether anyone still waits.
LISTEN_PAUSE = 1.0
# The channel every write notifies at commit (migrations/versions/0018_data_version.py).
CHANNEL = "data_version"


class SQLiteWatcher:
    """`PRAGMA data_version` on a read-only connection of its own: the number changes whenever
    another connection, of any process, has committed to the file."""

    def __init__(self, path):
        self.path = path

    @contextmanager
    def open(self):
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                     check_same_thread=False)
        try:
            yield _SQLiteWatch(connection)
        finally:
            connection.close()


class _SQLiteWatch:
    def __init__(self, connection):
        self.connection = connection
        self.seen = self._count()

    def _count(self):
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    @staticmethod
    def pause(busy):
        return BUSY_POLL if busy else IDLE_POLL

    def changed(self):
        count = self._count()
        moved, self.seen = count != self.seen, count
        return moved


class PostgresWatcher:
    """LISTEN on a connection of its own, asleep on its socket until a write's NOTIFY arrives (the
    data_version trigger sends one in the writing transaction, delivered at its commit)."""

    def __init__(self, conninfo):
        self.conninfo = conninfo

    @contextmanager
    def open(self):
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
