"""People who log in: their identity, role and salted password hash."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash

from backend.extensions import db
from backend.models.names import key_of, normalised
from backend.models.types import UTCDateTime, utcnow

ROLE_USER = "user"
ROLE_ADMIN = "admin"
ROLES = (ROLE_USER, ROLE_ADMIN)

# How an account signs in: with a password Reservia keeps, through Apache (REMOTE_USER), or with
# the directory's password (LDAP). Accounts of the last two are made at their first sign-in.
AUTH_LOCAL = "local"
AUTH_REMOTE_USER = "remote_user"
AUTH_LDAP = "ldap"
AUTHS = (AUTH_LOCAL, AUTH_REMOTE_USER, AUTH_LDAP)


class SignedInAccount(UserMixin):
    """What Flask-Login and Reservia ask of whoever is signed in: a User, or the plain values of one
    (SignedInUser) that the login lookup builds for each request."""

    # The login session this object was loaded for; Flask-Login stores it as the user's id,
    # so that logging out can revoke exactly that session on the server.
    session_token = None

    def get_id(self):
        return self.session_token

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == ROLE_ADMIN

    def check_password(self, password):
        """Whether this is the account's local password; accounts made by the intranet sign-in have none."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class User(SignedInAccount, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'admin')", name="ck_users_role"),
        CheckConstraint("auth IN ('local', 'remote_user', 'ldap')", name="ck_users_auth"),
        # "Admin", "ＡＤＭＩＮ" and "admin" are one name (names.py): the database refuses a second.
        UniqueConstraint("name_key", name="uq_users_name_key"),
        UniqueConstraint("calendar_key", name="uq_users_calendar_key"),
        # Ids are never handed out twice: SQLite would otherwise give a deleted user's id to the
        # next new user, and links, logs and scripts naming the old id would find the new one.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # Set with the name (see _keep_name_key); older rows sharing a key got a distinct one (0002).
    name_key: Mapped[str] = mapped_column(String(64))
    # None for an account the intranet sign-in made without an e-mail address.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # None for accounts that sign in through the intranet: Reservia keeps no password for them.
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(10), default=ROLE_USER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set for administrators who still had the old default password "admin" (migration 0002):
    # until they choose another, they can do nothing else.
    password_change_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    auth: Mapped[str] = mapped_column(String(20), default=AUTH_LOCAL, server_default=AUTH_LOCAL)
    # The name the intranet sign-in gives (cn, displayName ...), shown beside the account name.
    display_name: Mapped[str | None] = mapped_column(String(200))
    # The secret in the address of the user's calendar feeds; renewing it cuts off old subscriptions.
    calendar_key: Mapped[str | None] = mapped_column(String(64))
    # How many minutes before one of their bookings starts the user is told (booking_starts_soon).
    booking_reminder_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")

    @validates("name")
    def _keep_name_key(self, _attribute, name):
        """Every name is stored NFKC-normalised, with the key names are compared by."""
        name = normalised(name)
        self.name_key = key_of(name)
        return name

    def __repr__(self):
        return f"<User {self.id} {self.name!r} {self.role}>"
