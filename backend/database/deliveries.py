"""The Deliveries part: what the delivery worker asks of the database — turn new events into one
delivery per webhook and mailbox, claim the deliveries that are due, record how each attempt went.

Several workers may run at once (several hosts on PostgreSQL): events and deliveries are claimed
with SELECT ... FOR UPDATE SKIP LOCKED, so each goes to one worker; claiming a delivery counts its
attempt and moves its next one to the next scheduled try, so a worker that dies mid-send leaves it
to be retried then, not lost, and never sent twice for one try.
On SQLite every claim holds the database's write lock, which serialises workers the same way.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from backend.database.notifications import EventRecord, default_preference
from backend.logs import NOTIFY, log
from backend.models import Delivery, NotificationEvent, NotificationPreference, Resource, User, Webhook
from backend.models.notifications import (
    DELIVERED,
    EMAIL,
    FAILED,
    INTERRUPTED,
    PENDING,
    RESOURCE_CHANGED,
    TEST,
    WEBHOOK,
)
from backend.models.user import ROLE_ADMIN

EVENTS_TABLE = NotificationEvent.__table__
DELIVERIES_TABLE = Delivery.__table__


@dataclass(frozen=True)
class Claim:
    """A delivery this worker now owns for one attempt."""

    id: int
    attempt: int
    channel: str
    body: str
    recipient: str | None
    created_at: datetime
    event_uid: str
    event: str
    url: str | None
    secret: str | None
    format: str | None


@dataclass(frozen=True)
class Outcome:
    """How one attempt went; `retry_at` None after a failure means: give up."""

    claim: Claim
    delivered: bool
    status_code: int | None = None
    error: str | None = None
    retry_at: datetime | None = None


class Deliveries:
    def __init__(self, transactions):
        self.transactions = transactions

    def fan_out(self, render, email_enabled, limit=100):
        """Give each event not yet fanned out its deliveries; returns how many events that was.

        `render(record, channel, webhook)` -> the body to send, frozen in the delivery so that
        every attempt sends the same bytes under the same signature.
        """
        waiting = select(NotificationEvent.id).where(NotificationEvent.fanned_out_at.is_(None)).limit(1)
        if self.transactions.session.scalar(waiting) is None:
            return 0
        with self.transactions.writing() as session:
            now = self.transactions.now()
            events = list(session.scalars(
                select(NotificationEvent).where(NotificationEvent.fanned_out_at.is_(None))
                .order_by(NotificationEvent.id).limit(limit).with_for_update(skip_locked=True)))
            if not events:
                return 0
            rows, done = self._deliveries_of(session, events, render, email_enabled, now)
            if rows:
                session.execute(insert(DELIVERIES_TABLE), rows)
            if done:
                session.execute(update(EVENTS_TABLE).where(EVENTS_TABLE.c.id.in_(done)).values(fanned_out_at=now))
        return len(done)

    def _deliveries_of(self, session, events, render, email_enabled, now):
        """(delivery rows to insert, ids of the events they cover)."""
        audience = _Audience.load(session, events)
        rows, done = [], []
        for event in events:
            try:
                rows += audience.deliveries(event, render, email_enabled, now)
            except Exception:
                # A bug in one event's text must not hold up everyone else's: it stays pending.
                log.exception("%s event %s could not be fanned out; left pending", NOTIFY, event.uid)
                continue
            done.append(event.id)
        return rows, done

    def claim_due(self, limit, lease, schedule):
        """Take up to `limit` deliveries whose attempt is due and return their Claims.

        The claim itself counts the attempt and moves the next one to where `schedule(attempt,
        created_at, now)` puts it (no sooner than `lease`, a timedelta, so that a slow attempt is
        never overlapped): a worker that dies mid-send, or a pass that fails, leaves each
        delivery to its next scheduled try, never to a second go at this one. When `schedule`
        gives None this is the last try: the delivery is marked failed (`interrupted`) until
        record() says how it went.
        """
        now = self.transactions.now()
        due = (select(Delivery.id).where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
               .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
        if self.transactions.session.scalar(due.limit(1)) is None:
            return []
        with self.transactions.writing() as session:
            now = self.transactions.now()
            taken = session.execute(
                select(Delivery.id, Delivery.attempts, Delivery.created_at)
                .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit).with_for_update(skip_locked=True)).all()
            if not taken:
                return []
            for delivery_id, attempts, created_at in taken:
                values = {"attempts": attempts + 1, "last_attempt_at": now}
                later = schedule(attempts + 1, created_at, now)
                if later is None:
                    values.update(status=FAILED, finished_at=now, error=INTERRUPTED, status_code=None)
                else:
                    values["next_attempt_at"] = max(later, now + lease)
                session.execute(update(DELIVERIES_TABLE).where(DELIVERIES_TABLE.c.id == delivery_id).values(values))
            rows = session.execute(
                select(Delivery.id, Delivery.attempts, Delivery.channel, Delivery.body, Delivery.recipient,
                       Delivery.created_at, NotificationEvent.uid, NotificationEvent.event, Webhook.url,
                       Webhook.secret, Webhook.format)
                .join(NotificationEvent, NotificationEvent.id == Delivery.event_id)
                .outerjoin(Webhook, Webhook.id == Delivery.webhook_id)
                .where(Delivery.id.in_([row.id for row in taken])).order_by(Delivery.id))
            return [Claim(*row) for row in rows]

    def record(self, outcomes):
        """Store how each attempt went, unless the delivery was claimed again meanwhile (its
        attempt count, which each claim raises, tells)."""
        if not outcomes:
            return
        with self.transactions.writing() as session:
            now = self.transactions.now()
            for outcome in outcomes:
                claim = outcome.claim
                values = {"status_code": outcome.status_code, "error": outcome.error}
                if outcome.delivered:
                    values.update(status=DELIVERED, finished_at=now)
                elif outcome.retry_at is None:
                    values.update(status=FAILED, finished_at=now)
                else:
                    values.update(status=PENDING, finished_at=None, next_attempt_at=outcome.retry_at)
                session.execute(update(DELIVERIES_TABLE).where(
                    DELIVERIES_TABLE.c.id == claim.id, DELIVERIES_TABLE.c.attempts == claim.attempt)
                    .values(values))

    def prune(self, older_than):
        """Forget events recorded before `older_than` (a datetime) and their deliveries, once
        fanned out: retries stop a day after an event, so none is still pending then."""
        with self.transactions.writing() as session:
            old = select(NotificationEvent.id).where(NotificationEvent.recorded_at < older_than,
                                                     NotificationEvent.fanned_out_at.is_not(None))
            session.execute(delete(Delivery).where(Delivery.event_id.in_(old)))
            removed = session.execute(delete(NotificationEvent).where(NotificationEvent.id.in_(old)))
        return removed.rowcount


@dataclass
class _Audience:
    """Who hears of a batch of events: the users concerned, administrators for resource changes,
    their webhooks and e-mail choices, the resources' names; read in a few statements per batch."""

    users: dict
    admins: list
    resources: dict
    hooks: dict
    mail_choices: dict

    @classmethod
    def load(cls, session, events):
        user_ids = {e.user_id for e in events if e.user_id is not None}
        admins = []
        if any(e.event == RESOURCE_CHANGED for e in events):
            admins = list(session.scalars(select(User).where(User.role == ROLE_ADMIN, User.active.is_(True))))
            user_ids |= {a.id for a in admins}
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
        resource_ids = {e.resource_id for e in events if e.resource_id is not None}
        resources = dict(session.execute(
            select(Resource.id, Resource.name).where(Resource.id.in_(resource_ids))).all())
        hooks = {}
        for hook in session.scalars(select(Webhook).where(Webhook.user_id.in_(users), Webhook.disabled_reason.is_(None))
                                  .order_by(Webhook.id)):
            hooks.setdefault(hook.user_id, []).append(hook)
        mail_choices = {(p.user_id, p.event): p.enabled for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(users),
                                                 NotificationPreference.channel == EMAIL))}
        return cls(users, admins, resources, hooks, mail_choices)

    def deliveries(self, event, render, email_enabled, now):
        """The delivery rows of one event, each with its body rendered."""
        subject = self.users.get(event.user_id)
        resource_name = self.resources.get(event.resource_id) or (event.detail or {}).get("resource_name")
        record = EventRecord(event, subject.name if subject else None, resource_name)
        if event.event == TEST:
            webhook_id = (event.detail or {}).get("webhook_id")
            return [_row(event, h.user_id, WEBHOOK, render(record, WEBHOOK, h), now, webhook_id=h.id)
                    for h in self.hooks.get(event.user_id, []) if h.id == webhook_id]
        rows = []
        recipients = self.admins if event.event == RESOURCE_CHANGED else [subject] if subject else []
        # The holder of a resource its health check put in maintenance hears of it too, by e-mail
        # (people who are not administrators cannot choose resource_changed: they always get it).
        holder = self.users.get((event.detail or {}).get("holder_id")) if event.event == RESOURCE_CHANGED else None
        # By id: Flask-Login's users compare equal by their session, which these have none of.
        if holder is not None and holder.id not in {user.id for user in recipients}:
            recipients = [*recipients, holder]
        for user in recipients:
            for hook in self.hooks.get(user.id, []):
                if event.event in hook.event_list:
                    rows.append(_row(event, user.id, WEBHOOK, render(record, WEBHOOK, hook), now,
                                     webhook_id=hook.id))
            wants_mail = self.mail_choices.get((user.id, event.event), default_preference(event.event))
            if user is holder and not user.is_admin:
                wants_mail = True
            if email_enabled and wants_mail and user.email:
                rows.append(_row(event, user.id, EMAIL, render(record, EMAIL, None), now, recipient=user.email))
        return rows


def _row(event, user_id, channel, body, now, webhook_id=None, recipient=None):
    return {"event_id": event.id, "user_id": user_id, "channel": channel, "webhook_id": webhook_id,
            "recipient": recipient, "body": body, "status": PENDING, "attempts": 0,
            "next_attempt_at": now, "last_attempt_at": None, "finished_at": None, "status_code": None,
            "error": None, "created_at": now}
