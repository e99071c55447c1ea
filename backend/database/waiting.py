"""The Waiting part: where a request stands, and waiting for it to move without hammering the server.

A CI job that queues for a bench asks GET /reservation/wait until its turn comes. Each process
lets a few of its threads hold such a request open (the slots the caller passes: a share of the
server's threads, backend/web/wait_slots.py, handed first to the requests next in line), so that
the job hears of its turn at once; every other waiter is answered at once with the advice to ask
again later (Retry-After, longer the further back it is: backend/domain/held_waits.py).

A held request is read again only when something may have moved it: when the process's change
signal says the database changed (changes.py: any commit, by any process), or when the first
deadline of its queue comes (a holder's lease running out approves the next waiter with no commit
at all: the read settles it). No database connection is held in between. Where the signal is down,
the request is read again every quarter of a second, as before there was one.
"""
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from backend.domain.held_waits import is_next_in_line, retry_after_seconds
from backend.errors import NotFound
from backend.models import Reservation
from backend.models.states import APPROVED

# The longest a request is held open, whatever the client asks.
MAX_WAIT_SECONDS = 30

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
        return self._status(self._own_row(user, request_id))[0]

    def wait(self, user, request_id, timeout, slots):
        """(RequestStatus, seconds after which the caller should ask again, or None).

        Returns as soon as the request is approved or ended or its position in the queue changes
        (a waiting job reports it), or after `timeout` seconds (at most MAX_WAIT_SECONDS) while
        one of `slots` (acquire(next_in_line), release()) may hold this thread; at once otherwise.
        """
        row = self._own_row(user, request_id)
        changes = self.transactions.changes
        # Noted before the read: a commit after the read moves it, and the wait below returns.
        seen = changes.generation()
        found, until = self._status(row)
        if found.settled or timeout <= 0:
            return found, None if found.settled else retry_after_seconds(found.position)
        if not slots.acquire(next_in_line=is_next_in_line(found.position)):
            return found, retry_after_seconds(found.position)
        try:
            deadline = time.monotonic() + min(timeout, MAX_WAIT_SECONDS)
            position = found.position
            with changes.listening():
                while not found.settled and found.position == position:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    if until is not None:
                        left = min(left, max((until - self.transactions.now()).total_seconds(), 0))
                    # Nothing held while waiting: no snapshot, no connection.
                    self.transactions.end_read()
                    changes.wait(seen, left)
                    seen = changes.generation()
                    # A fresh commit count, read before the request's next snapshot.
                    self.transactions.read_cache.start_request()
                    found, until = self._status(row)
        finally:
            slots.release()
        return found, None

    def _own_row(self, user, request_id):
        """(id, resource id) of the user's request; which resource a request is for never changes."""
        row = self.transactions.session.execute(
            select(Reservation.id, Reservation.resource_id, Reservation.user_id, Reservation.parent_id)
            .where(Reservation.id == request_id)).first()
        if row is None or row.user_id != user.id or row.parent_id is not None:
            raise NotFound(f"You have no request {request_id}.", "REQUEST_NOT_FOUND")
        return row.id, row.resource_id

    def _status(self, row):
        """(RequestStatus, the first moment its queue changes with no commit, or None)."""
        request_id, resource_id = row
        # The active list settles whatever ran out (a lease, a hold) before answering.
        entries, until = self.reservations.active_until(resource_id)
        own = next((e for e in entries if e.reservation.id == request_id), None)
        if own is not None:
            r = own.reservation
            held = r.state == APPROVED
            resource_ids = ()
            if held:
                resource_ids = (resource_id,) if resource_id is not None else tuple(sorted(
                    e.reservation.resource_id for e in entries if e.reservation.parent_id == request_id))
            return RequestStatus(request_id, APPROVED_STATUS if held else REQUESTED, r.state, own.position,
                                 resource_ids, r.valid_until, r.lease_until, booking_id=r.booking_id), until
        ended = self.transactions.session.execute(
            select(Reservation.state, Reservation.end_reason, Reservation.booking_id)
            .where(Reservation.id == request_id)).one()
        return RequestStatus(request_id, ENDED, ended.state, None, end_reason=ended.end_reason,
                             booking_id=ended.booking_id), None
