"""The Notifications part: what people set up and read — their webhooks and each one's last
deliveries, which event reaches them by which channel, and the events their browser shows."""
import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from backend.errors import Conflict, Forbidden, NotFound, TooManyAttempts
from backend.logs import NOTIFY, log
from backend.models import Delivery, NotificationEvent, NotificationPreference, Resource, User, Webhook
from backend.models.notifications import (
    ADMIN_EVENTS,
    BROWSER,
    DEFAULT_EVENTS,
    EVENTS,
    PERSONAL_EVENTS,
    PREFERENCE_CHANNELS,
    RESOURCE_CHANGED,
    TEST,
)

# More than anyone needs; a bound keeps one account from making the worker's work endless.
MAX_WEBHOOKS_PER_USER = 20
# Events the browser is shown at most, per look.
FEED_LIMIT = 50
# Test deliveries one user may ask for per TEST_WINDOW: each makes the server connect somewhere.
TESTS_PER_WINDOW = 6
TEST_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class EventRecord:
    """A stored event with the names people read."""

    event: NotificationEvent
    user_name: str | None
    resource_name: str | None


@dataclass(frozen=True)
class WebhookSummary:
    """A webhook with its newest delivery, or None."""

    webhook: Webhook
    last_delivery: Delivery | None


def default_preference(event):
    return event in DEFAULT_EVENTS


def events_for(user):
    """The events this user may choose: administrators also hear of resource changes."""
    return EVENTS if user.is_admin else PERSONAL_EVENTS


