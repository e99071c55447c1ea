"""Shared things people reserve: benches, machines, licences, rooms."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.models.resource_label import ResourceLabel
from backend.models.types import UTCDateTime, utcnow


class Resource(db.Model):
    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint("max_hold_minutes IS NULL OR max_hold_minutes > 0", name="ck_resources_max_hold"),
        CheckConstraint("max_booking_minutes IS NULL OR max_booking_minutes > 0", name="ck_resources_max_booking"),
        CheckConstraint("book_ahead_days IS NULL OR book_ahead_days > 0", name="ck_resources_book_ahead"),
        CheckConstraint("booking_buffer_minutes >= 0", name="ck_resources_booking_buffer"),
        CheckConstraint("checkin_minutes IS NULL OR checkin_minutes > 0", name="ck_resources_checkin"),
        # Ids are never handed out twice: SQLite would otherwise reuse a deleted highest id.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    comment: Mapped[str] = mapped_column(String(500), default="")
    # Deactivated resources keep their history but take no new requests.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # In maintenance the queue waits: nobody new is approved until it is back.
    maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why it is in maintenance ("health check failed: refused"); None when out of it or not said.
    maintenance_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The longest hold anyone may ask for; None means the site's hold length
    # (RESERVIA_HOLD_MINUTES).
    max_hold_minutes: Mapped[int | None] = mapped_column(Integer)
    # Bookings (booking.py): the longest one (None: no limit), how far ahead (None: no limit),
    # the gap kept free of holds before each, and how soon after its start a booking must be
    # checked in (None: no check-in).
    max_booking_minutes: Mapped[int | None] = mapped_column(Integer)
    book_ahead_days: Mapped[int | None] = mapped_column(Integer)
    booking_buffer_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checkin_minutes: Mapped[int | None] = mapped_column(Integer)
    # The end of its latest live booking: a write on a resource never booked past now reads no bookings.
    booked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Loaded with the resources in one more statement, however many there are.
    label_rows: Mapped[list[ResourceLabel]] = relationship(
        lazy="selectin", order_by=ResourceLabel.name, cascade="all, delete-orphan", passive_deletes=True)

    # Its health check, if it has one: read only where asked for (Resources.list(with_health=True)).
    health_check = relationship("HealthCheck", uselist=False, lazy="raise", viewonly=True)

    @property
    def labels(self):
        return [row.name for row in self.label_rows]

    @labels.setter
    def labels(self, names):
        kept = {row.name: row for row in self.label_rows}
        self.label_rows = [kept.get(name) or ResourceLabel(name=name) for name in sorted(set(names))]

    def __repr__(self):
        return f"<Resource {self.id} {self.name!r}>"
