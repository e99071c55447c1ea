"""The one transaction object every part of the Database layer shares: the write turn, the clock,
the read cache, the change signal, and the settings the rules read."""
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from backend.database.change_watchers import watcher_for
from backend.database.changes import ChangeSignal
from backend.database.engine import WRITE, configure_engine
from backend.database.read_cache import ReadCache, commit_counter_for, transaction_open
from backend.database.write_queue import NoWriteQueue, is_lock_refusal
from backend.errors import Busy, Conflict
from backend.extensions import db
from backend.models.types import utcnow

# Key in the session's info dict holding the write transaction's moment (None until first read).
_WRITE_TIME = "reservia_write_time"
# The number that moves with every write to users or login sessions (the 0019 migration).
SIGN_IN_VERSION = text("SELECT version FROM sign_in_version")


class NestedWrite(RuntimeError):
    """writing() inside writing(): the inner block would commit the outer one half-way."""


class Transactions:
    """Holds no session, engine or app: Flask-SQLAlchemy scopes those to the application context,
    so one instance serves one application for its whole life."""

    def __init__(self, clock=utcnow):
        # Tests replace the clock to make holds expire without sleeping.
        self.clock = clock
        # Replaced by bind() with the ones made for the application's engine.
        self.read_cache = ReadCache(counter=None)
        self.sign_in_cache = ReadCache(counter=None)
        self.write_queue = NoWriteQueue()
        self.changes = ChangeSignal(watcher=None)

    def bind(self, engine, busy_timeout_seconds):
        """Prepare the engine (SQLite's pragmas and write locks), the caches and the change signal
        made for it."""
        self.write_queue = configure_engine(engine, busy_timeout_seconds)
        self.read_cache = read_cache = ReadCache(commit_counter_for(engine))
        self.sign_in_cache = ReadCache(read_cache.counter)
        self.changes = changes = ChangeSignal(watcher_for(engine))

        @event.listens_for(engine, "engine_disposed")
        def _close_own_connections(_engine):
            # What the application disposes of, its counting and watching connections go with.
            if read_cache.counter is not None:
                read_cache.counter.close()
            changes.close()

    @property
    def session(self):
        return db.session

    @property
    def dialect(self):
        return db.engine.dialect.name

    @staticmethod
    def setting(name):
        return current_app.config[name]

    def minutes_setting(self, name):
        """A setting in minutes as a timedelta; 0 means "no limit" and gives None."""
        minutes = self.setting(name)
        return timedelta(minutes=minutes) if minutes > 0 else None

    def now(self):
        """The current time; inside a write, one moment for the whole transaction, read once
        the locks are held, so every timestamp it writes agrees and none predates a commit
        it waited for."""
        info = _session_info()
        if _WRITE_TIME not in info:
            return self.clock()
        if info[_WRITE_TIME] is None:
            info[_WRITE_TIME] = self.clock()
        return info[_WRITE_TIME]

    @contextmanager
    def writing(self):
        """A transaction that will write: the write lock is taken before anything is read.

        Not re-entrant: an inner writing() would commit the outer transaction half-way, so it is
        refused. A part that writes as a step of another's write takes the connection it is given.
        """
        session = db.session
        if _WRITE_TIME in session.info:
            raise NestedWrite("writing() inside writing(): pass the connection on instead")
        # A read snapshot left open by this request (the login check, say) cannot be upgraded
        # safely; end it so the write starts from a fresh, locked view of the data.
        session.commit()
        with self.write_queue.turn():
            session.connection(execution_options={WRITE: True})
            session.info[_WRITE_TIME] = None
            try:
                yield session
                session.commit()
                self.read_cache.request_wrote()
            except IntegrityError as exc:
                session.rollback()
                raise Conflict("That change conflicts with data stored meanwhile; try again.",
                               "CONFLICT") from exc
            except OperationalError as exc:
                session.rollback()
                if is_lock_refusal(exc.orig):
                    raise Busy() from exc
                raise
            except BaseException:
                session.rollback()
                raise
            finally:
                session.info.pop(_WRITE_TIME, None)

    def end_read(self):
        """Close the read snapshot so that a long request does not pin old data."""
        db.session.commit()

    def cached(self, key, build):
        """`build()` -> (answer, expires_at or None), run only when no answer for `key` is still
        valid: nothing committed since and expires_at not reached (see read_cache.py)."""
        return self.read_cache.get(key, build, self.now, writing=_WRITE_TIME in _session_info())

    def cached_until_sign_ins_change(self, key, build):
        """As `cached`, but kept across commits until the sign-in version moves (with any write to
        users or login sessions: migrations/versions/0019_sign_in_version.py). For who a session
        belongs to, which every signed-in request asks and nearly no commit changes: kept until
        the next commit, it was read again by every session after every commit."""
        if self.read_cache.revision(writing=_WRITE_TIME in _session_info()) is None:
            return build()[0]
        version = self.read_cache.get(("sign-in version",), self._sign_in_version, self.now)
        return self.sign_in_cache.get(key, build, self.now, kept_under=version)

    def _sign_in_version(self):
        return self.read_latest(SIGN_IN_VERSION, {})[0], None

    def read_latest(self, statement, parameters):
        """The first row of one read, as of the newest commit, without opening a transaction.

        On a write request the login lookup was the only read before the write: opening and
        closing a snapshot for it cost as much as the lookup. The commit-counting connection
        (read_cache.py) answers such reads on its own; an in-memory database, and a request that
        already holds a transaction, read through the session.
        """
        counter = self.read_cache.counter
        if counter is None or transaction_open():
            return db.session.connection().execute(statement, parameters).first()
        return counter.read_latest(statement, parameters)


def _session_info():
    """The request's session's info, without making a session just to look: a request answered
    from the read cache never needs one."""
    return db.session.registry().info if db.session.registry.has() else {}
