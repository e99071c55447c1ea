"""The Bookings part: booking resources ahead for a time window (once, repeating, or as an
administrator's maintenance window), cancelling and checking in.

Every write locks the resources it books under the queue writers' turn, settles their queues,
checks the window against their live bookings and holds, and inserts; the database refuses an
overlap whatever happens (migration 0011), and that refusal is answered as BOOKING_CONFLICT.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from backend.database.booking_rules import occurrences, overlaps
from backend.database.booking_writes import BOOKINGS, CLEAR_BOOKED_UNTIL
from backend.database.outbox import Event
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.logs import RESERVATION, log
from backend.models import Resource, ResourceLabel, User
from backend.models.notifications import BOOKING_CANCELLED as CANCELLED_EVENT
from backend.models.states import APPROVED, BOOKED, BOOKING_ACTIVE, BOOKING_CANCELLED, LIVE_BOOKING_SQL
from backend.serializers import conflict_json

RESOURCES = Resource.__table__
OVERLAPPING = (select(BOOKINGS.c.booking_id, BOOKINGS.c.resource_id, BOOKINGS.c.start_at, BOOKINGS.c.end_at,
                      User.name.label("user_name"))
               .join(User, User.id == BOOKINGS.c.user_id)
               .where(BOOKINGS.c.resource_id.in_(bindparam("ids", expanding=True)), text(LIVE_BOOKING_SQL),
                      BOOKINGS.c.start_at < bindparam("until"), BOOKINGS.c.end_at > bindparam("since"))
               .order_by(BOOKINGS.c.start_at))
INSERT_BOOKING = insert(BOOKINGS)
NAME_GROUPS = (update(BOOKINGS).where(BOOKINGS.c.id.in_(bindparam("ids", expanding=True)))
               .values(booking_id=func.coalesce(BOOKINGS.c.booking_id, BOOKINGS.c.id), series_id=bindparam("series")))
BOOKED_UNTIL = update(RESOURCES).where(RESOURCES.c.id == bindparam("row_id")).values(booked_until=bindparam("until"))
CANCEL = (update(BOOKINGS).where(BOOKINGS.c.id.in_(bindparam("ids", expanding=True)))
          .values(status=BOOKING_CANCELLED, sequence=BOOKINGS.c.sequence + 1, updated_at=bindparam("now")))
CARRYING = select(ResourceLabel.resource_id, ResourceLabel.name)


@dataclass(frozen=True)
class Repeat:
    every: str
    until: object
    time_zone: str


@dataclass(frozen=True)
class Booked:
    """One booking made: its id, the resources it holds, its window."""

    booking_id: int
    resource_ids: tuple
    start: datetime
    end: datetime


@dataclass(frozen=True)
class BookOutcome:
    series_id: int
    bookings: tuple
    skipped: tuple = ()


class Bookings:
    def __init__(self, transactions, queue):
        self.transactions = transactions
        self.queue = queue

    def book(self, user, start, end, resource_id=None, labels=(), count=1, note=None, repeat=None,
             skip_conflicts=False, force=False, maintenance=False):
        """Book one resource, or `count` carrying all `labels`, for [start, end) (and each
        occurrence of `repeat`). Returns a BookOutcome; refuses with BAD_TIME_WINDOW,
        BOOKING_CONFLICT, RESOURCE_HELD, NOT_ENOUGH_RESOURCES, RESOURCE_NOT_FOUND, UNKNOWN_LABEL."""
        if (force or maintenance) and not user.is_admin:
            raise Forbidden("Only administrators may force a booking or book maintenance.", "ADMIN_ONLY")
        if end <= start:
            raise _bad_window("The end must be after the start.")
        windows = [(start, end)] if repeat is None else occurrences(start, end, repeat.every, repeat.until,
                                                                   repeat.time_zone)
        if not windows:
            raise _bad_window("The repeat ends before the first occurrence.")
        with self.transactions.writing() as session:
            connection = session.connection()
            now = self.transactions.now()
            if start < now:
                raise _bad_window("The start is in the past.")
            pool, candidates = self._lock(connection, resource_id, labels, count)
            for resource in candidates:
                _check_limits(resource, start, end, windows[-1][1], now, maintenance)
            existing = list(connection.execute(OVERLAPPING, {"ids": [r.id for r in candidates],
                                                             "since": windows[0][0], "until": windows[-1][1]}))
            chosen, skipped = [], []
            for since, until in windows:
                clashes = [b for b in existing if overlaps(since, until, b.start_at, b.end_at)]
                free = [r for r in candidates if all(b.resource_id != r.id for b in clashes)]
                if len(free) < count:
                    skipped.append((since, until, clashes))
                else:
                    chosen.append((since, until, _prefer_unheld(free, pool)[:count]))
            if skipped and (not skip_conflicts or not chosen):
                raise _conflict([b for _, _, clashes in skipped for b in clashes])
            self._clear_holds(pool, user, chosen[0], force)
            self.queue.write(connection, pool.run())
            made = self._insert(connection, user, chosen, note, maintenance, now)
        log.info("%s booked booking=%s user=%r resources=%s windows=%s", RESERVATION, made[0].booking_id,
                 user.name, list(made[0].resource_ids), len(made))
        return BookOutcome(made[0].booking_id, tuple(made), tuple(skipped))

    def _lock(self, connection, resource_id, labels, count):
        """(the settled pool, the resource rows that may be booked), locked."""
        if resource_id is not None:
            resource = self.queue.lock(connection, resource_id)
            return self.queue.pool(connection, resource), [resource]
        self.queue.take_turn(connection)
        carried = {}
        for rid, name in connection.execute(CARRYING):
            carried.setdefault(rid, set()).add(name)
        pool = self.queue.whole_pool(connection)
        active = {rid for rid, r in pool.resources.items() if r.active}
        known = set().union(*(carried.get(rid, set()) for rid in active))
        unknown = sorted(set(labels) - known)
        if unknown:
            raise NotFound(f"No resource carries the label {unknown[0]!r}.", "UNKNOWN_LABEL")
        ids = [rid for rid in sorted(active) if set(labels) <= carried.get(rid, set())]
        if len(ids) < count:
            raise Conflict(f"Only {len(ids)} resources carry {', '.join(sorted(labels))}.", "NOT_ENOUGH_RESOURCES")
        return pool, list(self.queue.lock_many(connection, ids).values())

    def _clear_holds(self, pool, user, first, force):
        """Holds lasting into the first window: the booker's own are shortened; another user's
        refuse the booking (RESOURCE_HELD) unless an administrator forces it."""
        since, _, resources = first
        for resource in resources:
            taken = pool.taken(resource.id)
            if taken is None or taken.state != APPROVED:
                continue
            request = pool.request_of(taken)
            limit = since - timedelta(minutes=resource.booking_buffer_minutes or 0)
            if request.booking_id is not None or (request.valid_until is not None and request.valid_until <= limit):
                continue
            if request.user_id != user.id and not force:
                raise Conflict(f"{resource.name} is held into that window.", "RESOURCE_HELD",
                               details={"held_until": _iso(request.valid_until)})
            pool.shorten(request, limit, by_id=user.id if request.user_id != user.id else None,
                         notify=request.user_id != user.id)

    def _insert(self, connection, user, chosen, note, maintenance, now):
        made, ids = [], []
        try:
            for since, until, resources in chosen:
                group = None
                for resource in resources:
                    row_id = connection.execute(INSERT_BOOKING, {
                        "booking_id": group, "series_id": None, "user_id": user.id, "resource_id": resource.id,
                        "start_at": since, "end_at": until, "note": note or None, "status": BOOKED,
                        "maintenance": maintenance, "created_at": now, "sequence": 0, "updated_at": now,
                        "reminded_at": None}).inserted_primary_key[0]
                    group = group or row_id
                    ids.append(row_id)
                made.append(Booked(group, tuple(r.id for r in resources), since, until))
        except IntegrityError as exc:
            raise _conflict([]) from exc
        connection.execute(NAME_GROUPS, {"ids": ids, "series": made[0].booking_id})
        last = max(until for _, until, _ in chosen)
        for resource in {r.id: r for _, _, resources in chosen for r in resources}.values():
            if resource.booked_until is None or resource.booked_until < last:
                connection.execute(BOOKED_UNTIL, {"row_id": resource.id, "until": last})
        return made


    def cancel(self, user, booking_id=None, series_id=None, since=None):
        """Cancel a booking, or a series (from `since` on): its booker or an administrator. An
        active booking is ended instead, as released early. Returns the booking ids cancelled."""
        with self.transactions.writing() as session:
            connection = session.connection()
            rows = list(connection.execute(_matching(booking_id, series_id, since)))
            if not rows:
                raise NotFound("No such booking.", "BOOKING_NOT_FOUND")
            if not user.is_admin and any(r.user_id != user.id for r in rows):
                raise Forbidden("Only its booker or an administrator may cancel a booking.", "NOT_YOUR_BOOKING")
            live = [r for r in rows if r.status in (BOOKED, BOOKING_ACTIVE)]
            if not live:
                raise Conflict("That booking has already ended or been cancelled.", "BOOKING_ENDED")
            now = self.transactions.now()
            resources = self.queue.lock_many(connection, {r.resource_id for r in live})
            for resource in resources.values():
                self.queue.pool(connection, resource)
            rows = list(connection.execute(_matching(booking_id, series_id, since)))
            live = [r for r in rows if r.status in (BOOKED, BOOKING_ACTIVE)]
            booked = [r for r in live if r.status == BOOKED]
            if booked:
                connection.execute(CANCEL, {"ids": [r.id for r in booked], "now": now})
            for resource in resources.values():
                pool = self.queue.pool(connection, resource)
                for row in (r for r in live if r.status == BOOKING_ACTIVE and r.resource_id == resource.id):
                    pool.end_booking(row.booking_id, resource.id, by_id=user.id)
                self.queue.write(connection, pool.run())
            connection.execute(CLEAR_BOOKED_UNTIL, {"ids": sorted(resources)})
            others = [r for r in booked if r.user_id != user.id]
            if others:
                self.queue.outbox.write(connection, [_cancelled_event(r, user, now) for r in others])
        cancelled = sorted({r.booking_id for r in live})
        log.info("%s cancelled bookings=%s by=%r", RESERVATION, cancelled, user.name)
        return cancelled

    def check_in(self, user, booking_id):
        """The booker is there: the booking's holds last to its end (no no-show)."""
        with self.transactions.writing() as session:
            connection = session.connection()
            rows = [r for r in connection.execute(_matching(booking_id, None, None)) if r.user_id == user.id]
            if not rows:
                raise NotFound("You have no such booking.", "BOOKING_NOT_FOUND")
            resources = self.queue.lock_many(connection, {r.resource_id for r in rows})
            checked = False
            for resource in resources.values():
                pool = self.queue.pool(connection, resource)
                hold = pool.taken(resource.id)
                if hold is not None and hold.booking_id == booking_id:
                    checked = pool.keep_alive(hold, None) or True
                    self.queue.write(connection, pool)
            if not checked:
                states = {r.status for r in connection.execute(_matching(booking_id, None, None))}
                if BOOKED in states:
                    raise Conflict("That booking has not started yet.", "BOOKING_NOT_STARTED")
                raise Conflict("That booking has already ended or been cancelled.", "BOOKING_ENDED")
        return rows[0].end_at


