"""The queue rules: expiry, and approving the head of the queue when a resource is free.

They run on plain rows and single statements (see ReservationRow): each write holds the
database's one write lock from its first read to its commit.
"""
from functools import cache

from sqlalchemy import bindparam, select, text, update

from backend.database.results import RESERVATION_ROW_COLUMNS, ReservationRow
from backend.log_events import RESERVATION, log
from backend.models import Reservation
from backend.models.reservation import ACTIVE_SQL, APPROVED, EXPIRED, REQUESTED

RESERVATIONS = Reservation.__table__

# Statements are built once: building a select and working out its cache key again on every
# call cost five times as much as running it.
ACTIVE_ROWS = (select(*RESERVATION_ROW_COLUMNS)
               .where(RESERVATIONS.c.resource_id == bindparam("resource_id"), text(ACTIVE_SQL))
               .order_by(RESERVATIONS.c.id))


@cache
def _update_of(names):
    """UPDATE of the named columns of one reservation, parameters named like them (plus "row_id")."""
    return (update(RESERVATIONS).where(RESERVATIONS.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in names}))


class QueueRules:
    def _active_rows(self, connection, resource_id):
        """The resource's holds and queued requests, in id order (queue order)."""
        rows = connection.execute(ACTIVE_ROWS, {"resource_id": resource_id})
        return [ReservationRow.from_row(row) for row in rows]

    def _settled_queue(self, connection, resource):
        """Settle one locked resource and return (holder or None, queued requests in order)."""
        active = self._active_rows(connection, resource.id)
        holder = self._settle(connection, resource, active)
        return holder, [r for r in active if r.state == REQUESTED]

    def _settle(self, connection, resource, active=None):
        """Bring one locked resource up to date as of now.

        Overdue holds and queued requests expire at their own deadline, and whoever is next is
        approved at the moment the resource became free, so the history is the same whether this
        runs at that moment, on the next request, or from the expiry command hours later.
        `active`: the resource's active rows in id order, when the caller has just read them.
        """
        now = self.now()
        if active is None:
            active = self._active_rows(connection, resource.id)
        holder = next((r for r in active if r.state == APPROVED), None)
        queue = [r for r in active if r.state == REQUESTED]
        free_since = now
        while True:
            if holder is not None and holder.valid_until is not None and holder.valid_until <= now:
                self._end(connection, holder, EXPIRED, holder.valid_until)
                free_since = holder.valid_until
                holder = None
            if holder is not None or resource.maintenance:
                break
            head = self._next_waiting(connection, queue, free_since)
            if head is None:
                break
            self._approve(connection, head, max(free_since, head.requested_at))
            holder = head
        for waiting in queue:
            if waiting.valid_until is not None and waiting.valid_until <= now:
                self._end(connection, waiting, EXPIRED, waiting.valid_until)
        return holder

    def _next_waiting(self, connection, queue, at):
        """Pop the first queued request still valid at `at`, expiring those that ran out first."""
        while queue:
            head = queue.pop(0)
            if head.valid_until is None or head.valid_until > at:
                return head
            self._end(connection, head, EXPIRED, head.valid_until)
        return None

    def _approve(self, connection, reservation, at):
        self._grant(reservation, at)
        self._store(connection, reservation, "state", "approved_at", "valid_until")
        self._log_approved(reservation)

    def _grant(self, reservation, at):
        """Make the reservation the holder from `at`; the hold expires if holds have a length."""
        reservation.state = APPROVED
        reservation.approved_at = at
        hold = self.minutes_setting("RESERVIA_HOLD_MINUTES")
        reservation.valid_until = at + hold if hold else None

    @staticmethod
    def _log_approved(reservation):
        log.info("%s approved reservation=%s user_id=%s resource_id=%s",
                 RESERVATION, reservation.id, reservation.user_id, reservation.resource_id)

    def _end(self, connection, reservation, state, at, reason=None, by=None):
        reservation.state = state
        reservation.ended_at = at
        reservation.end_reason = reason
        reservation.ended_by_id = by.id if by is not None else None
        # Written at once: the next approval on this resource must not meet this row still 'approved'.
        self._store(connection, reservation, "state", "ended_at", "end_reason", "ended_by_id")
        log.info("%s %s reservation=%s user_id=%s resource_id=%s%s", RESERVATION, state,
                 reservation.id, reservation.user_id, reservation.resource_id,
                 f" reason={reason!r}" if reason else "")

    @staticmethod
    def _store(connection, reservation, *names):
        """Write the named attributes of a ReservationRow to its row."""
        connection.execute(
            _update_of(names), {"row_id": reservation.id, **{n: getattr(reservation, n) for n in names}})
