"""Bookings: a resource reserved ahead for a time window [start_at, end_at).

One row per resource: a booking of two resources carrying some labels is two rows sharing one
`booking_id` (the id of its first row), so that the database can refuse an overlap resource by
resource. Repeating bookings share a `series_id` (the booking_id of the first occurrence).
Two live rows (booked or active) of one resource never overlap: an exclusion constraint on
PostgreSQL, triggers on SQLite (migration 0011).
"""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.states import BOOKED
from backend.models.states import LIVE_BOOKING_SQL as LIVE_SQL
from backend.models.types import UTCDateTime


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'active', 'ended', 'released_early', 'no_show', 'cancelled')",
                        name="ck_bookings_status"),
        CheckConstraint("end_at > start_at", name="ck_bookings_window"),
        Index("ix_bookings_live", "resource_id", "start_at",
              sqlite_where=text(LIVE_SQL), postgresql_where=text(LIVE_SQL)),
        # What starts next, the first still to come, the reminders due: seeks, however many are booked.
        Index("ix_bookings_status_start", "status", "start_at"),
        Index("ix_bookings_booking_id", "booking_id"),
        Index("ix_bookings_series_id", "series_id"),
        Index("ix_bookings_user_id", "user_id", "start_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The booking this row is a resource of (the id of its first row); set in the write that makes it.
    booking_id: Mapped[int | None] = mapped_column(Integer)
    series_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=BOOKED)
    # An administrator's maintenance window: the resource is in maintenance for it, nobody holds it.
    maintenance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Raised on every change, for the calendar feeds (RFC 5545 SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When its booker was told it starts soon (booking_starts_soon): once per booking.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self):
        return f"<Booking {self.id} of {self.booking_id} resource={self.resource_id} {self.status}>"
