"""The AuditLog part: reading the audit log (administrators' search, a user's own security events),
checking its chain, and pruning it past RESERVIA_AUDIT_DAYS behind a signed checkpoint."""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select

from backend.database.audit import CHECKPOINTS, ENTRIES, SECURITY_ACTIONS, TAKE_AUDIT_LOCK, current_origin
from backend.database.audit_chain import checkpoint_signature, walk
from backend.logs import ADMIN, log
from backend.models import AuditCheckpoint, AuditEntry, User
from backend.models.names import key_of

PER_PAGE = 50
# Security events the account page shows.
OWN_EVENTS = 20

@dataclass(frozen=True)
class AuditFilters:
    """What an administrator looks for; None matches everything. `since` inclusive, `until` not."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list
    count: int
    page: int
    pages: int


class AuditLog:
    def __init__(self, transactions):
        self.transactions = transactions

    def _where(self, filters):
        conditions = []
        if filters.actor:
            user_id = self.transactions.session.scalar(
                select(User.id).where(or_(User.name == filters.actor, User.name_key == key_of(filters.actor)))
                .order_by(User.name != filters.actor, User.id).limit(1))
            by_name = ENTRIES.c.actor_name == filters.actor
            conditions.append(or_(by_name, ENTRIES.c.actor_id == user_id) if user_id is not None else by_name)
        if filters.action:
            conditions.append(ENTRIES.c.action == filters.action)
        if filters.object_type:
            conditions.append(ENTRIES.c.object_type == filters.object_type)
        if filters.object_id is not None:
            conditions.append(ENTRIES.c.object_id == filters.object_id)
        if filters.since is not None:
            conditions.append(ENTRIES.c.at >= filters.since)
        if filters.until is not None:
            conditions.append(ENTRIES.c.at < filters.until)
        return conditions

    def search(self, filters, page=1, per_page=PER_PAGE):
        """One page of the matching entries, newest first, with how many match and how many pages."""
        session = self.transactions.session
        conditions = self._where(filters)
        count = session.scalar(select(func.count()).select_from(ENTRIES).where(*conditions))
        pages = max(1, math.ceil(count / per_page))
        entries = list(session.scalars(select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc())
                                       .limit(per_page).offset((page - 1) * per_page)))
        return AuditPage(entries, count, page, pages)

    def all(self, filters):
        """Every matching entry, newest first, read in batches (the CSV export)."""
        stmt = (select(AuditEntry).where(*self._where(filters)).order_by(AuditEntry.id.desc())
                .execution_options(yield_per=500))
        yield from self.transactions.session.scalars(stmt)

    def security_events(self, user_id, limit=OWN_EVENTS):
        """The user's own account's security events, newest first: sign-ins (failed ones under their
        name too), sign-outs, locks, password and account changes, their tokens made and revoked."""
        about_them = (ENTRIES.c.object_type.in_(("user", "session"))) & (ENTRIES.c.object_id == user_id)
        by_them = (ENTRIES.c.object_type == "token") & (ENTRIES.c.actor_id == user_id)
        return list(self.transactions.session.scalars(
            select(AuditEntry).where(ENTRIES.c.action.in_(SECURITY_ACTIONS), or_(about_them, by_them))
            .order_by(AuditEntry.id.desc()).limit(limit)))

    def verify(self, secret_key):
        """Walk the whole chain from the checkpoint (if pruned) to the head: an audit_chain.Verdict."""
        session = self.transactions.session
        checkpoint = session.execute(select(CHECKPOINTS.c.entry_id, CHECKPOINTS.c.entry_hash,
                                            CHECKPOINTS.c.signature).where(CHECKPOINTS.c.id == 1)).first()
        result = session.execute(select(ENTRIES).order_by(ENTRIES.c.id).execution_options(yield_per=1000))
        try:
            verdict = walk(result.mappings(), tuple(checkpoint) if checkpoint else None, secret_key)
        finally:
            result.close()  # the walk may stop at a broken entry, before the last batch
        self.transactions.end_read()
        return verdict

    def prune(self, secret_key):
        """Remove entries older than RESERVIA_AUDIT_DAYS (0: keep them all), leaving a checkpoint of
        the last one removed, signed with the site's key. Returns how many were removed."""
        days = self.transactions.setting("RESERVIA_AUDIT_DAYS")
        if not days:
            return 0
        with self.transactions.writing() as session:
            if self.transactions.dialect == "postgresql":
                session.execute(TAKE_AUDIT_LOCK)
            cutoff = self.transactions.now() - timedelta(days=days)
            last = session.scalar(select(func.max(ENTRIES.c.id)).where(ENTRIES.c.at < cutoff))
            if last is None:
                return 0
            head_hash = session.scalar(select(ENTRIES.c.hash).where(ENTRIES.c.id == last))
            checkpoint = session.get(AuditCheckpoint, 1) or AuditCheckpoint(id=1)
            checkpoint.entry_id, checkpoint.entry_hash = last, head_hash
            checkpoint.signature = checkpoint_signature(secret_key, last, head_hash)
            checkpoint.created_at = self.transactions.now()
            session.add(checkpoint)
            removed = session.execute(delete(ENTRIES).where(ENTRIES.c.id <= last)).rowcount
        log.info("%s audit log pruned: %d entries up to id %s (%s)", ADMIN, removed, last, current_origin().via)
        return removed
