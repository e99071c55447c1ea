"""What users do with reservations: request, cancel, release, keep alive, and see the queues."""
from sqlalchemy import insert, select, text

from backend.database.queue import RESERVATIONS
from backend.database.results import QueueEntry, ReleaseOutcome, ReservationRow, first_deadline
from backend.errors import Conflict, NotFound
from backend.log_events import RESERVATION, log
from backend.models import Reservation, Resource, User
from backend.models.reservation import ACTIVE_SQL, APPROVED, CANCELLED, RELEASED, REQUESTED

INSERT_RESERVATION = insert(RESERVATIONS)


class ReservationQueries:
    def request_reservation(self, user, resource_id):
        """Join the resource's queue; a free resource is approved at once. Returns the QueueEntry.

        Every write waits for SQLite's one write lock, so each statement it holds the lock for is
        throughput lost for every writer: the resource and its queue are read once, and the new
        row is inserted already approved when nobody holds the resource.
        """
        with self.writing() as session:
            connection = session.connection()
            resource = self._locked_resource(connection, resource_id)
            holder, queued = self._settled_queue(connection, resource)
            if _own(holder, queued, user.id) is not None:
                raise Conflict(f"You already have an active reservation on {resource.name!r}.",
                               "ALREADY_ACTIVE")
            now = self.now()
            wait = self.minutes_setting("RESERVIA_QUEUE_MINUTES")
            reservation = ReservationRow(None, user.id, resource_id, REQUESTED, requested_at=now,
                                         valid_until=now + wait if wait else None)
            # Settling left nobody waiting on a free resource, unless it is in maintenance.
            free = holder is None and not resource.maintenance
            if free:
                self._grant(reservation, now)
            values = vars(reservation).copy()
            del values["id"]
            inserted = connection.execute(INSERT_RESERVATION, values)
            reservation.id = inserted.inserted_primary_key[0]
            log.info("%s requested reservation=%s user=%r resource=%r", RESERVATION,
                     reservation.id, user.name, resource.name)
            if free:
                self._log_approved(reservation)
            position = 0 if free else len(queued) + 1
        return QueueEntry(reservation, user.name, resource.name, position)

    def cancel_reservation(self, user, resource_id):
        """Leave the queue. A hold is not cancelled but released, so the two stay distinct."""
        with self.writing() as session:
            connection = session.connection()
            resource = self._locked_resource(connection, resource_id)
            holder, queued = self._settled_queue(connection, resource)
            reservation = _own(holder, queued, user.id)
            if reservation is None:
                raise NotFound(f"You have no queued request on {resource.name!r}.", "NOTHING_QUEUED")
            if reservation.state == APPROVED:
                raise Conflict(f"You hold {resource.name!r}; release it instead of cancelling.",
                               "IS_APPROVED")
            self._end(connection, reservation, CANCELLED, self.now())
        return reservation

    def release_reservation(self, user, resource_id):
        """Give the resource back; the head of the queue is approved in the same transaction."""
        with self.writing() as session:
            connection = session.connection()
            resource = self._locked_resource(connection, resource_id)
            holder, queued = self._settled_queue(connection, resource)
            reservation = _own(holder, queued, user.id)
            if reservation is None:
                raise NotFound(f"You do not hold {resource.name!r}.", "NOTHING_APPROVED")
            if reservation.state == REQUESTED:
                raise Conflict(f"Your request on {resource.name!r} is still queued; cancel it instead.",
                               "IS_QUEUED")
            self._end(connection, reservation, RELEASED, self.now())
            next_holder = self._settle(connection, resource, queued)
            next_name = self._user_name(connection, next_holder.user_id) if next_holder else None
        return ReleaseOutcome(reservation, next_holder, next_name)

    def keep_alive(self, user, resource_id):
        """Push back the deadline of the user's hold or queued request on the resource."""
        with self.writing() as session:
            connection = session.connection()
            resource = self._locked_resource(connection, resource_id)
            holder, queued = self._settled_queue(connection, resource)
            reservation = _own(holder, queued, user.id)
            if reservation is None:
                raise NotFound(f"You have no active reservation on {resource.name!r}.",
                               "NOTHING_ACTIVE")
            name = "RESERVIA_HOLD_MINUTES" if reservation.state == APPROVED else "RESERVIA_QUEUE_MINUTES"
            span = self.minutes_setting(name)
            reservation.valid_until = self.now() + span if span else None
            self._store(connection, reservation, "valid_until")
            position = 0 if reservation is holder else queued.index(reservation) + 1
        log.info("%s kept alive reservation=%s user=%r", RESERVATION, reservation.id, user.name)
        return QueueEntry(reservation, user.name, resource.name, position)

    def active_reservations(self, resource_id=None, user_id=None):
        """Every hold and queued request, resource by resource, in queue order, with positions.

        A fixed number of statements whatever the numbers of resources and reservations; when a
        deadline has passed since the last write, the affected resources are settled first. The
        list is kept until the next commit or its first deadline (see read_cache.py).
        """
        entries = self.cached(("active", resource_id), lambda: self._settled_active(resource_id))
        if user_id is not None:
            entries = [e for e in entries if e.reservation.user_id == user_id]
        return entries

    def _settled_active(self, resource_id):
        """(entries, first deadline among them or None)."""
        entries = self._read_active(resource_id)
        now = self.now()
        overdue = {e.reservation.resource_id for e in entries
                   if e.reservation.valid_until is not None and e.reservation.valid_until <= now}
        if overdue:
            self.settle_resources(overdue)
            entries = self._read_active(resource_id)
        return entries, first_deadline(entries)

    def _read_active(self, resource_id):
        # Plain rows named like the Reservation's attributes, not ORM objects: building and tracking
        # an object per row was a third of the time of GET /reservation/active and the dashboard.
        stmt = (
            select(*Reservation.__table__.c, User.name.label("user_name"),
                   Resource.name.label("resource_name"))
            .join(User, User.id == Reservation.user_id)
            .join(Resource, Resource.id == Reservation.resource_id)
            .where(text(ACTIVE_SQL))
            .order_by(Reservation.resource_id, Reservation.id)
        )
        if resource_id is not None:
            stmt = stmt.where(Reservation.resource_id == resource_id)
        entries, waiting = [], {}
        for row in self.session.execute(stmt):
            if row.state == APPROVED:
                position = 0
            else:
                waiting[row.resource_id] = waiting.get(row.resource_id, 0) + 1
                position = waiting[row.resource_id]
            entries.append(QueueEntry(row, row.user_name, row.resource_name, position))
        return entries

    def active_reservation_for(self, user, resource_id):
        """The user's hold or queued request on one resource, or None."""
        self.get_resource(resource_id)
        found = self.active_reservations(resource_id=resource_id, user_id=user.id)
        return found[0] if found else None

    def settle_resources(self, resource_ids=None):
        """Run expiry now for the given resources, or for every resource with a deadline passed."""
        if resource_ids is None:
            resource_ids = set(self.session.scalars(
                select(Reservation.resource_id).where(
                    text(ACTIVE_SQL), Reservation.valid_until <= self.now()).distinct()))
        with self.writing() as session:
            connection = session.connection()
            for resource in self._lock_resources(connection, resource_ids).values():
                self._settle(connection, resource)
        return len(resource_ids)


def _own(holder, queued, user_id):
    """The user's hold or queued request among a settled resource's, or None."""
    if holder is not None and holder.user_id == user_id:
        return holder
    return next((r for r in queued if r.user_id == user_id), None)
