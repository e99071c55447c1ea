"""The Waiting part: where a request stands, and waiting for it to move without hammering the server.

A CI job that queues for a bench asks GET /reservation/wait until its turn comes. Each process
lets a few of its threads hold such a request open (the slots the caller passes: a share of the
server's threads, backend/web/wait_slots.py), checking every quarter of a second, so that the job
hears of its turn at once; every other waiter is answered at once with the advice to ask again a
second later (Retry-After). Either way a check is cheap:
on SQLite it is answered from the read cache until something is committed or a deadline passes
(a holder's lease running out approves the next waiter with no commit at all, and the cached
list ends at that deadline), and no database connection is held between checks.
"""
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from backend.errors import NotFound
from backend.models import Reservation
from backend.models.states import APPROVED

# Seconds between two checks of a held request.
CHECK_INTERVAL = 0.25
# The longest a request is held open, whatever the client asks.
MAX_WAIT_SECONDS = 30
# What a waiter that could not be held is told to wait before asking again.
RETRY_AFTER_SECONDS = 1

REQUESTED, APPROVED_STATUS, ENDED = "requested", "approved", "ended"


@dataclass(frozen=True)
class RequestStatus:
    """Where one request stands: `status` is requested, approved or ended (`state` says how)."""

    request_id: int
    status: str
    state: str
    position: int | None
    resource_ids: tuple = ()
    valid_until: datetime | None = None
    lease_until: datetime | None = None
    end_reason: str | None = None
    booking_id: int | None = None

    @property
    def settled(self):
        """Whether waiting is over: the request holds, or will never hold."""
        return self.status != REQUESTED


class Waiting:
    def __init__(self, transactions, reservations):
        self.transactions = transactions
        self.reservations = reservations

    def status(self, user, request_id):
        """Where the user's request stands now (RequestStatus); NotFound for anyone else's."""
        return self._status(self._own_row(user, request_id))

    def wait(self, user, request_id, timeout, slots):
        """(RequestStatus, whether the caller should ask again after RETRY_AFTER_SECONDS).

        Returns as soon as the request is approved or ended or its position in the queue changes
        (a waiting job reports it), or after `timeout` seconds (at most MAX_WAIT_SECONDS) while
        one of `slots` (acquire(blocking=False), release()) is free to hold this thread; at once
        otherwise.
        """
        row = self._own_row(user, request_id)
        found = self._status(row)
        if found.settled or timeout <= 0:
            return found, not found.settled
        if not slots.acquire(blocking=False):
            return found, True
        try:
            deadline = time.monotonic() + min(timeout, MAX_WAIT_SECONDS)
            position = found.position
            while not found.settled and found.position == position and time.monotonic() + CHECK_INTERVAL < deadline:
                # Nothing held while asleep: no snapshot, no connection, a fresh commit count.
                self.transactions.end_read()
                time.sleep(CHECK_INTERVAL)
                self.transactions.read_cache.start_request()
                found = self._status(row)
        finally:
            slots.release()
        return found, False

    def _own_row(self, user, request_id):
        """(id, resource id) of the user's request; which resource a request is for never changes."""
        row = self.transactions.session.execute(
            select(Reservation.id, Reservation.resource_id, Reservation.user_id, Reservation.parent_id)
            .where(Reservation.id == request_id)).first()
        if row is None or row.user_id != user.id or row.parent_id is not None:
            raise NotFound(f"You have no request {request_id}.", "REQUEST_NOT_FOUND")
        return row.id, row.resource_id

    def _status(self, row):
        request_id, resource_id = row
        # The active list settles whatever ran out (a lease, a hold) before answering.
        entries = self.reservations.active(resource_id=resource_id)
        own = next((e for e in entries if e.reservation.id == request_id), None)
        if own is not None:
            r = own.reservation
            held = r.state == APPROVED
            resource_ids = ()
            if held:
                resource_ids = (resource_id,) if resource_id is not None else tuple(sorted(
                    e.reservation.resource_id for e in entries if e.reservation.parent_id == request_id))
            return RequestStatus(request_id, APPROVED_STATUS if held else REQUESTED, r.state, own.position,
                                 resource_ids, r.valid_until, r.lease_until, booking_id=r.booking_id)
        ended = self.transactions.session.execute(
            select(Reservation.state, Reservation.end_reason, Reservation.booking_id)
            .where(Reservation.id == request_id)).one()
        return RequestStatus(request_id, ENDED, ended.state, None, end_reason=ended.end_reason,
                             booking_id=ended.booking_id)
