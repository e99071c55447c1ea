"""Answers kept in memory until anything is committed to the database, or until their own deadline.

Both engines count commits for us. SQLite: `PRAGMA data_version` on a connection changes whenever
another connection, of any process, has committed since that connection last asked. PostgreSQL:
the one row of the `data_version` table, which a trigger on every table Reservia writes moves in
the writing transaction itself, just before it commits (migrations/versions/0018_data_version.py):
the new number becomes visible exactly when the data does. Each process keeps one idle
connection to ask it (read-only on SQLite, autocommit on PostgreSQL), at the start of every
request and before the request's first query. While the number stays the same nothing was
committed, so a list this process built earlier is still the answer, however many processes (or,
on PostgreSQL, hosts) share the database.

Why this is safe:
- the number is read before the request opens its snapshot, so whatever the request builds is at
  least as new as the number it is stored under (on PostgreSQL the number is read in a statement
  of its own, whose snapshot is older than any the request takes afterwards, and a transaction's
  data and its move of the number become visible together at its commit);
- every commit that changes data moves the number (on PostgreSQL: every write to any table
  but the number's own fires the trigger; a test checks that no table lacks it);
- an entry is served only under the number it was stored under (the answers of the last few
  numbers are kept side by side, each under its own), so a commit anywhere is seen by the next
  request everywhere;
- SQLite's numbers read on different connections cannot be compared (each connection counts
  from its own start), so the number carries which connection read it: when the connection is reopened,
  after an error or in a forked child, no number read before can match again;
- nothing is stored or served inside a write transaction, nor after the request has committed
  one (it must read its own writes), nor when the request began with a transaction already open;
- the login lookup, when it must be read, is read on that same connection in autocommit
  (`read_latest`), after the number: it is as new as anything else the request builds.
An in-memory database has no counter worth keeping: there every call builds its answer afresh.

Who a session belongs to is kept longer, under the sign-in version rather than the commit count
(Transactions.cached_until_sign_ins_change): a number in the database that triggers move with
every write to users or login sessions (migrations/versions/0019_sign_in_version.py). It is read
under the commit count, once per commit and process, on the same connection and after the count;
the session's row is read after it: the same reasoning holds with the number in the count's place.
"""
import os
import sqlite3
import threading
from collections import OrderedDict

from flask import g, has_app_context
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from backend.extensions import db

# Key in flask.g: the commit count read at the start of the request, or None for "do not cache".
_REQUEST_REVISION = "reservia_revision"
# Per-resource lists and login tokens are keyed by what a caller sends: bound what they can fill.
MAX_ENTRIES = 4096
# How long a request waits for another thread's build of the same answer before building its own.
BUILD_WAIT = 2.0
# How many commit counts' answers are kept at once (see ReadCache).
COUNTS_KEPT = 4


class CommitCounter:
    """The database's commit counter, asked on an idle connection of this process.

    The same connection also answers single reads that need the latest committed data but no
    transaction of their own (see `read_latest`).
    """

    def __init__(self, url):
        self._lock = threading.Lock()
        self._pid = None
        # How many times a connection was opened: part of every number current() gives.
        self._opened = 0
        # Autocommit: each statement reads the newest commit; nothing is ever left open.
        self.engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self._reader = None

    def current(self):
        """A value that changes whenever anything was committed, or the connection that counts
        was replaced; None if unknown."""
        with self._lock:
            try:
                return self._opened, self._count(self._open())
            except (sqlite3.Error, DBAPIError):
                self._close()
                return None

    def _count(self, connection):
        raise NotImplementedError

    def read_latest(self, statement, parameters):
        """The first row of a read statement as of the newest commit, or None if there is none."""
        with self._lock:
            try:
                return self._open().execute(statement, parameters).first()
            except DBAPIError:
                self._close()
                raise

    def close(self):
        """Close the connection (the application is being disposed of); the next use opens one."""
        with self._lock:
            self._close()

    def _open(self):
        if self._reader is None or self._pid != os.getpid():
            # A forked child must not share its parent's connection.
            self._reader = self.engine.connect()
            self._pid = os.getpid()
            self._opened += 1
        return self._reader

    def _close(self):
        reader, self._reader = self._reader, None
        if reader is not None and self._pid == os.getpid():
            reader.invalidate()


