"""The Tokens part: personal API tokens, with which scripts and CI authenticate without a password.

A token is a random secret shown once; only its SHA-256 hash is stored (the secret has 256 bits of
randomness, so a fast hash is enough, unlike a password). Looking a token up is a read the read
cache keeps until the next commit, like the login lookup; when it was last used is written at
most once every five minutes per token, so that reading with a token does not turn every GET into a write.
"""
import secrets
from dataclasses import dataclass, fields
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select, update

from backend.database.results import SignedInUser
from backend.database.users import token_hash
from backend.errors import Busy, Conflict, Forbidden, NotFound
from backend.logs import SESSION, log
from backend.models import ApiToken, User
from backend.models.api_token import FULL, METRICS

# What every token starts with, so that secret scanners and people can tell one when they see it.
PREFIX = "rsv_"
# Last use is recorded when the stored moment is older than this. Each record is a commit of its
# own, after which every process builds its lists and pages again: with a minute, fifty CI jobs'
# tokens made a fifth of a busy site's commits.
LAST_USED_RESOLUTION = timedelta(minutes=5)
# Live (neither revoked nor expired) tokens one user may have: enough for every CI machine, few
# enough that nobody fills the table.
MAX_LIVE_TOKENS = 50

SIGNED_IN_COLUMNS = tuple(User.__table__.c[f.name] for f in fields(SignedInUser) if f.name != "session_token")
# Built once (see queue.py): every request with a token runs it after any commit.
TOKEN_USER = (select(*SIGNED_IN_COLUMNS, ApiToken.id, ApiToken.expires_at, ApiToken.last_used_at, ApiToken.scope)
              .join(ApiToken, ApiToken.user_id == User.id)
              .where(ApiToken.token_hash == bindparam("digest")))
TOUCH = update(ApiToken).where(ApiToken.id == bindparam("token_id")).values(last_used_at=bindparam("at"))


@dataclass(frozen=True)
class TokenEntry:
    """A token as its owner and administrators see it: never its secret."""

    token: ApiToken
    user_name: str

    def expired(self, now):
        return self.token.expires_at <= now


@dataclass(frozen=True)
class BearerUser:
    """Who a token signs in, which token it was (for the log), and what it may do."""

    user: SignedInUser
    token_id: int
    scope: str = FULL


class Tokens:
    def __init__(self, transactions, audit):
        self.transactions = transactions
        self.audit = audit

    def create(self, user, name, expires_days, scope=FULL, acting=None):
        """A new token for the user: (its row, the secret). The secret is not kept anywhere.
        A `metrics` token (it can only scrape /metrics) is for administrators to make.
        `acting`: who makes it when it is not the user (an operator at the command line)."""
        if scope == METRICS and not user.is_admin:
            raise Forbidden("Only administrators can make a token of the metrics scope.", "ADMIN_REQUIRED")
        secret = PREFIX + secrets.token_urlsafe(32)
        with self.transactions.writing() as session:
            now = self.transactions.now()
            self._refuse_too_many(session, user.id, now)
            token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret), created_at=now,
                             expires_at=now + timedelta(days=expires_days), scope=scope)
            session.add(token)
            session.flush()
            self.audit.record(session, acting or user, "token.create", "token", token.id, name,
                              changes={"user": [None, user.name], "expires_at": [None, token.expires_at],
                                       "scope": [None, scope]})
        log.info("%s token created token_id=%s user=%r name=%r scope=%s", SESSION, token.id, user.name, name, scope)
        return token, secret

    @staticmethod
    def _refuse_too_many(session, user_id, now):
        """At most MAX_LIVE_TOKENS live tokens per user (revoked ones are deleted). Counted inside
        the write, after locking the user's row on PostgreSQL (SQLite's write lock is already
        held), so that two tokens made at once cannot both take the last place."""
        session.execute(select(User.id).where(User.id == user_id).with_for_update())
        live = session.scalar(select(func.count()).select_from(ApiToken)
                              .where(ApiToken.user_id == user_id, ApiToken.expires_at > now))
        if live >= MAX_LIVE_TOKENS:
            raise Conflict(f"You already have {MAX_LIVE_TOKENS} live API tokens, the most anyone may have; "
                           "revoke one first.", "TOO_MANY_TOKENS")

    def list(self, viewer, user_id=None, everyone=False):
        """The viewer's own tokens, newest first; an administrator's choice of user, or everyone's."""
        stmt = (select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
                .order_by(ApiToken.id.desc()))
        if not everyone:
            stmt = stmt.where(ApiToken.user_id == (user_id or viewer.id))
        return [TokenEntry(token, name) for token, name in self.transactions.session.execute(stmt)]

    def revoke(self, viewer, token_id):
        """Delete one token: the viewer's own, or anyone's for an administrator. Another user's
        token is "not found" to everyone else, so that ids reveal nothing."""
        with self.transactions.writing() as session:
            token = session.get(ApiToken, token_id)
            if token is None or (token.user_id != viewer.id and not viewer.is_admin):
                raise NotFound(f"You have no token {token_id}.", "TOKEN_NOT_FOUND")
            owner = viewer.name if token.user_id == viewer.id else session.get(User, token.user_id).name
            session.delete(token)
            self.audit.record(session, viewer, "token.revoke", "token", token.id, token.name,
                              changes={"user": [owner, None]})
        log.info("%s token revoked token_id=%s user_id=%s by=%r", SESSION, token.id, token.user_id, viewer.name)
        return token

    @staticmethod
    def revoke_all(session, user_id):
        """Delete every token of the user, inside the caller's write (a user deactivated)."""
        session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))

    def user_for(self, secret):
        """The active user a token signs in (a BearerUser), or None when it is unknown, expired,
        revoked, or its user is deactivated."""
        digest = token_hash(secret)
        found = self.transactions.cached(("token", digest), lambda: self._token_user(digest))
        if found is None:
            return None
        values, token_id, last_used, scope = found
        if last_used is None or self.transactions.now() - last_used >= LAST_USED_RESOLUTION:
            self._record_use(token_id)
        return BearerUser(SignedInUser(*values), token_id, scope)

    def _token_user(self, digest):
        """((user's plain values, token id, last used, scope), moment the token expires), or (None, None)."""
        row = self.transactions.read_latest(TOKEN_USER, {"digest": digest})
        if row is None:
            return None, None
        *values, token_id, expires_at, last_used, scope = row
        if expires_at <= self.transactions.now() or not row.active:
            return None, None
        return (tuple(values), token_id, last_used, scope), expires_at

    def _record_use(self, token_id):
        """Best effort: a busy database skips the record rather than refusing the request."""
        try:
            with self.transactions.writing() as session:
                session.execute(TOUCH, {"token_id": token_id, "at": self.transactions.now()})
        except Busy:
            log.info("%s token last use not recorded (database busy) token_id=%s", SESSION, token_id)

