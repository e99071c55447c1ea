"""The Users part: accounts, passwords and login sessions."""
import hashlib
import secrets
from dataclasses import fields
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from backend.database.results import SignedInUser
from backend.errors import Conflict, Invalid, NotAuthenticated, NotFound
from backend.logs import ADMIN, SESSION, log
from backend.models import LoginSession, Reservation, User
from backend.models.user import ROLE_ADMIN, ROLE_USER

# The users table's columns in SignedInUser's order.
SIGNED_IN_COLUMNS = tuple(User.__table__.c[f.name] for f in fields(SignedInUser)
                          if f.name != "session_token")

# Built once (see queue.py): after any write, every logged-in request runs this.
SESSION_USER = (select(*SIGNED_IN_COLUMNS, LoginSession.created_at)
                .join(LoginSession, LoginSession.user_id == User.id)
                .where(LoginSession.token_hash == bindparam("digest")))

DEFAULT_ADMIN_NAME = "admin"
WRONG_CURRENT_PASSWORD = "The current password is not right."
DEFAULT_ADMIN_PASSWORD = "admin"


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    def __init__(self, transactions):
        self.transactions = transactions
        # A hash of a random password, checked when a login names nobody (see authenticate).
        self._dummy_hash = None
        # Password hash -> whether it is the hash of the default password. Checking a hash is
        # slow on purpose, and a hash never changes its answer, so each is checked once.
        self._default_password_hashes = {}

    def hash_password(self, password):
        """Hash with the configured method. Slow on purpose: call it before taking the write lock."""
        return generate_password_hash(password, method=self.transactions.setting("RESERVIA_PASSWORD_METHOD"))

    def create(self, name, email, password, role=ROLE_USER):
        """Add a user; the password is hashed before the write lock is taken, as hashing is slow."""
        user = User(name=name, email=email.lower(), role=role, password_hash=self.hash_password(password))
        with self.transactions.writing() as session:
            self.refuse_taken(session, name, email.lower())
            session.add(user)
        log.info("%s user created id=%s name=%r role=%s", ADMIN, user.id, user.name, user.role)
        return user

    @staticmethod
    def refuse_taken(session, name, email, except_id=None):
        """Conflict if another user already has this name or email."""
        taken = session.execute(
            select(User.name, User.email).where((User.name == name) | (User.email == email))
            .where(User.id != (except_id or 0))
        ).first()
        if taken is None:
            return
        if taken.name == name:
            raise Conflict(f"A user named {name!r} already exists.", "USER_EXISTS")
        raise Conflict(f"The email {email!r} is already in use.", "EMAIL_EXISTS")

    def list(self):
        return list(self.transactions.session.scalars(select(User).order_by(User.name)))

    def get(self, user_id):
        user = self.transactions.session.get(User, user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}.", "USER_NOT_FOUND")
        return user

    def history_count(self, user_id):
        """How many reservations the user made or ended: with any, deleting the user deactivates
        them instead."""
        return self.transactions.session.scalar(select(func.count(Reservation.id)).where(
            or_(Reservation.user_id == user_id, Reservation.ended_by_id == user_id)))

    def named(self, name):
        """The user with this name; NotFound when there is none."""
        user = self.transactions.session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(f"No user named {name!r}.", "USER_NOT_FOUND")
        return user

    def authenticate(self, name, password):
        """The user with this name and password; unknown names and wrong passwords look the same."""
        user = self.transactions.session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            # Spend the time a real check would, so response times do not reveal which names exist.
            self._check_dummy_password(password)
        if user is None or not user.check_password(password) or not user.active:
            log.info("%s login refused name=%r", SESSION, name)
            raise NotAuthenticated("Invalid user name or password.", "INVALID_CREDENTIALS")
        return user

    def _check_dummy_password(self, password):
        if self._dummy_hash is None:
            self._dummy_hash = self.hash_password(secrets.token_hex(8))
        check_password_hash(self._dummy_hash, password)

    def change_password(self, user, current_password, new_password, keep_token):
        """A user changes their own password; their other sessions are logged out."""
        if not user.check_password(current_password):
            raise Invalid(WRONG_CURRENT_PASSWORD, "WRONG_PASSWORD",
                          fields={"current_password": [WRONG_CURRENT_PASSWORD]})
        password_hash = self.hash_password(new_password)
        with self.transactions.writing() as session:
            self.get(user.id).password_hash = password_hash
            self.close_sessions(session, user.id, keep_token=keep_token)
        user.password_hash = password_hash
        log.info("%s password changed user=%r; other sessions closed", ADMIN, user.name)

    def open_session(self, user):
        """Start a server-side login session; the returned token is what the cookie carries."""
        token = secrets.token_urlsafe(32)
        cutoff = self.transactions.now() - self._session_lifetime()
        with self.transactions.writing() as session:
            session.execute(delete(LoginSession).where(LoginSession.created_at < cutoff))
            session.add(LoginSession(token_hash=token_hash(token), user_id=user.id,
                                     created_at=self.transactions.now()))
        user.session_token = token
        log.info("%s login user=%r", SESSION, user.name)
        return token

    def for_session(self, token):
        """The active user behind a session token, or None once it was closed or has aged out.

        Every logged-in request asks this first; the answer is kept until the next commit (a
        logout, a password change, a deactivation is one) or until the session ages out.
        """
        digest = token_hash(token)
        found = self.transactions.cached(("login", digest), lambda: self._session_user(digest))
        if found is None:
            return None
        return SignedInUser(*found, session_token=token)

    def _session_user(self, digest):
        """(the user's plain values, moment the session ages out), or (None, None)."""
        # A prebuilt Core statement and no ORM object: after any write this runs on every
        # request, the write's own included.
        row = self.transactions.read_latest(SESSION_USER, {"digest": digest})
        if row is None:
            return None, None
        ages_out = row[-1] + self._session_lifetime()
        if ages_out <= self.transactions.now():
            return None, None
        return tuple(row[:-1]), ages_out

    def close_session(self, token):
        with self.transactions.writing() as session:
            session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))

    @staticmethod
    def close_sessions(session, user_id, keep_token=None):
        """End every login session of the user but the one given, inside the caller's write."""
        stmt = delete(LoginSession).where(LoginSession.user_id == user_id)
        if keep_token:
            stmt = stmt.where(LoginSession.token_hash != token_hash(keep_token))
        session.execute(stmt)

    def _session_lifetime(self):
        return timedelta(days=self.transactions.setting("RESERVIA_SESSION_DAYS"))

    def ensure_default_admin(self, password):
        """On an empty database create the administrator; say whether 'admin' still has the default password."""
        with self.transactions.writing() as session:
            if session.scalar(select(func.count(User.id))) == 0:
                session.add(User(name=DEFAULT_ADMIN_NAME, email="admin@localhost", role=ROLE_ADMIN,
                                 password_hash=self.hash_password(password or DEFAULT_ADMIN_PASSWORD)))
                log.info("%s default administrator %r created", ADMIN, DEFAULT_ADMIN_NAME)
        return self.admin_uses_default_password()

    def admin_uses_default_password(self):
        """Whether the administrator 'admin' can still log in with the password 'admin'."""
        row = self.transactions.session.execute(
            select(User.password_hash, User.active)
            .where(User.name == DEFAULT_ADMIN_NAME, User.role == ROLE_ADMIN)
        ).first()
        if row is None or not row.active:
            return False
        known = self._default_password_hashes
        if row.password_hash not in known:
            known[row.password_hash] = check_password_hash(row.password_hash, DEFAULT_ADMIN_PASSWORD)
        return known[row.password_hash]
