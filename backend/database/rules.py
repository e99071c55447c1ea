"""The queue rules: plain functions of a resource's active reservations and the current time.

They know nothing of Flask or SQL. Each one changes the ReservationRows it is given and returns
the changes in the order they must be written (an ended hold before the approval that replaces
it: the database allows one holder per resource at any instant). The Queue part
(backend/database/queue.py) reads the rows under the resource's lock and writes the changes.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
    hold_minutes: int | None = None
    note: str | None = None

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


def settle(active, now, hold, maintenance=False, maximum=None):
    """Bring one resource up to date as of `now`.

    `active`: its holds and queued requests in id order (queue order). Overdue holds and queued
    requests expire at their own deadline, and whoever is next is approved at the moment the
    resource became free, so the history is the same whether this runs at that moment, on the
    next request, or from the expiry command hours later. In maintenance nobody new is approved.
    `hold`: how long a hold lasts when its user chose no length (a timedelta), or None when holds
    never expire; `maximum`: the longest hold the resource allows, or None (see hold_span).
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
        changes.append(approve(head, max(free_since, head.requested_at), hold_span(head, hold, maximum)))
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


def hold_span(reservation, hold, maximum):
    """How long the reservation's hold lasts from its approval or last keep-alive: the length its
    user chose, else the site's `hold` (None: for ever), never more than the resource's `maximum`
    (None: no maximum)."""
    chosen = timedelta(minutes=reservation.hold_minutes) if reservation.hold_minutes else hold
    if maximum is None:
        return chosen
    return maximum if chosen is None else min(chosen, maximum)


def too_long(hold_minutes, maximum):
    """Whether a hold of `hold_minutes` asks for more than the resource's `maximum` allows."""
    return hold_minutes is not None and maximum is not None and timedelta(minutes=hold_minutes) > maximum


def new_request(user_id, resource_id, now, wait, hold, free, hold_minutes=None, note=None, maximum=None):
    """A new request, approved at once when the resource is `free`, else queued until `wait`
    has passed (None: it waits for ever). Its hold will last `hold_minutes` (None: the site's
    `hold`), within the resource's `maximum`. Not yet stored: it has no id."""
    reservation = ReservationRow(None, user_id, resource_id, REQUESTED, requested_at=now,
                                 valid_until=now + wait if wait else None,
                                 hold_minutes=hold_minutes, note=note)
    if free:
        approve(reservation, now, hold_span(reservation, hold, maximum))
    return reservation


def extend(reservation, now, span, maximum=None):
    """Keep a hold or queued request alive: its deadline moves to `span` from now (None: never).

    A hold never runs past `maximum` from its approval, and a keep-alive never shortens it (the
    maximum may have been lowered since). The Change names no column when nothing moved.
    """
    before = reservation.valid_until
    until = now + span if span else None
    if maximum is not None and reservation.state == APPROVED:
        cap = reservation.approved_at + maximum
        until = cap if until is None else min(until, cap)
    if until is not None and before is not None and reservation.state == APPROVED:
        until = max(until, before)
    reservation.valid_until = until
    return Change(reservation, ("valid_until",) if until != before else (), "kept_alive")


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
