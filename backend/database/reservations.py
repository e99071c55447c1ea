"""The Reservations part: what users do with reservations (request, cancel, release, keep alive),
the queues as everyone sees them, and expiry run on demand."""
from sqlalchemy import select, text

from backend.database import rules
from backend.database.results import KeptAlive, QueueEntry, ReleaseOutcome, first_deadline
from backend.errors import Conflict, Invalid, NotFound
from backend.logs import RESERVATION, log
from backend.models import Reservation, Resource, User
from backend.models.states import ACTIVE_SQL, APPROVED, CANCELLED, RELEASED, REQUESTED
from backend.serializers import duration_text

# Plain rows named like the Reservation's attributes, not ORM objects: building and tracking an
# object per row was a third of the time of GET /reservation/active and the dashboard.
ACTIVE_LIST = (
    select(*Reservation.__table__.c, User.name.label("user_name"), Resource.name.label("resource_name"))
    .join(User, User.id == Reservation.user_id)
    .join(Resource, Resource.id == Reservation.resource_id)
    .where(text(ACTIVE_SQL))
    .order_by(Reservation.resource_id, Reservation.id)
)


class Reservations:
    def __init__(self, transactions, queue, resources):
        self.transactions = transactions
        self.queue = queue
        self.resources = resources

    def request(self, user, resource_id, hold_minutes=None, note=None):
        """Join the resource's queue; a free resource is approved at once. Returns the QueueEntry.

        `hold_minutes`: how long the hold should last (None: the site's length), at most the
        resource's maximum, which is read with the row the write locks anyway; `note`: what the
        user is doing with it.

        Every write waits for SQLite's one write lock, so each statement it holds the lock for is
        throughput lost for every writer: the resource and its queue are read once, and the new
        row is inserted already approved when nobody holds the resource.
        """
        with self.transactions.writing() as session:
            connection = session.connection()
            resource = self.queue.lock(connection, resource_id)
            maximum = self.queue.maximum(resource)
            self._refuse_too_long(resource, hold_minutes, maximum)
            settled = self.queue.settle(connection, resource)
            if rules.own(settled, user.id) is not None:
                raise Conflict(f"You already have an active reservation on {resource.name!r}.",
                               "ALREADY_ACTIVE")
            # Settling left nobody waiting on a free resource, unless it is in maintenance.
            free = settled.holder is None and not resource.maintenance
            reservation = rules.new_request(user.id, resource_id, self.transactions.now(),
                                            self.queue.wait(), self.queue.hold(), free,
                                            hold_minutes, note or None, maximum)
            self.queue.insert(connection, reservation)
            log.info("%s requested reservation=%s user=%r resource=%r", RESERVATION,
                     reservation.id, user.name, resource.name)
            if free:
                log.info("%s approved reservation=%s user_id=%s resource_id=%s",
                         RESERVATION, reservation.id, user.id, resource_id)
            position = 0 if free else len(settled.queue) + 1
        return QueueEntry(reservation, user.name, resource.name, position)

    def cancel(self, user, resource_id):
        """Leave the queue. A hold is not cancelled but released, so the two stay distinct."""
        with self.transactions.writing() as session:
            connection = session.connection()
            resource, settled, reservation = self._own(connection, user, resource_id)
            if reservation is None:
                raise NotFound(f"You have no queued request on {resource.name!r}.", "NOTHING_QUEUED")
            if reservation.state == APPROVED:
                raise Conflict(f"You hold {resource.name!r}; release it instead of cancelling.",
                               "IS_APPROVED")
            self.queue.write(connection, [rules.end(reservation, CANCELLED, self.transactions.now())])
        return reservation

    def release(self, user, resource_id):
        """Give the resource back; the head of the queue is approved in the same transaction."""
        with self.transactions.writing() as session:
            connection = session.connection()
            resource, settled, reservation = self._own(connection, user, resource_id)
            if reservation is None:
                raise NotFound(f"You do not hold {resource.name!r}.", "NOTHING_APPROVED")
            if reservation.state == REQUESTED:
                raise Conflict(f"Your request on {resource.name!r} is still queued; cancel it instead.",
                               "IS_QUEUED")
            self.queue.write(connection, [rules.end(reservation, RELEASED, self.transactions.now())])
            next_holder = self.queue.settle(connection, resource, settled.queue).holder
            next_name = self.queue.user_name(connection, next_holder.user_id) if next_holder else None
        return ReleaseOutcome(reservation, next_holder, next_name)

    def keep_alive(self, user, resource_id, hold_minutes=None):
        """Push back the deadline of the user's hold or queued request on the resource: a hold by
        the length its user chose (or `hold_minutes`, which becomes the new choice), never past
        the maximum an administrator set for the resource, from its approval. Returns KeptAlive."""
        with self.transactions.writing() as session:
            connection = session.connection()
            resource, settled, reservation = self._own(connection, user, resource_id)
            if reservation is None:
                raise NotFound(f"You have no active reservation on {resource.name!r}.",
                               "NOTHING_ACTIVE")
            maximum = self.queue.maximum(resource)
            self._refuse_too_long(resource, hold_minutes, maximum)
            names = ()
            if hold_minutes is not None and hold_minutes != reservation.hold_minutes:
                reservation.hold_minutes = hold_minutes
                names = ("hold_minutes",)
            if reservation.state == APPROVED:
                span = rules.hold_span(reservation, self.queue.hold(), maximum)
            else:
                span = self.queue.wait()
            change = rules.extend(reservation, self.transactions.now(), span, self.queue.lifetime(resource))
            if names or change.names:
                self.queue.store(connection, reservation, names + change.names)
            position = rules.position(settled, reservation)
        log.info("%s kept alive reservation=%s user=%r", RESERVATION, reservation.id, user.name)
        return KeptAlive(QueueEntry(reservation, user.name, resource.name, position), bool(change.names))

    @staticmethod
    def _refuse_too_long(resource, hold_minutes, maximum):
        if rules.too_long(hold_minutes, maximum):
            message = f"{resource.name} can be held for at most {duration_text(maximum)}."
            raise Invalid(message, "HOLD_TOO_LONG", fields={"hold_minutes": [message]})

    def _own(self, connection, user, resource_id):
        """Lock and settle the resource: (its row, the Settlement, the user's hold or request or None)."""
        resource = self.queue.lock(connection, resource_id)
        settled = self.queue.settle(connection, resource)
        return resource, settled, rules.own(settled, user.id)

    def active(self, resource_id=None, user_id=None):
        """Every hold and queued request, resource by resource, in queue order, with positions.

        A fixed number of statements whatever the numbers of resources and reservations; when a
        deadline has passed since the last write, the affected resources are settled first. The
        list is kept until the next commit or its first deadline (see read_cache.py).
        """
        entries = self.transactions.cached(("active", resource_id), lambda: self._settled_active(resource_id))
        if user_id is not None:
            entries = [e for e in entries if e.reservation.user_id == user_id]
        return entries

    def active_for(self, user, resource_id):
        """The user's hold or queued request on one resource, or None."""
        self.resources.get(resource_id)
        found = self.active(resource_id=resource_id, user_id=user.id)
        return found[0] if found else None

    def _settled_active(self, resource_id):
        """(entries, first deadline among them or None)."""
        entries = self._read_active(resource_id)
        now = self.transactions.now()
        overdue = {e.reservation.resource_id for e in entries
                   if e.reservation.valid_until is not None and e.reservation.valid_until <= now}
        if overdue:
            self.settle(overdue)
            entries = self._read_active(resource_id)
        return entries, first_deadline(entries)

    def _read_active(self, resource_id):
        stmt = ACTIVE_LIST
        if resource_id is not None:
            stmt = stmt.where(Reservation.resource_id == resource_id)
        entries, waiting = [], {}
        for row in self.transactions.session.execute(stmt):
            if row.state == APPROVED:
                position = 0
            else:
                waiting[row.resource_id] = waiting.get(row.resource_id, 0) + 1
                position = waiting[row.resource_id]
            entries.append(QueueEntry(row, row.user_name, row.resource_name, position))
        return entries

    def settle(self, resource_ids=None):
        """Run expiry now for the given resources, or for every resource with a deadline passed;
        returns how many resources that was."""
        if resource_ids is None:
            resource_ids = self.overdue_resources()
        with self.transactions.writing() as session:
            connection = session.connection()
            for resource in self.queue.lock_many(connection, resource_ids).values():
                self.queue.settle(connection, resource)
        return len(resource_ids)

    def settle_overdue(self):
        """Expire what is overdue before reading history, so that reads match what expiry decided."""
        overdue = self.overdue_resources()
        if overdue:
            self.settle(overdue)

    def overdue_resources(self):
        """Ids of the resources with a hold or queued request past its deadline."""
        return set(self.transactions.session.scalars(
            select(Reservation.resource_id).where(
                text(ACTIVE_SQL), Reservation.valid_until <= self.transactions.now()).distinct()))

