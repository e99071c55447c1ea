"""Notifications: the outbox of events, the webhooks people register, each delivery, and who wants
which event by which channel."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime

GRANTED = "granted"
EXPIRING = "expiring"
ENDED = "ended"
RESOURCE_CHANGED = "resource_changed"
TEST = "test"
BOOKING_STARTS_SOON = "booking_starts_soon"
BOOKING_STARTED = "booking_started"
BOOKING_CANCELLED = "booking_cancelled"
HOLD_SHORTENED = "hold_shortened"
BOOKING_EVENTS = (BOOKING_STARTS_SOON, BOOKING_STARTED, BOOKING_CANCELLED, HOLD_SHORTENED)
# What people can subscribe to; resource_changed is for administrators.
EVENTS = (GRANTED, EXPIRING, ENDED, RESOURCE_CHANGED, *BOOKING_EVENTS)
PERSONAL_EVENTS = (GRANTED, EXPIRING, ENDED, *BOOKING_EVENTS)
ADMIN_EVENTS = (RESOURCE_CHANGED,)
# On by default, on every channel; the others only when asked for.
DEFAULT_EVENTS = (GRANTED, EXPIRING, *BOOKING_EVENTS)

WEBHOOK = "webhook"
EMAIL = "email"
BROWSER = "browser"
# Channels chosen per event in the preferences; a webhook names its own events.
PREFERENCE_CHANNELS = (EMAIL, BROWSER)

FORMATS = ("json", "slack")

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
# The error of a last try that is under way, or whose worker stopped before it could tell.
INTERRUPTED = "interrupted"

_EVENT_CHECK = ("event IN ('granted', 'expiring', 'ended', 'resource_changed', 'test', 'booking_starts_soon',"
                " 'booking_started', 'booking_cancelled', 'hold_shortened')")
_PENDING_SQL = "status = 'pending'"
_EXPIRING_SQL = "event = 'expiring'"
_NOT_FANNED_OUT_SQL = "fanned_out_at IS NULL"


class NotificationEvent(db.Model):
    """The outbox: one row per event, written in the transaction of the change that caused it,
    so that a rolled-back change leaves none and a committed one is never forgotten.

    No foreign keys: an event outlives nothing it names (users and resources without history may
    be deleted), and the body is frozen per delivery when the worker fans it out.
    """

    __tablename__ = "notification_events"
    __table_args__ = (
        CheckConstraint(_EVENT_CHECK, name="ck_notification_events_event"),
        # `expiring` is sent once per hold, whichever worker sees it first.
        Index("uq_notification_events_expiring", "reservation_id", unique=True,
              sqlite_where=text(_EXPIRING_SQL), postgresql_where=text(_EXPIRING_SQL)),
        Index("ix_notification_events_to_fan_out", "id",
              sqlite_where=text(_NOT_FANNED_OUT_SQL), postgresql_where=text(_NOT_FANNED_OUT_SQL)),
        Index("ix_notification_events_recorded_at", "recorded_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What receivers see as the event's id (X-Reservia-Delivery): unique beyond this database.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(20))
    # Whose reservation it is; for resource_changed, the administrator who made the change.
    user_id: Mapped[int | None] = mapped_column(Integer)
    reservation_id: Mapped[int | None] = mapped_column(Integer)
    resource_id: Mapped[int | None] = mapped_column(Integer)
    # When it happened (a hold that ran out ends at its deadline) and when it was written.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))
    # Per event: the hold's end, the state it ended in, maintenance on or off, the webhook tested.
    detail: Mapped[dict | None] = mapped_column(JSON)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self):
        return f"<NotificationEvent {self.id} {self.event} user={self.user_id}>"


class Webhook(db.Model):
    __tablename__ = "webhooks"
    __table_args__ = (
        CheckConstraint("format IN ('json', 'slack')", name="ck_webhooks_format"),
        Index("uq_webhooks_user_url", "user_id", "url", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    # Comma-separated event names.
    events: Mapped[str] = mapped_column(String(200))
    # Signs each body (HMAC-SHA256); kept as typed, since signing needs it. Never logged or shown.
    secret: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(10), default="json")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Why nothing is sent to it any more (a URL stored before URLs were checked); None: in use.
    disabled_reason: Mapped[str | None] = mapped_column(String(300))

    @property
    def event_list(self):
        return [e for e in self.events.split(",") if e]

    def __repr__(self):
        return f"<Webhook {self.id} user={self.user_id}>"


class Delivery(db.Model):
    """One event sent to one webhook or one mailbox: its frozen body, its attempts, its outcome."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        CheckConstraint("channel IN ('webhook', 'email')", name="ck_notification_deliveries_channel"),
        CheckConstraint("status IN ('pending', 'delivered', 'failed')",
                        name="ck_notification_deliveries_status"),
        # An event reaches a webhook, or a user's mailbox, once: the database refuses a second row.
        Index("uq_notification_deliveries_webhook", "event_id", "webhook_id", unique=True,
              sqlite_where=text("channel = 'webhook'"), postgresql_where=text("channel = 'webhook'")),
        Index("uq_notification_deliveries_email", "event_id", "user_id", unique=True,
              sqlite_where=text("channel = 'email'"), postgresql_where=text("channel = 'email'")),
        Index("ix_notification_deliveries_due", "next_attempt_at",
              sqlite_where=text(_PENDING_SQL), postgresql_where=text(_PENDING_SQL)),
        Index("ix_notification_deliveries_webhook", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notification_events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    # The mailbox, for e-mail.
    recipient: Mapped[str | None] = mapped_column(String(254))
    # Exactly what is sent, every attempt alike: the signature and the receiver's dedup hold.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the next attempt is due; while an attempt runs, its next scheduled try.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    # What went wrong, as its owner sees it: a category (timeout, refused, dns, tls, http 503,
    # blocked …); the full text is only logged.
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self):
        return f"<Delivery {self.id} {self.channel} {self.status}>"


class NotificationPreference(db.Model):
    """A user's choice for one event on one channel; without a row, the default (DEFAULT_EVENTS)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    event: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)

    def __repr__(self):
        return f"<NotificationPreference user={self.user_id} {self.event}/{self.channel}={self.enabled}>"
