"""The Pool with bookings: at a booking's start its booker holds the resource whatever the
queue; no hold runs into the next booking (booking_rules.py).

Plain Python like the Pool: the Queue part reads each resource's live bookings (Slot) with it
and writes the rows and booking statuses this lists.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from backend.database.booking_rules import capped
from backend.database.pool import Pool
from backend.database.rules import INSERT, Change, ReservationRow, end
from backend.models.states import (
    APPROVED,
    BOOKING_ACTIVE,
    BOOKING_ENDED,
    CANCELLED,
    EXPIRED,
    KEPT,
    NO_SHOW,
    RELEASED,
    RELEASED_EARLY,
)

# Why a hold still running at a booking's start ended then, and why a booked hold not checked
# in ended (the booking's status says no_show too).
BOOKING_STARTS = "a booking started"
NOT_CHECKED_IN = "no_show"
SHORTENED = "shortened for a booking"


@dataclass
class BookedPool(Pool):
    """A Pool whose resources carry their live bookings (ResourceState.bookings)."""

    # A hold shorter than this before the next booking is not worth approving: the request waits.
    min_hold: timedelta = timedelta(minutes=5)
    # (Slot, new status) in order, for the bookings table; {request id: Slot} of holds bounded
    # by a booking in this write; holds shortened by a booking made over them.
    booking_changes: list = field(default_factory=list)
    bounded: dict = field(default_factory=dict)
    shortened: list = field(default_factory=list)

    def __post_init__(self):
        super().__post_init__()
        self._started = {s.id for r in self.resources.values() for s in r.bookings if s.started}
        self._over = set()

    def settle(self):
        for resource in self.resources.values():
            for slot in resource.bookings:
                if slot.id not in self._started and slot.start <= self.now:
                    self._push(slot.start, "booking", slot)
                elif slot.maintenance and slot.end <= self.now:
                    self._push(slot.end, "window_end", slot)
        return super().settle()

    def handle(self, kind, slot, at):
        if kind == "booking":
            self._start(slot, at)
        elif kind == "window_end":
            self._over.add(slot.id)
            self.booking_changes.append((slot, BOOKING_ENDED))
            self._push(at, "free", slot.resource_id)

    def _start(self, slot, at):
        """The booking begins: whoever still holds or keeps the resource lets go, and the booker
        holds it until the end (or until the check-in deadline, unless checked in)."""
        self._started.add(slot.id)
        self.booking_changes.append((slot, BOOKING_ACTIVE))
        taken = self._taken.get(slot.resource_id)
        if taken is not None and taken.state == KEPT:
            self.return_resource(slot.resource_id)
        elif taken is not None:
            self.end_request(self.request_of(taken), EXPIRED, at, BOOKING_STARTS)
        if slot.maintenance:
            if slot.end <= self.now:
                self._push(slot.end, "window_end", slot)
            return
        own = self.own(slot.resource_id, slot.user_id)
        if own is not None:
            self.changes.append(end(own, CANCELLED, at, BOOKING_STARTS))
        row = ReservationRow(None, slot.user_id, slot.resource_id, APPROVED, requested_at=slot.start,
                             approved_at=slot.start, valid_until=slot.first_deadline(), note=slot.note,
                             booking_id=slot.booking_id)
        self.changes.append(Change.of(row, (), APPROVED, INSERT))
        self._taken[slot.resource_id] = row
        self._schedule_end(row)

    def limit(self, resource_id, at):
        """(the latest end of a hold from `at` on the resource, the booking that sets it) or (None, None)."""
        resource = self.resources.get(resource_id)
        if resource is None:
            return None, None
        slot = next((s for s in resource.bookings if s.id not in self._started and s.start > at), None)
        return (slot.start - resource.buffer, slot) if slot is not None else (None, None)

    def may_approve(self, resource_id, at):
        """Whether a hold may begin on the resource at `at`: not in a maintenance window, and at
        least `min_hold` before the next booking (else it stays free for that gap)."""
        resource = self.resources.get(resource_id)
        if resource is not None and any(s.maintenance and s.id not in self._over and s.start <= at < s.end
                                        for s in resource.bookings):
            return False
        bound, _ = self.limit(resource_id, at)
        return bound is None or bound - at >= self.min_hold

    def _give(self, resource_id, at):
        if not self.may_approve(resource_id, at):
            return
        before = self._taken.get(resource_id)
        super()._give(resource_id, at)
        taken = self._taken.get(resource_id)
        if taken is not None and taken is not before and taken.state == APPROVED:
            self.bound(self.request_of(taken), at)

    def bound(self, request, at):
        """Shorten a hold (and its resources') to end by the next booking of any of its resources."""
        limits = [self.limit(rid, at) for rid in self._held_by(request)]
        limits = [(b, s) for b, s in limits if b is not None]
        if not limits or request.booking_id is not None:
            return None
        bound, slot = min(limits, key=lambda pair: pair[0])
        if request.valid_until is not None and request.valid_until <= bound:
            return None
        self._set_until(request, bound, "bounded")
        self.bounded[request.id] = slot
        self._schedule_end(request)
        return slot

    def booked_next(self, request):
        """The booking a hold already ends at (keeping it alive cannot move it), or None."""
        if request.state != APPROVED or request.booking_id is not None:
            return None
        limits = [self.limit(rid, self.now) for rid in self._held_by(request)]
        limits = [(b, s) for b, s in limits if b is not None]
        if not limits:
            return None
        bound, slot = min(limits, key=lambda pair: pair[0])
        return slot if request.valid_until is not None and request.valid_until >= bound else None

    def keep_alive(self, request, wait, hold_minutes=None):
        """A keep-alive on a booking's hold checks it in: it lasts to the booking's end, no more.
        Any other hold is kept alive as usual, never past the next booking."""
        if request.booking_id is not None:
            slot = self.slot_of(request)
            if slot is None or request.valid_until == slot.end:
                return False
            self._set_until(request, slot.end, "checked_in")
            return True
        moved = super().keep_alive(request, wait, hold_minutes)
        if request.state == APPROVED:
            self.bound(request, self.now)
        return moved

    def shorten(self, request, until, by_id=None, notify=True):
        """A booking made over a hold: it now ends at `until` (at once when that has passed);
        `notify`: its holder is told (hold_shortened)."""
        if notify:
            self.shortened.append((request, max(until, self.now)))
        if until <= self.now:
            self.end_request(request, EXPIRED, self.now, SHORTENED, by_id)
        else:
            self._set_until(request, capped(request.valid_until, until), "bounded")

    def end_request(self, request, state, at, reason=None, by_id=None):
        slot = self.slot_of(request) if request.booking_id is not None else None
        if slot is not None and request.state == APPROVED:
            if state == EXPIRED and at < slot.end:
                reason, status = NOT_CHECKED_IN, NO_SHOW
            else:
                status = RELEASED_EARLY if at < slot.end else BOOKING_ENDED
            self.booking_changes.append((slot, status))
        return super().end_request(request, state, at, reason, by_id)

    def end_booking(self, booking_id, resource_id, by_id=None):
        """End an active booking early on one resource: its hold, or its maintenance window."""
        taken = self._taken.get(resource_id)
        if taken is not None and taken.booking_id == booking_id:
            self.end_request(taken, RELEASED, self.now, None, by_id)
            return
        resource = self.resources.get(resource_id)
        for slot in resource.bookings if resource is not None else ():
            if slot.booking_id == booking_id and slot.maintenance:
                self._over.add(slot.id)
                self.booking_changes.append((slot, RELEASED_EARLY))
                self._push(self.now, "free", resource_id)

    def slot_of(self, request):
        resource = self.resources.get(request.resource_id)
        if resource is None:
            return None
        return next((s for s in resource.bookings if s.booking_id == request.booking_id), None)

    def _set_until(self, request, until, event):
        request.valid_until = until
        self.changes.append(Change.of(request, ("valid_until",), event))
        for member in self._members.get(request.id, []) if request.is_label_request else ():
            member.valid_until = until
            self.changes.append(Change.of(member, ("valid_until",), event))