class Notifications:
    def __init__(self, transactions):
        self.transactions = transactions

    def add_webhook(self, user, url, events, secret, format_):
        """Register a webhook for the user; returns it."""
        if any(e in ADMIN_EVENTS for e in events) and not user.is_admin:
            raise Forbidden("Only administrators can subscribe to resource_changed.", "ADMIN_REQUIRED")
        try:
            with self.transactions.writing() as session:
                count = session.scalar(select(func.count(Webhook.id)).where(Webhook.user_id == user.id))
                if count >= MAX_WEBHOOKS_PER_USER:
                    raise Conflict(f"You already have {count} webhooks; remove one first.",
                                   "TOO_MANY_WEBHOOKS")
                self._refuse_duplicate(session, user, url)
                webhook = Webhook(user_id=user.id, url=url, events=",".join(events), secret=secret,
                                  format=format_, created_at=self.transactions.now())
                session.add(webhook)
                session.flush()
        except Conflict as error:
            if isinstance(error.__cause__, IntegrityError):
                # The same URL added by a parallel request meanwhile.
                raise Conflict("You already have a webhook with this URL.", "WEBHOOK_EXISTS") from error
            raise
        log.info("%s webhook added id=%s user=%r events=%s", NOTIFY, webhook.id, user.name, webhook.events)
        return webhook

    @staticmethod
    def _refuse_duplicate(session, user, url):
        if session.scalar(select(Webhook.id).where(Webhook.user_id == user.id, Webhook.url == url)):
            raise Conflict("You already have a webhook with this URL.", "WEBHOOK_EXISTS")

    def webhooks(self, user):
        """The user's webhooks, oldest first, each with its newest delivery."""
        session = self.transactions.session
        hooks = list(session.scalars(select(Webhook).where(Webhook.user_id == user.id).order_by(Webhook.id)))
        newest = {}
        if hooks:
            last_ids = (select(func.max(Delivery.id)).where(Delivery.webhook_id.in_([h.id for h in hooks]))
                        .group_by(Delivery.webhook_id))
            newest = {d.webhook_id: d for d in session.scalars(select(Delivery).where(Delivery.id.in_(last_ids)))}
        return [WebhookSummary(h, newest.get(h.id)) for h in hooks]

    def webhook(self, user, webhook_id):
        """One of the user's webhooks; someone else's is as unknown as a missing one."""
        webhook = self.transactions.session.get(Webhook, webhook_id)
        if webhook is None or webhook.user_id != user.id:
            raise NotFound(f"You have no webhook with id {webhook_id}.", "WEBHOOK_NOT_FOUND")
        return webhook

    def remove_webhook(self, user, webhook_id):
        """Remove one of the user's webhooks with its deliveries; nothing more is sent to it."""
        with self.transactions.writing() as session:
            webhook = self.webhook(user, webhook_id)
            session.execute(delete(Delivery).where(Delivery.webhook_id == webhook.id))
            session.delete(webhook)
        log.info("%s webhook removed id=%s user=%r", NOTIFY, webhook_id, user.name)
        return webhook

    def test_webhook(self, user, webhook_id):
        """Queue a `test` event for one webhook; the worker sends it like any other. At most
        TESTS_PER_WINDOW a minute per user (counted from the stored test events, so every process
        sees them), then TooManyAttempts."""
        with self.transactions.writing() as session:
            webhook = self.webhook(user, webhook_id)
            if webhook.disabled_reason:
                raise Conflict(webhook.disabled_reason, "WEBHOOK_DISABLED")
            now = self.transactions.now()
            self._refuse_too_many_tests(session, user, now)
            outbox_event = _test_event(user, webhook, now)
            session.add(outbox_event)
            session.flush()
        log.info("%s webhook test queued id=%s user=%r", NOTIFY, webhook_id, user.name)
        return outbox_event

    @staticmethod
    def _refuse_too_many_tests(session, user, now):
        # On PostgreSQL one user's tests are counted in turn (SQLite's write lock does it there).
        session.execute(select(User.id).where(User.id == user.id).with_for_update())
        recent = list(session.scalars(
            select(NotificationEvent.recorded_at).where(NotificationEvent.recorded_at > now - TEST_WINDOW,
                                                        NotificationEvent.event == TEST,
                                                        NotificationEvent.user_id == user.id)
            .order_by(NotificationEvent.recorded_at)))
        if len(recent) < TESTS_PER_WINDOW:
            return
        seconds = max(1, math.ceil((recent[-TESTS_PER_WINDOW] + TEST_WINDOW - now).total_seconds()))
        log.info("%s webhook tests throttled user=%r retry_after=%ds", NOTIFY, user.name, seconds)
        raise TooManyAttempts(f"You sent {TESTS_PER_WINDOW} test deliveries within a minute: try again in "
                              f"{seconds} s.", retry_after=seconds, code="WEBHOOK_TESTS_THROTTLED")

    def deliveries(self, user, webhook_id, limit):
        """The webhook's newest deliveries first, with the event each carried."""
        webhook = self.webhook(user, webhook_id)
        rows = self.transactions.session.execute(
            select(Delivery, NotificationEvent.uid, NotificationEvent.event)
            .join(NotificationEvent, NotificationEvent.id == Delivery.event_id)
            .where(Delivery.webhook_id == webhook.id).order_by(Delivery.id.desc()).limit(limit))
        return webhook, list(rows)

    def preferences(self, user):
        """{(event, channel): on?} for every event the user may choose, defaults filled in."""
        chosen = {(p.event, p.channel): p.enabled for p in self.transactions.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
        return {(event, channel): chosen.get((event, channel), default_preference(event))
                for event in events_for(user) for channel in PREFERENCE_CHANNELS}

    def reminder_minutes(self, user):
        """How many minutes before their bookings start the user is told (booking_starts_soon)."""
        return self.transactions.session.scalar(select(User.booking_reminder_minutes).where(User.id == user.id))

    def set_preferences(self, user, changes, reminder_minutes=None):
        """Store {(event, channel): on?}, and the booking reminder's minutes when given; the pairs
        not given keep their setting."""
        allowed = events_for(user)
        for event, _channel in changes:
            if event not in allowed:
                raise Forbidden("Only administrators can choose resource_changed.", "ADMIN_REQUIRED")
        with self.transactions.writing() as session:
            stored = {(p.event, p.channel): p for p in session.scalars(
                select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
            for (event, channel), enabled in changes.items():
                row = stored.get((event, channel))
                if row is None:
                    session.add(NotificationPreference(user_id=user.id, event=event, channel=channel,
                                                       enabled=enabled))
                else:
                    row.enabled = enabled
            if reminder_minutes is not None:
                session.execute(update(User).where(User.id == user.id)
                                .values(booking_reminder_minutes=reminder_minutes))
        log.info("%s preferences changed user=%r", NOTIFY, user.name)
        return self.preferences(user)

    def feed(self, user, since):
        """The events recorded since `since` that the user's browser should show, oldest first."""
        wanted = [event for (event, channel), on in self.preferences(user).items() if on and channel == BROWSER]
        if not wanted:
            return []
        personal = [e for e in wanted if e in PERSONAL_EVENTS]
        whose = NotificationEvent.user_id == user.id
        condition = whose & NotificationEvent.event.in_(personal) if personal else None
        if RESOURCE_CHANGED in wanted:
            changed = NotificationEvent.event == RESOURCE_CHANGED
            condition = changed if condition is None else or_(condition, changed)
        rows = self.transactions.session.execute(
            select(NotificationEvent, User.name, Resource.name)
            .outerjoin(User, User.id == NotificationEvent.user_id)
            .outerjoin(Resource, Resource.id == NotificationEvent.resource_id)
            .where(NotificationEvent.recorded_at >= since, condition)
            # In the order of the recorded_at index: ordered by id alone, SQLite walked the whole
            # outbox (a month of everyone's events) to find the few recent ones.
            .order_by(NotificationEvent.recorded_at, NotificationEvent.id).limit(FEED_LIMIT))
        return [EventRecord(*row) for row in rows]

    def feed_version(self, user, window):
        """A validator of the user's feed: a digest of the ids of the events recorded within
        `window` that their browser could be shown. It changes when such an event arrives, and
        not for anyone else's; when one leaves the window it changes too, which costs a look that
        finds nothing new. Preferences are left out (one read, not two): an event the user turned
        off also costs only such a look. Why a window suffices, and how wide it is:
        backend/web/notices.py.

        Every open page asks on every refresh, a thousand readers a few hundred times a second:
        the window's events are read once per commit for everyone (FeedWindow) and each reader's
        version worked out from them, where one read per reader and commit was a fifth of a
        refresh's cost.
        """
        shown = self.transactions.cached(("feed window", window), lambda: self._feed_window(window))
        ids = ",".join(str(i) for i in shown.ids_for(user.id, user.is_admin))
        return hashlib.blake2b(f"{user.id}:{ids}".encode(), digest_size=12).hexdigest()

    def _feed_window(self, window):
        """(the FeedWindow of the events recorded within `window`, when the first of them leaves it)."""
        rows = self.transactions.session.execute(
            select(NotificationEvent.id, NotificationEvent.recorded_at, NotificationEvent.user_id,
                   NotificationEvent.event)
            .where(NotificationEvent.recorded_at >= self.transactions.now() - window,
                   or_(NotificationEvent.event.in_(PERSONAL_EVENTS), NotificationEvent.event == RESOURCE_CHANGED))
        ).all()
        return FeedWindow(rows), min(row.recorded_at for row in rows) + window if rows else None


class FeedWindow:
    """The recent events some browser could be shown, by whom: each user's own (of the personal
    kinds), and the resource changes every administrator's browser could be shown."""

    def __init__(self, rows):
        self.own = {}
        self.changes = set()
        for row in rows:
            if row.event == RESOURCE_CHANGED:
                self.changes.add(row.id)
            else:
                self.own.setdefault(row.user_id, set()).add(row.id)

    def ids_for(self, user_id, admin):
        """The ids of the events the user's browser could be shown, in order."""
        own = self.own.get(user_id, frozenset())
        return sorted(own | self.changes if admin else own)


def _test_event(user, webhook, now):
    return NotificationEvent(uid=str(uuid.uuid4()), event=TEST, user_id=user.id, reservation_id=None,
                             resource_id=None, occurred_at=now, recorded_at=now,
                             reason="test delivery", detail={"webhook_id": webhook.id})
