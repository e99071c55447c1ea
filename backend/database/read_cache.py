"""Answers kept in memory until anything is committed to the database, or until their own deadline.

SQLite counts commits for us: `PRAGMA data_version` on a connection changes whenever another
connection, of any process, has committed since that connection last asked. Each process keeps one
idle read-only connection to ask it, at the start of every request and before the request's first
query. While the number stays the same nothing in the file changed, so a list this process built
earlier is still the answer, however many processes share the file.

Why this is safe:
- the number is read before the request opens its snapshot, so whatever the request builds is at
  least as new as the number it is stored under;
- an entry is served only under the number it was stored under, and the whole cache is dropped
  when the number moves, so a commit anywhere is seen by the next request everywhere;
- numbers read on different connections cannot be compared (each connection counts from its
  own start), so the number carries which connection read it: when the connection is reopened,
  after an error or in a forked child, the whole cache is dropped too;
- nothing is stored or served inside a write transaction, nor after the request has committed
  one (it must read its own writes), nor when the request began with a transaction already open;
- the login lookup, when it must be read, is read on that same connection in autocommit
  (`read_latest`), after the number: it is as new as anything else the request builds.
Other engines have no such counter: there every call builds its answer afresh.
"""
import os
import sqlite3
import threading

from flask import g, has_app_context
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from backend.extensions import db

# Key in flask.g: the commit count read at the start of the request, or None for "do not cache".
_REQUEST_REVISION = "reservia_revision"
# Per-resource lists and login tokens are keyed by what a caller sends: bound what they can fill.
MAX_ENTRIES = 4096


class CommitCounter:
    """SQLite's commit counter for one database file, asked on a connection of this process.

    The same idle read-only connection also answers single reads that need the latest committed
    data but no transaction of their own (see `read_latest`).
    """

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._pid = None
        # How many times a connection was opened: part of every number current() gives.
        self._opened = 0
        # Autocommit: each statement reads the newest commit; nothing is ever left open.
        self.engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", poolclass=NullPool,
                                     isolation_level="AUTOCOMMIT")
        self._reader = None

    def current(self):
        """A value that changes whenever anything was committed to the file, or the connection
        that counts was replaced; None if unknown."""
        with self._lock:
            try:
                driver = self._open().connection.driver_connection
                return self._opened, driver.execute("PRAGMA data_version").fetchone()[0]
            except (sqlite3.Error, DBAPIError):
                self._close()
                return None

    def read_latest(self, statement, parameters):
        """The first row of a read statement as of the newest commit, or None if there is none."""
        with self._lock:
            try:
                return self._open().execute(statement, parameters).first()
            except DBAPIError:
                self._close()
                raise

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
    """Built answers by key, valid for one commit count of the database and until their expiry."""

    def __init__(self, counter):
        self.counter = counter
        self._lock = threading.Lock()
        self._revision = None
        self._entries = {}

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

    def get(self, key, build, now, writing=False):
        """The stored answer for `key`, or `build()` -> (answer, expires_at or None), stored."""
        revision = g.get(_REQUEST_REVISION) if has_app_context() and not writing else None
        if revision is None:
            return build()[0]
        with self._lock:
            if revision != self._revision:
                self._entries = {}
                self._revision = revision
            found = self._entries.get(key)
        if found is not None and (found[1] is None or now() < found[1]):
            return found[0]
        answer, expires_at = build()
        with self._lock:
            if revision == self._revision:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries = {}
                self._entries[key] = (answer, expires_at)
        return answer


def transaction_open():
    """Whether this request's session holds a transaction, asked without making a session."""
    registry = db.session.registry
    return registry.has() and registry().in_transaction()


def commit_counter_for(engine):
    """The commit counter of a SQLite file; None for other engines and in-memory databases."""
    if engine.dialect.name != "sqlite":
        return None
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return CommitCounter(os.path.abspath(path))
