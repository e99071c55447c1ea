"""Reservations: who asked for which resource, when, and where in its lifecycle (states.py) it is."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.states import ACTIVE_SQL, ACTIVE_STATES
from backend.models.types import UTCDateTime


class Reservation(db.Model):
    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint(
            "state IN ('requested', 'approved', 'released', 'cancelled', 'expired')",
            name="ck_reservations_state",
        ),
        CheckConstraint("hold_minutes IS NULL OR hold_minutes > 0", name="ck_reservations_hold_minutes"),
        # One holder per resource, and one active request per user and resource, whatever
        # the application does: the database refuses a second row.
        Index(
            "uq_reservations_one_holder", "resource_id", unique=True,
            sqlite_where=text("state = 'approved'"), postgresql_where=text("state = 'approved'"),
        ),
        Index(
            "uq_reservations_one_active_per_user", "user_id", "resource_id", unique=True,
            sqlite_where=text(ACTIVE_SQL), postgresql_where=text(ACTIVE_SQL),
        ),
        # Active rows only: listing them costs the same with a million finished ones beside.
        Index(
            "ix_reservations_active", "resource_id", "id",
            sqlite_where=text(ACTIVE_SQL), postgresql_where=text(ACTIVE_SQL),
        ),
        Index("ix_reservations_user_history", "user_id", "id"),
        Index("ix_reservations_resource_history", "resource_id", "id"),
        {"sqlite_autoincrement": True},
    )

    # Strictly increasing: the queue is served in id order, never by timestamps.
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    state: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it was released, cancelled or expired; the state says which.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A hold or a queued request past this moment expires; None means it never does.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why an administrator ended it, kept with the history.
    end_reason: Mapped[str | None] = mapped_column(String(500))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # How long its user asked to hold it, in minutes; None means the site's hold length. Keep
    # alive extends by it too; the resource's maximum caps both.
    hold_minutes: Mapped[int | None] = mapped_column(Integer)
    # What its user is doing with it ("flashing fw 2.3"), shown on the dashboard and in history.
    note: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    resource = relationship("Resource", lazy="raise")

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    def __repr__(self):
        return f"<Reservation {self.id} user={self.user_id} resource={self.resource_id} {self.state}>"
