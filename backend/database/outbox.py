"""The Outbox part: notification events written in the transaction of the change that causes them.

A rolled-back change therefore leaves no event, and a committed one leaves its event for the
delivery worker (backend/notifications/) even if the process dies right after the commit.
Which changes are events is decided by `events_of`, a plain function of the queue rules' changes.
"""
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from backend.database.rules import UPDATE
from backend.models import NotificationEvent, Reservation
from backend.models.notifications import ENDED, EXPIRING, GRANTED, RESOURCE_CHANGED
from backend.models.states import APPROVED, CANCELLED, EXPIRED, RELEASED

EVENTS_TABLE = NotificationEvent.__table__
INSERT_EVENTS = insert(EVENTS_TABLE)

HOLD_EXPIRED = "hold expired"
REQUEST_EXPIRED = "queued request expired"


@dataclass(frozen=True)
class Event:
    """An event as the rules' changes imply it: not yet stored."""

    event: str
    user_id: int | None
    reservation_id: int | None
    resource_id: int | None
    occurred_at: object
    reason: str | None = None
    detail: dict | None = None


def events_of(changes, fresh=()):
    """The notification events a list of queue changes means, in order.

    `granted`: a waiting request approved by the queue (an approval at request time, of a request
    whose id is in `fresh`, is no news to the person asking). `ended`: a hold or queued request that ran
    out, or that someone else (an administrator) ended; a user's own release or cancel is not news
    to them either. A label request is one event for all its resources: the changes of the
    resources it holds (parent_id) only say which resources those are.
    """
    found = []
    members = {}
    for change in changes:
        if change.row.parent_id is not None and change.kind == UPDATE:
            members.setdefault(change.row.parent_id, []).append(change.row.resource_id)
    for change in changes:
        r = change.row
        if r.parent_id is not None or change.kind != UPDATE:
            continue
        resources = sorted(set(members.get(r.id, []))) if r.is_label_request else None
        if change.event == APPROVED and r.id not in fresh:
            found.append(Event(GRANTED, r.user_id, r.id, r.resource_id, r.approved_at,
                               detail=_detail({"valid_until": _iso(r.valid_until)}, r, resources)))
        elif change.event == EXPIRED:
            was_holding = r.approved_at is not None
            found.append(Event(ENDED, r.user_id, r.id, r.resource_id, r.ended_at,
                               r.end_reason or (HOLD_EXPIRED if was_holding else REQUEST_EXPIRED),
                               _detail({"state": EXPIRED, "was": "approved" if was_holding else "requested"},
                                       r, resources)))
        elif change.event in (RELEASED, CANCELLED) and _ended_by_someone_else(r):
            found.append(Event(ENDED, r.user_id, r.id, r.resource_id, r.ended_at, r.end_reason,
                               _detail({"state": change.event, "ended_by_id": r.ended_by_id,
                                        "was": "approved" if change.event == RELEASED else "requested"},
                                       r, resources)))
    return found


def _detail(detail, row, resources):
    """A label request's events also carry its labels and count, and which resources it held."""
    if row.is_label_request:
        detail.update(labels=row.labels.split(), count=row.count, resource_ids=resources or [])
    return detail


def _ended_by_someone_else(row):
    """Administrators (and the shell) always give a reason; people ending their own give none."""
    if row.ended_by_id is not None:
        return row.ended_by_id != row.user_id
    return bool(row.end_reason)


def _iso(moment):
    return moment.isoformat() if moment is not None else None


class Outbox:
    def __init__(self, transactions):
        self.transactions = transactions

    def record(self, connection, changes, fresh=()):
        """Write the events the changes imply, inside the caller's write; nothing when none.
        `fresh`: requests made in this write (their approval is no news)."""
        events = events_of(changes, fresh)
        if events:
            self.write(connection, events)

    def write(self, connection, events):
        now = self.transactions.now()
        connection.execute(INSERT_EVENTS, [_row(e, now) for e in events])

    def resource_changed(self, connection, resource, acting_id, maintenance, reason=None, holder_id=None):
        """For administrators: a resource went into maintenance, or came back. `reason`: why (a
        failing health check); `holder_id`: its holder, who hears of it too (deliveries.py)."""
        detail = {"maintenance": maintenance, "resource_name": resource.name}
        if reason:
            detail["maintenance_reason"] = reason
        if holder_id is not None:
            detail["holder_id"] = holder_id
        self.write(connection, [Event(
            RESOURCE_CHANGED, acting_id, None, resource.id, self.transactions.now(),
            reason or ("maintenance started" if maintenance else "maintenance ended"), detail)])

    def record_expiring(self, warn):
        """Record `expiring` for every hold ending within `warn` (a timedelta) that has none yet;
        once per hold, whichever worker gets there first. Returns how many were recorded."""
        now = self.transactions.now()
        due = self._holds_ending_before(now + warn, now)
        if not due:
            return 0
        with self.transactions.writing() as session:
            connection = session.connection()
            now = self.transactions.now()
            rows = [_row(Event(EXPIRING, r.user_id, r.id, r.resource_id, now,
                               detail={"valid_until": _iso(r.valid_until)}), now)
                    for r in self._holds_ending_before(now + warn, now, connection)]
            if rows:
                connection.execute(_insert_ignoring_duplicates(connection.dialect.name), rows)
        return len(rows)

    def _holds_ending_before(self, deadline, now, connection=None):
        """Holds still running whose deadline is before `deadline`, without an `expiring` event."""
        warned = exists().where(and_(EVENTS_TABLE.c.event == EXPIRING,
                                     EVENTS_TABLE.c.reservation_id == Reservation.id))
        # Once per request: the resources a label request holds share its deadline.
        stmt = (select(Reservation.id, Reservation.user_id, Reservation.resource_id, Reservation.valid_until)
                .where(Reservation.state == APPROVED, Reservation.parent_id.is_(None),
                       Reservation.valid_until.is_not(None),
                       Reservation.valid_until > now, Reservation.valid_until <= deadline, ~warned)
                .order_by(Reservation.id))
        run = connection.execute if connection is not None else self.transactions.session.execute
        return list(run(stmt))


def _row(event, now):
    return {"uid": str(uuid.uuid4()), "event": event.event, "user_id": event.user_id,
            "reservation_id": event.reservation_id, "resource_id": event.resource_id,
            "occurred_at": event.occurred_at, "recorded_at": now, "reason": event.reason,
            "detail": event.detail, "fanned_out_at": None}


def _insert_ignoring_duplicates(dialect):
    """INSERT ... ON CONFLICT DO NOTHING: another worker may have recorded the same warning."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(EVENTS_TABLE).on_conflict_do_nothing()
