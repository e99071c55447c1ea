"""Reservations: who asked for which resource, when, and where in its lifecycle (states.py) it is."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.domain.labels import MAX_COUNT
from backend.extensions import db
from backend.models.states import ACTIVE_SQL, OWN_REQUEST_SQL, TAKEN_SQL, WAITING_SET_SQL
from backend.models.types import UTCDateTime


class Reservation(db.Model):
    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint(
            "state IN ('requested', 'approved', 'kept', 'released', 'cancelled', 'expired')",
            name="ck_reservations_state",
        ),
        CheckConstraint("hold_minutes IS NULL OR hold_minutes > 0", name="ck_reservations_hold_minutes"),
        # A row is a request by name (a resource, no labels), a request by labels (labels and a
        # count, no resource), or one resource of a label request (a resource and its parent).
        CheckConstraint(
            f"(resource_id IS NULL AND labels IS NOT NULL AND parent_id IS NULL AND count BETWEEN 1 AND {MAX_COUNT})"
            " OR (resource_id IS NOT NULL AND labels IS NULL AND count = 1)",
            name="ck_reservations_kind",
        ),
        CheckConstraint("state <> 'kept' OR parent_id IS NOT NULL", name="ck_reservations_kept"),
        # One holder (or keeper) per resource, and one active request by name per user and
        # resource, whatever the application does: the database refuses a second row. (A label
        # request is approved only with all its resources: triggers, see migration 0004.)
        Index(
            "uq_reservations_one_holder", "resource_id", unique=True,
            sqlite_where=text(TAKEN_SQL), postgresql_where=text(TAKEN_SQL),
        ),
        Index(
            "uq_reservations_one_active_per_user", "user_id", "resource_id", unique=True,
            sqlite_where=text(OWN_REQUEST_SQL), postgresql_where=text(OWN_REQUEST_SQL),
        ),
        Index(
            "ix_reservations_waiting_sets", "id",
            sqlite_where=text(WAITING_SET_SQL), postgresql_where=text(WAITING_SET_SQL),
        ),
        Index("ix_reservations_parent", "parent_id"),
        # Active rows only: listing them costs the same with a million finished ones beside.
        Index(
            "ix_reservations_active", "resource_id", "id",
            sqlite_where=text(ACTIVE_SQL), postgresql_where=text(ACTIVE_SQL),
        ),
        Index("ix_reservations_user_history", "user_id", "id"),
        Index("ix_reservations_resource_history", "resource_id", "id"),
        # The utilization reports read the rows that ended after a report's start (or run still).
        Index("ix_reservations_ended_at", "ended_at"),
        {"sqlite_autoincrement": True},
    )

    # Strictly increasing: the queue is served in id order, never by timestamps.
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # None for a request by labels: the resources it gets are rows of their own (parent_id).
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
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
    # The label request this row holds (or keeps) one resource for; None for requests themselves.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("reservations.id"))
    # A label request's labels, lower-case, sorted, separated by spaces; None for the others.
    labels: Mapped[str | None] = mapped_column(String(900))
    # How many resources a label request wants at once; 1 for every other row.
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A request with a lease must be kept alive every lease_seconds; lease_until is its last
    # keep-alive plus the lease, and valid_until is never later (see rules.py).
    lease_seconds: Mapped[int | None] = mapped_column(Integer)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The booking whose window this hold is (the booking's booking_id); None for the queue's holds.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    # Its priority class when it was made (0-100, higher served first; docs/policies.md): the
    # most generous of its user's rules, 50 without one. Waiting raises it (domain/policies.py).
    priority: Mapped[int] = mapped_column(Integer, default=50, server_default="50")

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    resource = relationship("Resource", lazy="raise")

    @property
    def request_id(self):
        """The request this row belongs to: itself, or the label request it holds a resource for."""
        return self.parent_id or self.id

    def __repr__(self):
        return f"<Reservation {self.id} user={self.user_id} resource={self.resource_id} {self.state}>"
