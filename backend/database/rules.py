"""The queue rules: plain functions of a resource's active reservations and the current time.

They know nothing of Flask or SQL. Each one changes the ReservationRows it is given and returns
the changes in the order they must be written (an ended hold before the approval that replaces
it: the database allows one holder per resource at any instant). The Queue part
(backend/database/queue.py) reads the rows under the resource's lock and writes the changes.
"""
from dataclasses import dataclass, field
from datetime import datetime

from backend.models.states import APPROVED, EXPIRED, REQUESTED


@dataclass(eq=False)
class ReservationRow:
    """An active reservation as plain values, named like Reservation's attributes.

    The queue rules read a resource's active rows and change them one UPDATE at a time: every
    request, cancel, release and keep-alive runs them while holding the database's write lock,
    and ORM objects and their flushes made that lock last three times longer.
    """

    id: int | None
    user_id: int
    resource_id: int
    state: str
    requested_at: datetime
    approved_at: datetime | None = None
    ended_at: datetime | None = None
    valid_until: datetime | None = None
    end_reason: str | None = None
    ended_by_id: int | None = None

    @classmethod
    def from_row(cls, row):
        return cls(*row)


@dataclass(frozen=True)
class Change:
    """One reservation's row to write back: which of its attributes changed, and what happened
    (the new state, for the log and for what follows a change)."""

    row: ReservationRow
    names: tuple
    event: str


@dataclass
class Settlement:
    """A resource brought up to date: who holds it, who still waits (in order), what changed."""

    holder: ReservationRow | None
    queue: list
    changes: list = field(default_factory=list)


def settle(active, now, hold, maintenance=False):
    """Bring one resource up to date as of `now`.

    `active`: its holds and queued requests in id order (queue order). Overdue holds and queued
    requests expire at their own deadline, and whoever is next is approved at the moment the
    resource became free, so the history is the same whether this runs at that moment, on the
    next request, or from the expiry command hours later. In maintenance nobody new is approved.
    `hold`: how long a hold lasts (a timedelta), or None when holds never expire.
    """
    holder = next((r for r in active if r.state == APPROVED), None)
    queue = [r for r in active if r.state == REQUESTED]
    changes = []
    free_since = now
    while True:
        if holder is not None and holder.valid_until is not None and holder.valid_until <= now:
            changes.append(end(holder, EXPIRED, holder.valid_until))
            free_since = holder.valid_until
            holder = None
        if holder is not None or maintenance:
            break
        head = _next_waiting(queue, free_since, changes)
        if head is None:
            break
        changes.append(approve(head, max(free_since, head.requested_at), hold))
        holder = head
    for waiting in queue:
        if waiting.valid_until is not None and waiting.valid_until <= now:
            changes.append(end(waiting, EXPIRED, waiting.valid_until))
    return Settlement(holder, [r for r in queue if r.state == REQUESTED], changes)


def _next_waiting(queue, at, changes):
    """Pop the first queued request still valid at `at`, expiring those that ran out first."""
    while queue:
        head = queue.pop(0)
        if head.valid_until is None or head.valid_until > at:
            return head
        changes.append(end(head, EXPIRED, head.valid_until))
    return None


def approve(reservation, at, hold):
    """Make the reservation the holder from `at`; its hold ends `hold` later (None: never)."""
    reservation.state = APPROVED
    reservation.approved_at = at
    reservation.valid_until = at + hold if hold else None
    return Change(reservation, ("state", "approved_at", "valid_until"), APPROVED)


def end(reservation, state, at, reason=None, by_id=None):
    """End a hold or queued request at `at` as released, cancelled or expired."""
    reservation.state = state
    reservation.ended_at = at
    reservation.end_reason = reason
    reservation.ended_by_id = by_id
    return Change(reservation, ("state", "ended_at", "end_reason", "ended_by_id"), state)


def new_request(user_id, resource_id, now, wait, hold, free):
    """A new request, approved at once when the resource is `free`, else queued until `wait`
    has passed (None: it waits for ever). Not yet stored: it has no id."""
    reservation = ReservationRow(None, user_id, resource_id, REQUESTED, requested_at=now,
                                 valid_until=now + wait if wait else None)
    if free:
        approve(reservation, now, hold)
    return reservation


def extend(reservation, now, span):
    """Keep a hold or queued request alive: its deadline moves to `span` from now (None: never)."""
    reservation.valid_until = now + span if span else None
    return Change(reservation, ("valid_until",), "kept_alive")


def own(settlement, user_id):
    """The user's hold or queued request on a settled resource, or None."""
    holder = settlement.holder
    if holder is not None and holder.user_id == user_id:
        return holder
    return next((r for r in settlement.queue if r.user_id == user_id), None)


def position(settlement, reservation):
    """0 for the holder, 1 for the head of the queue, and so on."""
    if reservation is settlement.holder:
        return 0
    return settlement.queue.index(reservation) + 1
