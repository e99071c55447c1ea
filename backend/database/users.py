"""Users, passwords and login sessions."""
import hashlib
import secrets
from dataclasses import fields
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from backend.database.results import SignedInUser
from backend.errors import Conflict, NotAuthenticated, NotFound
from backend.log_events import ADMIN, SESSION, log
from backend.models import LoginSession, User
from backend.models.user import ROLE_ADMIN, ROLE_USER

# The users table's columns in SignedInUser's order.
SIGNED_IN_COLUMNS = tuple(User.__table__.c[f.name] for f in fields(SignedInUser)
                          if f.name != "session_token")

# Built once (see queue.py): after any write, every logged-in request runs this.
SESSION_USER = (select(*SIGNED_IN_COLUMNS, LoginSession.created_at)
                .join(LoginSession, LoginSession.user_id == User.id)
                .where(LoginSession.token_hash == bindparam("digest")))
USER_NAME = select(User.name).where(User.id == bindparam("id"))

DEFAULT_ADMIN_NAME = "admin"
DEFAULT_ADMIN_PASSWORD = "admin"


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class UserQueries:
    _dummy_hash = None

    def create_user(self, name, email, password, role=ROLE_USER):
        """Add a user; the password is hashed before the write lock is taken, as hashing is slow."""
        user = User(name=name, email=email.lower(), role=role)
        user.set_password(password, self.setting("RESERVIA_PASSWORD_METHOD"))
        with self.writing() as session:
            self._refuse_taken(session, name, email.lower())
            session.add(user)
        log.info("%s user created id=%s name=%r role=%s", ADMIN, user.id, user.name, user.role)
        return user

    def _refuse_taken(self, session, name, email, except_id=None):
        taken = session.execute(
            select(User.name, User.email).where((User.name == name) | (User.email == email))
            .where(User.id != (except_id or 0))
        ).first()
        if taken is None:
            return
        if taken.name == name:
            raise Conflict(f"A user named {name!r} already exists.", "USER_EXISTS")
        raise Conflict(f"The email {email!r} is already in use.", "EMAIL_EXISTS")

    def list_users(self):
        return list(self.session.scalars(select(User).order_by(User.name)))

    def get_user(self, user_id):
        user = self.session.get(User, user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}.", "USER_NOT_FOUND")
        return user

    def authenticate(self, name, password):
        """The user with this name and password; unknown names and wrong passwords look the same."""
        user = self.session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            # Spend the time a real check would, so response times do not reveal which names exist.
            self._check_dummy_password(password)
        if user is None or not user.check_password(password) or not user.active:
            log.info("%s login refused name=%r", SESSION, name)
            raise NotAuthenticated("Invalid user name or password.", "INVALID_CREDENTIALS")
        return user

    def _check_dummy_password(self, password):
        cls = type(self)
        if cls._dummy_hash is None:
            cls._dummy_hash = generate_password_hash(
                secrets.token_hex(8), method=self.setting("RESERVIA_PASSWORD_METHOD"))
        check_password_hash(cls._dummy_hash, password)

    def open_session(self, user):
        """Start a server-side login session; the returned token is what the cookie carries."""
        token = secrets.token_urlsafe(32)
        cutoff = self.now() - self._session_lifetime()
        with self.writing() as session:
            session.execute(delete(LoginSession).where(LoginSession.created_at < cutoff))
            session.add(LoginSession(token_hash=token_hash(token), user_id=user.id, created_at=self.now()))
        user.session_token = token
        log.info("%s login user=%r", SESSION, user.name)
        return token

    def user_for_session(self, token):
        """The active user behind a session token, or None once it was closed or has aged out.

        Every logged-in request asks this first; the answer is kept until the next commit (a
        logout, a password change, a deactivation is one) or until the session ages out.
        """
        digest = token_hash(token)
        found = self.cached(("login", digest), lambda: self._session_user(digest))
        if found is None:
            return None
        return SignedInUser(*found, session_token=token)

    def _session_user(self, digest):
        """(the user's plain values, moment the session ages out), or (None, None)."""
        # A prebuilt Core statement and no ORM object: after any write this runs on every
        # request, the write's own included.
        row = self.read_latest(SESSION_USER, {"digest": digest})
        if row is None:
            return None, None
        ages_out = row[-1] + self._session_lifetime()
        if ages_out <= self.now():
            return None, None
        return tuple(row[:-1]), ages_out

    @staticmethod
    def _user_name(connection, user_id):
        return connection.execute(USER_NAME, {"id": user_id}).scalar_one()

    def close_session(self, token):
        with self.writing() as session:
            session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))

    def close_other_sessions(self, user, keep_token=None):
        """End every session of the user but the one given (after a password change, say)."""
        with self.writing() as session:
            stmt = delete(LoginSession).where(LoginSession.user_id == user.id)
            if keep_token:
                stmt = stmt.where(LoginSession.token_hash != token_hash(keep_token))
            session.execute(stmt)

    def _session_lifetime(self):
        return timedelta(days=self.setting("RESERVIA_SESSION_DAYS"))

    def ensure_default_admin(self, password):
        """On an empty database create the administrator; say whether 'admin' still has the default password."""
        with self.writing() as session:
            if session.scalar(select(func.count(User.id))) == 0:
                admin = User(name=DEFAULT_ADMIN_NAME, email="admin@localhost", role=ROLE_ADMIN)
                admin.set_password(password or DEFAULT_ADMIN_PASSWORD,
                                   self.setting("RESERVIA_PASSWORD_METHOD"))
                session.add(admin)
                log.info("%s default administrator %r created", ADMIN, DEFAULT_ADMIN_NAME)
        return self.default_admin_password_in_use()

    def default_admin_password_in_use(self):
        admin = self.session.scalars(
            select(User).where(User.name == DEFAULT_ADMIN_NAME, User.role == ROLE_ADMIN)
        ).first()
        return bool(admin and admin.active and admin.check_password(DEFAULT_ADMIN_PASSWORD))
