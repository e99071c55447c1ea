"""The Users part: accounts, passwords and login sessions."""
import hashlib
import secrets
from dataclasses import fields
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from backend.database.audit import SECRET_CHANGED
from backend.database.passwords import check_password, refuse_unchanged
from backend.database.results import SignedInUser
from backend.errors import Conflict, Invalid, NotAuthenticated, NotFound
from backend.logs import ADMIN, SESSION, log
from backend.models import LoginSession, Reservation, User
from backend.models.names import key_of, normalised
from backend.models.user import ROLE_ADMIN, ROLE_USER

# The users table's columns in SignedInUser's order.
SIGNED_IN_COLUMNS = tuple(User.__table__.c[f.name] for f in fields(SignedInUser)
                          if f.name != "session_token")

# Built once (see queue.py): after any write, every logged-in request runs this.
SESSION_USER = (select(*SIGNED_IN_COLUMNS, LoginSession.created_at)
                .join(LoginSession, LoginSession.user_id == User.id)
                .where(LoginSession.token_hash == bindparam("digest")))

FIRST_ADMIN_NAME = "admin"
FIRST_ADMIN_EMAIL = "admin@localhost"
WRONG_CURRENT_PASSWORD = "The current password is not right."


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def password_stamp(password_hash):
    """What a device cookie carries to stop counting once the password changes: a short digest of
    the salted hash (which tells nothing of the password without the hash itself)."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def generate_password():
    """A first password nobody can guess, that a shell and JSON take without quoting."""
    return secrets.token_urlsafe(18)


class Users:
    def __init__(self, transactions, login_limits, audit):
        self.transactions = transactions
        self.login_limits = login_limits
        self.audit = audit
        # A hash of a random password, checked when a login names nobody (see authenticate).
        self._dummy_hash = None

    def hash_password(self, password):
        """Hash with the configured method. Slow on purpose: call it before taking the write lock."""
        return generate_password_hash(password, method=self.transactions.setting("RESERVIA_PASSWORD_METHOD"))

    def create(self, name, email, password, role=ROLE_USER, acting=None):
        """Add a user; the password is hashed before the write lock is taken, as hashing is slow.
        `acting`: the administrator (or ShellOperator) who adds them, for the audit log."""
        check_password(password, normalised(name), email)
        user = User(name=name, email=email.lower(), role=role, password_hash=self.hash_password(password))
        with self.transactions.writing() as session:
            self.refuse_taken(session, user.name, user.email)
            session.add(user)
            session.flush()
            self.audit.record(session, acting, "user.create", "user", user.id, user.name,
                              changes={"name": [None, user.name], "email": [None, user.email],
                                       "role": [None, user.role], "password": SECRET_CHANGED})
        log.info("%s user created id=%s name=%r role=%s", ADMIN, user.id, user.name, user.role)
        return user

    @staticmethod
    def refuse_taken(session, name, email, except_id=None):
        """Conflict if another user already has this name (compared as names.py compares them:
        "ADMIN" is taken by "admin") or this email."""
        key = key_of(name)
        taken = session.execute(
            select(User.name, User.name_key, User.email)
            .where((User.name_key == key) | (User.name == normalised(name)) | (User.email == email))
            .where(User.id != (except_id or 0))
        ).first()
        if taken is None:
            return
        if taken.name_key == key or taken.name == normalised(name):
            raise Conflict(f"A user named {taken.name!r} already exists.", "USER_EXISTS")
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

    def by_name(self, name):
        """The user known by this name, or None: its exact spelling first (two accounts made before names
        were compared this way may differ only by case), else the one it is equivalent to."""
        return self.transactions.session.scalars(
            select(User).where(or_(User.name == name, User.name_key == key_of(name)))
            .order_by(User.name != name, User.id).limit(1)
        ).first()

    def named(self, name):
        """The user with this name (as names are compared); NotFound when there is none."""
        user = self.by_name(name)
        if user is None:
            raise NotFound(f"No user named {name!r}.", "USER_NOT_FOUND")
        return user

    def authenticate(self, name, password, address=None, device=None):
        """The user with this name and password; unknown names and wrong passwords look the same.

        A name or an address with too many recent failures is refused before any hashing
        (TooManyAttempts); each wrong password counts against both (login_limits.py). A browser
        whose `device` cookie says it signed in as this user since the password was last set is
        counted on its own instead of under the name, so others' guesses do not lock it out.
        """
        user = self.by_name(name) if device is not None else None
        trusted = (user is not None and device.user_id == user.id
                   and device.stamp == password_stamp(user.password_hash))
        attempt = self.login_limits.check(name, address, device.device_id if trusted else None)
        if device is None:
            user = self.by_name(name)
        if user is None:
            # Spend the time a real check would, so response times do not reveal which names exist.
            self._check_dummy_password(password)
        if user is None or not user.check_password(password) or not user.active:
            self.login_limits.failed(attempt, user.id if user is not None else None)
            log.info("%s login refused name=%r address=%s", SESSION, name, attempt.address)
            raise NotAuthenticated("Invalid user name or password.", "INVALID_CREDENTIALS")
        self.login_limits.succeeded(attempt)
        return user

    def clear_login_lock(self, operator, user_id):
        """An administrator lets a user log in again at once: (the user, whether anything was counted)."""
        user = self.get(user_id)
        cleared = self.login_limits.clear(name=user.name, acting=operator, user_id=user.id)
        log.info("%s login lock cleared user=%r by=%r", ADMIN, user.name, operator.name)
        return user, cleared

    def login_lock(self, user):
        """The user's failed logins and lock as they stand (login_limits.LockState), or None."""
        return self.login_limits.state(user.name)

    def _check_dummy_password(self, password):
        if self._dummy_hash is None:
            self._dummy_hash = self.hash_password(secrets.token_hex(8))
        check_password_hash(self._dummy_hash, password)

    def change_password(self, user, current_password, new_password, keep_token):
        """A user changes their own password; their other sessions are logged out."""
        if not user.password_hash:
            raise Conflict("Your account signs in through the intranet: Reservia keeps no password for it.",
                           "NO_LOCAL_PASSWORD")
        if not user.check_password(current_password):
            raise Invalid(WRONG_CURRENT_PASSWORD, "WRONG_PASSWORD",
                          fields={"current_password": [WRONG_CURRENT_PASSWORD]})
        if new_password == current_password:
            refuse_unchanged("new_password")
        check_password(new_password, user.name, user.email or "", field="new_password")
        password_hash = self.hash_password(new_password)
        with self.transactions.writing() as session:
            stored = self.get(user.id)
            stored.password_hash = password_hash
            stored.password_change_required = False
            self.close_sessions(session, user.id, keep_token=keep_token)
            self.audit.record(session, user, "user.password_change", "user", user.id, user.name,
                              changes={"password": SECRET_CHANGED})
        user.password_hash = password_hash
        user.password_change_required = False
        log.info("%s password changed user=%r; other sessions closed", ADMIN, user.name)

    def open_session(self, user, via=None):
        """Start a server-side login session; the returned token is what the cookie carries.
        Recorded as session.login (`via` "sso" when the intranet signed them in)."""
        token = secrets.token_urlsafe(32)
        cutoff = self.transactions.now() - self._session_lifetime()
        with self.transactions.writing() as session:
            session.execute(delete(LoginSession).where(LoginSession.created_at < cutoff))
            session.add(LoginSession(token_hash=token_hash(token), user_id=user.id,
                                     created_at=self.transactions.now()))
            self.audit.record(session, user, "session.login", "session", user.id, user.name, via=via)
        user.session_token = token
        log.info("%s login user=%r", SESSION, user.name)
        return token

    def for_session(self, token):
        """The active user behind a session token, or None once it was closed or has aged out.

        Every logged-in request asks this first; the answer is kept until the next write to users
        or login sessions (a login, a logout, a password change, a deactivation is one) or until
        the session ages out.
        """
        digest = token_hash(token)
        found = self.transactions.cached_until_sign_ins_change(("login", digest), lambda: self._session_user(digest))
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

    def close_session(self, token, user):
        """Log out: the session's row goes, and session.logout is recorded."""
        with self.transactions.writing() as session:
            session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
            self.audit.record(session, user, "session.logout", "session", user.id, user.name)

    @staticmethod
    def close_sessions(session, user_id, keep_token=None):
        """End every login session of the user but the one given, inside the caller's write."""
        stmt = delete(LoginSession).where(LoginSession.user_id == user_id)
        if keep_token:
            stmt = stmt.where(LoginSession.token_hash != token_hash(keep_token))
        session.execute(stmt)

    def _session_lifetime(self):
        return timedelta(days=self.transactions.setting("RESERVIA_SESSION_DAYS"))

    def ensure_first_admin(self, configured_password, keep_generated):
        """On an empty database create the administrator 'admin', with the configured password
        or else a generated one, which `keep_generated(password)` stores for the operator before
        the account is committed (so that no administrator exists whose password nobody knows).
        Returns the generated password, or None when none was made."""
        if self.transactions.session.scalar(select(func.count(User.id))):
            self.transactions.end_read()
            return None
        if configured_password:
            check_password(configured_password, FIRST_ADMIN_NAME, FIRST_ADMIN_EMAIL)
        password = configured_password or generate_password()
        password_hash = self.hash_password(password)
        with self.transactions.writing() as session:
            if session.scalar(select(func.count(User.id))):
                return None  # another process was first
            session.add(User(name=FIRST_ADMIN_NAME, email=FIRST_ADMIN_EMAIL, role=ROLE_ADMIN,
                             password_hash=password_hash))
            if not configured_password:
                keep_generated(password)
        log.info("%s first administrator %r created, with %s", ADMIN, FIRST_ADMIN_NAME,
                 "the configured password" if configured_password else "a generated password")
        return None if configured_password else password

    def names_to_change_password(self):
        """Active administrators who still have the old default password (and must change it)."""
        return list(self.transactions.session.scalars(
            select(User.name).where(User.password_change_required.is_(True), User.active.is_(True),
                                    User.role == ROLE_ADMIN).order_by(User.name)))

    def administrator_accepts(self, password):
        """Whether any active administrator's password is this one (one slow check each)."""
        administrators = self.transactions.session.scalars(
            select(User).where(User.role == ROLE_ADMIN, User.active.is_(True)))
        accepted = any(user.check_password(password) for user in administrators)
        self.transactions.end_read()
        return accepted
