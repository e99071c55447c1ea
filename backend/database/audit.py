"""The Audit part: who changed what, when, how and from where, written in the same transaction as
the change (docs/audit.md).

Recording an entry, from any part's write:

    self.audit.record(session_or_connection, acting, "resource.modify", "resource", resource.id,
                      resource.name, changes={"name": ["old", "new"]}, reason=None)

inside `with self.transactions.writing()`, after the change itself (the audit's lock is the last
one a write takes, so it never waits for a lock while holding it). `acting` is the user who acts
(anything with `id` and `name`), or None for whoever the origin names ("cli:<OS user>" for a
command, "system" for the worker). How (`via`) and from where (`source_address`) come from the
origin the web layer or the command line set (`use_origin`); `via=` overrides it. Never put a
password, a token or a secret in `changes`: a changed password is `SECRET_CHANGED`.

Reading the log (search, the account's security events, verify, prune) is in audit_log.py.
"""
from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import bindparam, insert, select, text

from backend.database.audit_chain import GENESIS, HASHED, changes_text, entry_hash
from backend.models import AuditCheckpoint, AuditEntry

ENTRIES = AuditEntry.__table__
CHECKPOINTS = AuditCheckpoint.__table__

# What `changes` says of a password set or changed: that it changed, never what it is.
SECRET_CHANGED = ["(hidden)", "(changed)"]

VIAS = ("page", "api", "token", "cli", "sso", "system")
OBJECT_TYPES = ("user", "resource", "reservation", "booking", "group", "rule", "token", "webhook", "session")

# Every action recorded, with what it means (docs/audit.md lists the same; a test compares them).
ACTIONS = {
    "user.create": "an administrator added an account",
    "user.modify": "an administrator changed an account (name, e-mail, role, active, password)",
    "user.delete": "an administrator deleted an account without history",
    "user.deactivate": "an administrator deleted an account with history: it was deactivated",
    "user.unlock": "an administrator cleared an account's failed logins",
    "user.lock": "too many failed logins: the name is refused for a while",
    "user.password_change": "someone changed their own password",
    "user.provision": "the intranet sign-in made an account",
    "user.role_change": "the intranet groups (RESERVIA_ADMIN_GROUPS) changed an account's role",
    "session.login": "someone signed in",
    "session.login_failed": "a sign-in was refused (actor_name is the name tried)",
    "session.logout": "someone signed out",
    "session.unlock": "an operator cleared the failed logins of a client address",
    "resource.create": "an administrator added a resource",
    "resource.modify": "an administrator changed a resource (maintenance and labels included)",
    "resource.delete": "an administrator deleted a resource without history",
    "resource.deactivate": "an administrator deleted a resource with history: it was deactivated",
    "reservation.force_release": "an administrator ended someone's hold",
    "reservation.remove": "an administrator took someone's request out of a queue",
    "booking.force": "an administrator booked over someone's hold (held_by: whose hold was cut short)",
    "booking.maintenance": "an administrator booked a resource for maintenance",
    "booking.cancel": "someone else's booking was cancelled (or ended early) by an administrator",
    "token.create": "an API token was made (for oneself, or by an operator for someone)",
    "token.revoke": "an API token was revoked (by its owner or an administrator)",
    "group.create": "an administrator made a group",
    "group.modify": "an administrator renamed a group or changed its description",
    "group.delete": "an administrator deleted a group (its memberships and rules with it)",
    "group.members": "an administrator added or removed members of a group",
    "rule.create": "an administrator added a rule (limits and priority for a group or everyone)",
    "rule.delete": "an administrator deleted a rule",
}

# The actions shown to a user as their account's security events.
SECURITY_ACTIONS = ("session.login", "session.login_failed", "session.logout", "user.lock", "user.unlock",
                    "user.password_change", "user.modify", "user.provision", "user.role_change",
                    "token.create", "token.revoke")

# Any fixed number: the PostgreSQL advisory lock under which the chain's head is read and extended.
AUDIT_LOCK_ID = 7_346_227
TAKE_AUDIT_LOCK = text("SELECT pg_advisory_xact_lock(:id)").bindparams(id=AUDIT_LOCK_ID)
HEAD = select(ENTRIES.c.id, ENTRIES.c.hash).order_by(ENTRIES.c.id.desc()).limit(1)
CHECKPOINT = select(CHECKPOINTS.c.entry_id, CHECKPOINTS.c.entry_hash).where(CHECKPOINTS.c.id == 1)
INSERT_ENTRY = insert(ENTRIES).values({name: bindparam(name) for name in (*HASHED, "previous_hash", "hash")})

# Key in flask.g for the origin of what this request or command does.
_ORIGIN = "reservia_audit_origin"


@dataclass(frozen=True)
class Actor:
    """Who acts when it is not a signed-in user object: a name tried at sign-in (no id)."""

    id: int | None
    name: str


@dataclass(frozen=True)
class Origin:
    """How the actions of this request or command arrive: `via` (page, api, token, cli, sso,
    system), the client's address, and the name of whoever acts without an account."""

    via: str
    address: str | None = None
    actor_name: str = "system"


SYSTEM = Origin("system")


def use_origin(via, address=None, actor_name="system"):
    """Set how this request or command acts (the request hook, the command line)."""
    setattr(g, _ORIGIN, Origin(via, address, actor_name))


def current_origin():
    """The origin set for this request or command; the worker and anything else is "system"."""
    return g.get(_ORIGIN, SYSTEM) if has_app_context() else SYSTEM


class Audit:
    def __init__(self, transactions):
        self.transactions = transactions

    def record(self, connection, actor, action, object_type, object_id=None, object_name=None,
               changes=None, reason=None, via=None):
        """Append one entry to the chain, inside the caller's write (a session or a connection):
        the head is read under the database's lock, so that no two entries follow the same one."""
        if action not in ACTIONS or object_type not in OBJECT_TYPES:
            raise ValueError(f"unknown audit action {action!r} or object type {object_type!r}")
        origin = current_origin()
        if self.transactions.dialect == "postgresql":
            connection.execute(TAKE_AUDIT_LOCK)
        head = connection.execute(HEAD).first() or connection.execute(CHECKPOINT).first() or (0, GENESIS)
        values = {
            "id": head[0] + 1, "at": self.transactions.now(),
            "actor_id": getattr(actor, "id", None),
            "actor_name": actor.name if actor is not None else origin.actor_name,
            "via": via or origin.via, "source_address": origin.address, "action": action,
            "object_type": object_type, "object_id": object_id,
            "object_name": object_name[:200] if object_name else object_name,
            "changes": changes_text(changes), "reason": reason or None,
        }
        values["actor_name"] = (values["actor_name"] or "")[:200]
        connection.execute(INSERT_ENTRY, {**values, "previous_hash": head[1], "hash": entry_hash(values, head[1])})
        return values["id"]
