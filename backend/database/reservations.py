"""The Reservations part: what users do with reservations (request by name or by labels, cancel,
release, keep alive), the queues as everyone sees them, and expiry run on demand."""
from dataclasses import replace

from sqlalchemy import select, text

from backend.database import rules
from backend.database.active_list import read_active
from backend.database.policies import asked_for
from backend.database.results import KeptAlive, QueueEntry, ReleaseOutcome, RequestOutcome, first_deadline
from backend.domain.durations import duration_text
from backend.domain.policies import next_rise
from backend.errors import Conflict, Invalid, NotFound
from backend.logs import RESERVATION, log
from backend.models import Reservation
from backend.models.states import ACTIVE_SQL, APPROVED, CANCELLED, RELEASED, REQUESTED


class Reservations:
    def __init__(self, transactions, queue, resources, booking_reads, policies):
        self.transactions = transactions
        # The group rules: who may use a resource, how long a hold, how many requests, what class.
        self.policies = policies
        self.queue = queue
        self.resources = resources
        # Bookings due to start: the active list and expiry settle their resources too.
        self.booking_reads = booking_reads

    def request(self, user, resource_id, hold_minutes=None, note=None, lease=None):
        """Join the resource's queue; a free resource is approved at once. Returns the QueueEntry.

        `hold_minutes`: how long the hold should last (None: the site's length), at most the
        resource's maximum, which is read with the row the write locks anyway; `note`: what the
        user is doing with it. With a `lease` (seconds) the request must be kept alive that often,
        waiting or holding, or it ends by itself (see rules.py).

        Every write waits for SQLite's one write lock, so each statement it holds the lock for is
        throughput lost for every writer: the resource and its queue are read once, and the new
        row is inserted already approved when nobody holds the resource.
        """
        self.queue.check_lease(lease)
        with self.transactions.writing() as session:
            connection = session.connection()
            resource = self.queue.lock(connection, resource_id)
            maximum = self.queue.maximum(resource)
            _refuse_too_long(resource.name, hold_minutes, maximum)
            pool = self.queue.pool(connection, resource)
            if pool.own(resource_id, user.id) is not None:
                raise Conflict(f"You already have an active reservation on {resource.name!r}.",
                               "ALREADY_ACTIVE")
            hold_minutes, priority = self.policies.check_request(connection, user, (resource_id,), (), hold_minutes,
                                                                 maximum, restricted=(resource_id, resource.name))
            # Settling left nobody waiting on a free resource, unless it is in maintenance.
            now = self.transactions.now()
            # A free resource is still not given when a booking is too near (it waits, backfill).
            free = pool.taken(resource_id) is None and not resource.maintenance and pool.may_approve(resource_id, now)
            reservation = rules.new_request(user.id, resource_id, now,
                                            self.queue.wait(), self.queue.hold(), free,
                                            hold_minutes, note or None, maximum, lease)
            reservation.priority = priority
            bounded_by = _bound_new(pool, reservation, resource_id, now) if free else None
            self.queue.insert(connection, reservation)
            log.info("%s requested reservation=%s user=%r resource=%r", RESERVATION,
                     reservation.id, user.name, resource.name)
            if free:
                log.info("%s approved reservation=%s user_id=%s resource_id=%s",
                         RESERVATION, reservation.id, user.id, resource_id)
            position = pool.position(reservation)
        return QueueEntry(reservation, user.name, resource.name, position, bounded_by=bounded_by)

    def request_labels(self, user, labels, count, hold_minutes=None, note=None, lease=None):
        """Ask for `count` resources carrying every one of `labels`: held at once when that many
        are free, else one request that collects them in its turn. Its hold lasts `hold_minutes`
        (None: the site's length), within the smallest maximum of the resources it gets.
        Returns a RequestOutcome."""
        self.queue.check_lease(lease)
        with self.transactions.writing() as session:
            connection = session.connection()
            self.queue.take_turn(connection)
            pool = self.queue.whole_pool(connection)
            carried = set().union(*(r.labels | {rules.resource_mark(r.id)}
                                    for r in pool.resources.values() if r.active))
            unknown = sorted(set(labels) - carried)
            if unknown:
                raise NotFound(f"No resource carries the label {unknown[0]!r}.", "UNKNOWN_LABEL")
            request = rules.new_label_request(user.id, labels, count, self.transactions.now(), self.queue.wait(),
                                              hold_minutes, note or None, lease)
            if not pool.servable(request):
                # It would end at once as pool_too_small: refused instead, changing nothing.
                raise Conflict(f"Only {pool.available_for(request)} active resources out of maintenance carry "
                               f"{', '.join(sorted(labels))}; {count} were asked for.", "NOT_ENOUGH_RESOURCES")
            maxima = [pool.resources[rid].maximum for rid in pool.resources_for(request)]
            longest = None if None in maxima else max(maxima)
            _refuse_too_long(f"No resource carrying {', '.join(sorted(labels))}", hold_minutes, longest)
            hold_minutes, request.priority = self.policies.check_request(connection, user, *asked_for(request),
                                                                         hold_minutes, longest)
            request.hold_minutes = hold_minutes
            self.queue.insert(connection, request)
            log.info("%s requested reservation=%s user=%r labels=%r count=%s", RESERVATION,
                     request.id, user.name, request.labels, count)
            self.queue.write(connection, pool.add_request(request).run())
            outcome = self._outcome(pool, request, user.name, names=self.queue.resource_names(
                connection, [m.resource_id for m in pool.members(request.id)]))
        return outcome

    def request_resources(self, user, resource_ids, hold_minutes=None, note=None, lease=None):
        """Ask for several resources by id, all or nothing: a label request for their marks
        (rules.RESOURCE_MARK), held once all of them are free together. Returns a RequestOutcome."""
        marks = sorted(rules.resource_mark(i) for i in set(resource_ids))
        try:
            return self.request_labels(user, marks, len(marks), hold_minutes, note, lease)
        except NotFound as error:
            if error.code != "UNKNOWN_LABEL":
                raise
            missing = next(i for i in sorted(set(resource_ids)) if f"'{rules.resource_mark(i)}'" in str(error))
            raise NotFound(f"No active resource {missing}.", "RESOURCE_NOT_FOUND") from None

    def cancel(self, user, resource_id=None, request_id=None):
        """Leave the queue. A hold is not cancelled but released, so the two stay distinct."""
        with self.transactions.writing() as session:
            connection = session.connection()
            pool, request, name = self._own_request(connection, user, resource_id, request_id)
            if request is None:
                raise NotFound(f"You have no queued request on {_quoted(name, request_id)}.", "NOTHING_QUEUED")
            if request.state == APPROVED:
                raise Conflict(f"You hold {_quoted(name, request_id)}; release it instead of cancelling.",
                               "IS_APPROVED")
            pool.end_request(request, CANCELLED, self.transactions.now())
            self.queue.write(connection, pool.run())
        return request

    def release(self, user, resource_id=None, request_id=None):
        """Give the resource (or every resource of the request) back; whoever waits next is
        approved in the same transaction."""
        with self.transactions.writing() as session:
            connection = session.connection()
            pool, request, name = self._own_request(connection, user, resource_id, request_id)
            if request is None:
                raise NotFound(f"You do not hold {_quoted(name, request_id)}.", "NOTHING_APPROVED")
            if request.state == REQUESTED:
                raise Conflict(f"Your request on {_quoted(name, request_id)} is still queued; cancel it instead.",
                               "IS_QUEUED")
            freed = pool.end_request(request, RELEASED, self.transactions.now())
            self.queue.write(connection, pool.run())
            following = pool.taken(freed[0]) if len(freed) == 1 else None
            next_name = self.queue.user_name(connection, following.user_id) if following else None
        return ReleaseOutcome(request, following, next_name, tuple(sorted(freed)))

    def keep_alive(self, user, resource_id=None, request_id=None, hold_minutes=None):
        """Push back the deadline of the user's hold or queued request (a whole label request at
        once): a hold by the length its user chose (or `hold_minutes`, which becomes the new
        choice), never past the maximum an administrator set for its resources, from its
        approval. Returns KeptAlive."""
        with self.transactions.writing() as session:
            connection = session.connection()
            pool, request, name = self._own_request(connection, user, resource_id, request_id)
            if request is None and request_id is not None:
                raise NotFound(f"Request {request_id} has ended: there is nothing to keep alive.",
                               "REQUEST_ENDED")
            if request is None:
                raise NotFound(f"You have no active reservation on {_quoted(name, request_id)}.",
                               "NOTHING_ACTIVE")
            _refuse_too_long(name or f"Request {request.id}", hold_minutes, pool.maximum_for(request))
            self.policies.check_hold(connection, user, *asked_for(request), hold_minutes)
            _refuse_booked_next(pool, request)
            moved = pool.keep_alive(request, self.queue.wait(), hold_minutes)
            self.queue.write(connection, pool)
            outcome = self._outcome(pool, request, user.name, name)
        log.info("%s kept alive reservation=%s user=%r", RESERVATION, request.id, user.name)
        return KeptAlive(outcome, moved)

    def _own_request(self, connection, user, resource_id, request_id):
        """Lock and settle what the user names, by resource or by request id: (the pool, the
        user's request or None, the resource's name or None for a label request)."""
        if request_id is None:
            resource = self.queue.lock(connection, resource_id)
            pool = self.queue.pool(connection, resource)
            return pool, pool.own(resource_id, user.id), resource.name
        row = self.queue.request_row(connection, request_id)
        if row is None or row.user_id != user.id or row.parent_id is not None:
            raise NotFound(f"You have no request {request_id}.", "REQUEST_NOT_FOUND")
        if row.is_label_request:
            self.queue.take_turn(connection)
            pool = self.queue.whole_pool(connection)
            return pool, pool.request(request_id), None
        resource = self.queue.lock(connection, row.resource_id, include_inactive=True)
        pool = self.queue.pool(connection, resource)
        own = pool.own(row.resource_id, user.id)
        return pool, own if own is not None and own.id == request_id else None, resource.name

    @staticmethod
    def _outcome(pool, request, user_name, resource_name=None, names=None):
        members = pool.members(request.id) if request.is_label_request else ()
        resource_ids = tuple(sorted(m.resource_id for m in members)) or (
            (request.resource_id,) if request.resource_id is not None else ())
        return RequestOutcome(request, user_name, resource_ids, pool.position(request), resource_name,
                              tuple((names or {}).get(i) for i in resource_ids),
                              getattr(pool, "bounded", {}).get(request.id))

    def active(self, resource_id=None, user_id=None):
        """Every hold and queued request, resource by resource, in queue order, with positions.

        A fixed number of statements whatever the numbers of resources and reservations; when a
        deadline has passed since the last write, the affected resources are settled first. The
        list is kept until the next commit or its first deadline (see read_cache.py).
        """
        if user_id is not None and resource_id is None:
            return list(self.transactions.cached(("active by user",), self._active_by_user).get(user_id, ()))
        entries, _ = self.active_until(resource_id)
        if user_id is not None:
            entries = [e for e in entries if e.reservation.user_id == user_id]
        return entries

    def _active_by_user(self):
        """({user id: their entries of the active list, in its order}, when the list changes by
        itself): each holder's and waiter's dashboard asks for theirs after every change."""
        entries, until = self.active_until()
        by_user = {}
        for entry in entries:
            by_user.setdefault(entry.reservation.user_id, []).append(entry)
        return by_user, until

    def active_until(self, resource_id=None):
        """(the active list, the first moment it changes by itself: a deadline, a booking's start)."""
        return self.transactions.cached(("active", resource_id), lambda: self._settled_active(resource_id))

    def active_for(self, user, resource_id):
        """The user's own hold or queued request by name on one resource, or None."""
        self.resources.get(resource_id)
        found = [e for e in self.active(resource_id=resource_id, user_id=user.id)
                 if e.reservation.parent_id is None]
        return found[0] if found else None

    def _settled_active(self, resource_id):
        """((entries, when they change by themselves), the same moment: how long the pair holds)."""
        session = self.transactions.session
        now = self.transactions.now()
        entries = self._read_active(session, resource_id, now)
        overdue = {e.reservation.resource_id for e in entries
                   if e.reservation.valid_until is not None and e.reservation.valid_until <= now}
        booked, next_start = self.booking_reads.due()
        overdue |= booked if resource_id is None else booked & {resource_id}
        if overdue:
            self.settle(overdue)
            entries = self._read_active(session, resource_id, now)
            booked, next_start = self.booking_reads.due()
        # Aging changes places by itself too: the list holds until the next class a request reaches.
        rise = next_rise([e.reservation for e in entries], now, self.queue.aging())
        until = min(filter(None, (first_deadline(entries), next_start, rise)), default=None)
        return (entries, until), until

    def _read_active(self, session, resource_id, now):
        def access(resources):
            # The same read the dashboards' `barred` makes: once per commit for both.
            allowed, members, admins = self.policies.access()
            return [replace(r, allowed=allowed.get(r.id)) for r in resources], members, admins
        return read_active(session, resource_id, now, self.queue.aging(), access)

    def settle(self, resource_ids=None):
        """Run expiry now for the given resources, or for every resource with a deadline passed;
        returns how many resources that was."""
        if resource_ids is None:
            resource_ids = self.overdue_resources()
        with self.transactions.writing() as session:
            connection = session.connection()
            if None in resource_ids:
                # A label request ran out of waiting: that concerns the whole pool.
                self.queue.take_turn(connection)
                self.queue.whole_pool(connection)
            else:
                for resource in self.queue.lock_many(connection, resource_ids).values():
                    self.queue.pool(connection, resource)
        return len(resource_ids)

    def settle_overdue(self):
        """Expire what is overdue before reading history, so that reads match what expiry decided."""
        overdue = self.overdue_resources()
        if overdue:
            self.settle(overdue)

    def overdue_resources(self):
        """Ids of the resources with a hold or queued request past its deadline (None standing
        for a label request that waited too long)."""
        overdue = set(self.transactions.session.scalars(
            select(Reservation.resource_id).where(
                text(ACTIVE_SQL), Reservation.valid_until <= self.transactions.now()).distinct()))
        return overdue | self.booking_reads.due()[0]


def _refuse_too_long(name, hold_minutes, maximum):
    if rules.too_long(hold_minutes, maximum):
        message = f"{name} can be held for at most {duration_text(maximum)}."
        raise Invalid(message, "HOLD_TOO_LONG", fields={"hold_minutes": [message]})


def _bound_new(pool, reservation, resource_id, now):
    """A request approved at once holds no later than the next booking allows: the booking, or None."""
    limit, slot = pool.limit(resource_id, now)
    if limit is None or (reservation.valid_until is not None and reservation.valid_until <= limit):
        return None
    reservation.valid_until = limit
    return slot


def _refuse_booked_next(pool, request):
    slot = pool.booked_next(request)
    if slot is not None:
        raise Conflict(f"The resource is booked from {slot.start:%Y-%m-%d %H:%M} UTC: the hold cannot be kept "
                       f"past {request.valid_until:%H:%M} UTC.", "BOOKED_NEXT",
                       details={"booking_id": slot.booking_id, "start": slot.start.isoformat()})


def _quoted(resource_name, request_id):
    return repr(resource_name) if resource_name is not None else f"request {request_id}"