class ReadCache:
    """Built answers by key, each valid for the commit count it was built under and until its expiry.

    The answers of the last few counts are kept side by side: a request's count is read when it
    starts, so under load requests of the count before the last commit are still being served
    while newer ones arrive; with one count kept, each of them would drop the newer answers and
    the next newer request drop theirs again.

    One build per key and count: when a commit moves the count, every thread of the process that
    asks meanwhile (a dashboard's refresh each, under load) would otherwise build the same list at
    once, each as slowly as the interpreter lock makes it; the first one builds, the others wait
    for its answer (at most BUILD_WAIT seconds, then build their own)."""

    def __init__(self, counter):
        self.counter = counter
        self._lock = threading.Lock()
        # Commit count -> {key: (answer, expires_at)}, the oldest count first.
        self._kept = OrderedDict()
        # (commit count, key) -> Event set when the build under way ends.
        self._building = {}

    def start_request(self):
        """Read the commit count before the request's first query (see the module docstring)."""
        revision = None
        if self.counter is not None and not transaction_open():
            revision = self.counter.current()
        setattr(g, _REQUEST_REVISION, revision)

    @staticmethod
    def request_wrote():
        """The request committed: from now on it reads afresh, to see its own writes."""
        if has_app_context():
            g.pop(_REQUEST_REVISION, None)

    @staticmethod
    def revision(writing=False):
        """The commit count read at the start of this request; None when nothing may be kept or
        served (see the module docstring)."""
        return g.get(_REQUEST_REVISION) if has_app_context() and not writing else None

    def get(self, key, build, now, writing=False, kept_under=None):
        """The stored answer for `key`, or `build()` -> (answer, expires_at or None), stored.

        `kept_under`: a number read (under this request's commit count) that moves with every
        commit that could change the answer, to keep it under instead of the commit count."""
        revision = self.revision(writing)
        if revision is None:
            return build()[0]
        if kept_under is not None:
            revision = kept_under
        with self._lock:
            found = self._found(self._entries(revision), key, now)
            if found is not None:
                return found[0]
            flight = self._building.get((revision, key))
            mine = flight is None
            if mine:
                flight = self._building[(revision, key)] = threading.Event()
        if not mine:
            flight.wait(BUILD_WAIT)
            with self._lock:
                found = self._found(self._kept.get(revision, {}), key, now)
            # None: the build failed (or took too long): this request builds its own.
            return found[0] if found is not None else build()[0]
        try:
            answer, expires_at = build()
            with self._lock:
                entries = self._kept.get(revision)
                if entries is not None:
                    if len(entries) >= MAX_ENTRIES:
                        entries.clear()
                    entries[key] = (answer, expires_at)
            return answer
        finally:
            with self._lock:
                if self._building.get((revision, key)) is flight:
                    del self._building[(revision, key)]
            flight.set()

    def _entries(self, revision):
        """The answers kept for `revision`, made empty if new (forgetting the oldest count's beyond
        COUNTS_KEPT); the caller holds the lock."""
        entries = self._kept.get(revision)
        if entries is None:
            entries = self._kept[revision] = {}
            while len(self._kept) > COUNTS_KEPT:
                self._kept.popitem(last=False)
        return entries

    @staticmethod
    def _found(entries, key, now):
        found = entries.get(key)
        return found if found is not None and (found[1] is None or now() < found[1]) else None


def transaction_open():
    """Whether this request's session holds a transaction, asked without making a session."""
    registry = db.session.registry
    return registry.has() and registry().in_transaction()


class SQLiteCommitCounter(CommitCounter):
    """SQLite's own count, `PRAGMA data_version`, on a read-only connection to the file."""

    def __init__(self, path):
        super().__init__(f"sqlite:///file:{path}?mode=ro&uri=true")
        self.path = path

    def _count(self, connection):
        return connection.connection.driver_connection.execute("PRAGMA data_version").fetchone()[0]


class PostgresCommitCounter(CommitCounter):
    """The `data_version` row that every write moves in its own transaction (the 0018 migration)."""

    def _count(self, connection):
        # On the driver's connection, as SQLite's PRAGMA: the per-request check, not a query of the request's.
        return connection.connection.driver_connection.execute(READ_VERSION).fetchone()[0]


# Before the migration made the table, the error makes current() None: nothing is cached.
READ_VERSION = "SELECT version FROM data_version"


def commit_counter_for(engine):
    """The commit counter of a SQLite file or a PostgreSQL database; None for in-memory databases."""
    if engine.dialect.name == "postgresql":
        return PostgresCommitCounter(engine.url)
    if engine.dialect.name != "sqlite":
        return None
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return SQLiteCommitCounter(os.path.abspath(path))
