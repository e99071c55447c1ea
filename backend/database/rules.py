"""The queue rules: plain functions of one reservation row, its resource's state and the current
time. The Pool (pool.py) applies them to many resources at once, in the order of service.

They know nothing of Flask or SQL. They change the ReservationRows they are given and return
the changes in the order they must be written (an ended hold before the approval that replaces
it: the database allows one holder per resource at any instant). The Queue part
(backend/database/queue.py) reads the rows under the write lock and writes the changes.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from backend.models.states import APPROVED, LEASE_LOST, MAX_HOLD, REQUESTED

# A request for several resources by name, all at once, is a label request for their marks
# ("#3 #5"): the Pool's all-at-once grant serves it, and no real label can look like a mark.
RESOURCE_MARK = "#"


def resource_mark(resource_id):
    return f"{RESOURCE_MARK}{resource_id}"


@dataclass(eq=False)
class ReservationRow:
    """An active reservation as plain values, named like Reservation's attributes.

    The queue rules read active rows and change them one UPDATE at a time: every request,
    cancel, release and keep-alive runs them while holding the database's write lock, and ORM
    objects and their flushes made that lock last three times longer.
    """

    id: int | None
    user_id: int
    resource_id: int | None
    state: str
    requested_at: datetime
    approved_at: datetime | None = None
    ended_at: datetime | None = None
    valid_until: datetime | None = None
    end_reason: str | None = None
    ended_by_id: int | None = None
    hold_minutes: int | None = None
    note: str | None = None
    parent_id: int | None = None
    labels: str | None = None
    count: int = 1
    # A request with a lease must be kept alive every `lease_seconds`, waiting or holding; it
    # ends at `lease_until` (its last keep-alive + the lease) if no keep-alive came.
    lease_seconds: int | None = None
    lease_until: datetime | None = None
    # The booking whose window this hold is (booking_pool.py); None for the queue's holds.
    booking_id: int | None = None
    # Its priority class when made (0-100): the queue serves higher classes first, and waiting
    # raises it (backend/domain/policies.py, service_key).
    priority: int = 50

    @classmethod
    def from_row(cls, row):
        return cls(*row)

    @property
    def is_label_request(self):
        return self.resource_id is None

    @property
    def label_set(self):
        return _label_set(self.labels)

    @property
    def names_resources(self):
        """Whether this label request names its resources (`#<id>` marks) rather than labels."""
        return _names_resources(self.labels)

    @property
    def request_id(self):
        """The request this row belongs to: itself, or the label request it holds a resource for."""
        return self.parent_id or self.id


# Worked out once per spelling of a request's labels: placing fifty label requests among sixty
# resources asks each request's labels some five thousand times per active list.
@lru_cache(maxsize=4096)
def _label_set(labels):
    return frozenset((labels or "").split())


@lru_cache(maxsize=4096)
def _names_resources(labels):
    return any(label.startswith(RESOURCE_MARK) for label in _label_set(labels))


@dataclass(frozen=True)
class ResourceState:
    """What the rules need to know of a resource. `maximum`: the longest hold one may ask for
    there (its administrator's maximum, else the site's hold length; None: no limit);
    `lifetime`: its administrator's maximum alone, which also bounds keep-alives from approval."""

    id: int
    maintenance: bool = False
    active: bool = True
    labels: frozenset = frozenset()
    maximum: timedelta | None = None
    lifetime: timedelta | None = None
    # Its live bookings (booking_rules.Slot) in start order, and the gap kept free before each.
    bookings: tuple = ()
    buffer: timedelta = timedelta(0)
    # The ids of the groups whose members may use it; None: everyone (backend/models/group_rule.py).
    allowed: frozenset | None = None

    def serves(self, request):
        """Whether this resource can be given to a label request: it carries all its labels, or,
        for a request naming resources, it is one of them."""
        if request.names_resources:
            return self.active and resource_mark(self.id) in request.label_set
        return self.active and request.label_set <= self.labels


UPDATE, INSERT, DELETE = "update", "insert", "delete"


@dataclass(frozen=True)
class Change:
    """One reservation's row to write back: the values of the attributes that changed (an
    UPDATE), a new row (INSERT) or one to forget (DELETE); and what happened, for the log.

    Values are taken when the change is made: a row may change again before it is written (kept,
    then approved with its request), and the database checks each step in order.
    """

    row: ReservationRow
    values: dict
    event: str
    kind: str = UPDATE

    @classmethod
    def of(cls, row, names, event, kind=UPDATE):
        if kind == INSERT:
            names = [n for n in vars(row) if n != "id"]
        return cls(row, {n: getattr(row, n) for n in names}, event, kind)