def _matching(booking_id, series_id, since):
    if booking_id is not None:
        return select(*BOOKINGS.c).where(BOOKINGS.c.booking_id == booking_id)
    stmt = select(*BOOKINGS.c).where(BOOKINGS.c.series_id == series_id)
    return stmt.where(BOOKINGS.c.start_at >= since) if since is not None else stmt


def _cancelled_event(row, user, now):
    return Event(CANCELLED_EVENT, row.user_id, None, row.resource_id, now, f"cancelled by {user.name}",
                 {"booking_id": row.booking_id, "start": _iso(row.start_at), "end": _iso(row.end_at)})


def _check_limits(resource, start, end, last_end, now, maintenance):
    if maintenance:
        return
    if resource.max_booking_minutes and end - start > timedelta(minutes=resource.max_booking_minutes):
        raise _bad_window(f"{resource.name} can be booked for at most {resource.max_booking_minutes} minutes.")
    if resource.book_ahead_days and last_end > now + timedelta(days=resource.book_ahead_days):
        raise _bad_window(f"{resource.name} can be booked at most {resource.book_ahead_days} days ahead.")


def _prefer_unheld(free, pool):
    """Of the free resources, those nobody holds now first (in id order)."""
    return sorted(free, key=lambda r: (pool.taken(r.id) is not None, r.id))


def _bad_window(message):
    return Invalid(message, "BAD_TIME_WINDOW", fields={"start": [message]})


def _conflict(clashes):
    return Conflict("That window is already booked.", "BOOKING_CONFLICT",
                    details={"conflicts": [conflict_json(b) for b in clashes]})


def _iso(moment):
    return moment.isoformat() if moment is not None else None
