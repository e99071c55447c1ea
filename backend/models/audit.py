"""The audit log: who did what to whom, when and from where, each entry chained to the one before
by a hash (backend/database/audit.py; docs/audit.md)."""
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime


class AuditEntry(db.Model):
    """One recorded action. Ids are given by the writer, one more than the chain's head, under the
    database's write lock: the ids have no gaps and follow the chain's order on every engine."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # No foreign key: an entry outlives the account it names (a user deleted, a failed sign-in
    # under a name nobody has).
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(200))
    via: Mapped[str] = mapped_column(String(10))
    source_address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    object_name: Mapped[str | None] = mapped_column(String(200))
    # Canonical JSON ({"field": [old, new]}), exactly the text the hash was computed over.
    changes: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        Index("ix_audit_entries_actor_id", "actor_id"),
        # Two writers that read the same head could not both insert: the chain cannot fork.
        UniqueConstraint("previous_hash", name="uq_audit_entries_previous_hash"),
    )

    def __repr__(self):
        return f"<AuditEntry {self.id} {self.action} by {self.actor_name!r}>"


class AuditCheckpoint(db.Model):
    """The last entry pruned away (its id and hash), signed with the site's secret key: where the
    chain of the entries kept starts. At most one row."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self):
        return f"<AuditCheckpoint after entry {self.entry_id}>"