def approve(reservation, at, hold):
    """Make the reservation the holder from `at`; its hold ends `hold` later (None: never), or
    earlier when its lease runs out first."""
    reservation.state = APPROVED
    reservation.approved_at = at
    reservation.valid_until = _earliest(at + hold if hold else None, reservation.lease_until)
    return Change.of(reservation, ("state", "approved_at", "valid_until"), APPROVED)


def end(reservation, state, at, reason=None, by_id=None):
    """End a hold or queued request at `at` as released, cancelled or expired."""
    reservation.state = state
    reservation.ended_at = at
    reservation.end_reason = reason
    reservation.ended_by_id = by_id
    return Change.of(reservation, ("state", "ended_at", "end_reason", "ended_by_id"), state)


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


def new_request(user_id, resource_id, now, wait, hold, free, hold_minutes=None, note=None, maximum=None,
                lease=None):
    """A new request by name, approved at once when the resource is `free`, else queued until
    `wait` has passed (None: it waits for ever) or its `lease` (seconds) runs out without a
    keep-alive. Its hold will last `hold_minutes` (None: the site's `hold`), within the
    resource's `maximum`. Not yet stored: it has no id."""
    reservation = ReservationRow(None, user_id, resource_id, REQUESTED, requested_at=now,
                                 hold_minutes=hold_minutes, note=note)
    _take_lease(reservation, now, wait, lease)
    if free:
        approve(reservation, now, hold_span(reservation, hold, maximum))
    return reservation


def new_label_request(user_id, labels, count, now, wait, hold_minutes=None, note=None, lease=None):
    """A new request for `count` resources carrying all `labels`; it waits until stored and
    given resources by a Pool."""
    request = ReservationRow(None, user_id, None, REQUESTED, requested_at=now,
                             labels=" ".join(sorted(labels)), count=count, hold_minutes=hold_minutes, note=note)
    return _take_lease(request, now, wait, lease)


def _take_lease(reservation, now, wait, lease):
    """A new request's deadlines: its wait, and its lease when it has one."""
    if lease is not None:
        reservation.lease_seconds = lease
        reservation.lease_until = now + timedelta(seconds=lease)
    reservation.valid_until = _earliest(now + wait if wait else None, reservation.lease_until)
    return reservation


def extend(reservation, now, span, maximum=None):
    """Keep a hold or queued request alive: its deadline moves to `span` from now (None: never),
    and its lease, if it has one, to the lease from now; it ends at the earlier of the two.

    A hold never runs past `maximum` from its approval, and a keep-alive without a lease never
    shortens it (the maximum may have been lowered since). The Change has no values when
    nothing moved.
    """
    before = reservation.valid_until
    until = now + span if span else None
    if maximum is not None and reservation.state == APPROVED:
        cap = reservation.approved_at + maximum
        until = cap if until is None else min(until, cap)
    names = ("valid_until",)
    if reservation.lease_seconds is not None:
        reservation.lease_until = now + timedelta(seconds=reservation.lease_seconds)
        until = _earliest(until, reservation.lease_until)
        names = ("valid_until", "lease_until")
    elif until is not None and before is not None and reservation.state == APPROVED:
        until = max(until, before)
    reservation.valid_until = until
    moved = until != before or reservation.lease_seconds is not None
    return Change.of(reservation, names if moved else (), "kept_alive")


def expiry_reason(reservation, lifetime=None):
    """Why a request that ran out ended: LEASE_LOST when its lease, not its hold or wait, ran out;
    MAX_HOLD when a leased hold, kept alive, reached its resource's `lifetime` from its approval
    (a CI job cut off by the administrator's maximum, not by its own silence)."""
    if reservation.lease_until is None:
        return None
    if reservation.lease_until == reservation.valid_until:
        return LEASE_LOST
    if (lifetime is not None and reservation.state == APPROVED and reservation.approved_at is not None
            and reservation.valid_until == reservation.approved_at + lifetime):
        return MAX_HOLD
    return None


def _earliest(*moments):
    """The earliest of the moments given, ignoring None (no limit); None when all are None."""
    return min((m for m in moments if m is not None), default=None)
