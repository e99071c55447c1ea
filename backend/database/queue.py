"""The Queue part: locks what a write changes, reads the queues, runs the queue rules (rules.py)
and writes what they decide.

Every write holds the database's write lock from its first read to its commit, so this runs on
plain rows and single prebuilt statements (see ReservationRow): ORM objects and their flushes
made that lock last three times longer.

Most writes concern one resource and its queue by name. Label requests can take any resource
carrying their labels, so once one is waiting, or a resource is held for one, a write reads the
whole pool of active reservations and resources instead: a fixed number of statements still.
On PostgreSQL every write to the queues first takes one advisory lock, so that writers take
turns as they do on SQLite (whose BEGIN IMMEDIATE locks the whole file): a resource falling free
may change a label request that other resources' writers also change.
"""
from dataclasses import fields
from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam, delete, insert, select, text, union_all, update

from backend.database.booking_pool import BookedPool
from backend.database.booking_writes import (
    FIRST_BOOKING_COLUMNS,
    WITH_FIRST_BOOKING,
    live_slots,
    locked_slots,
    write_booking_changes,
)
from backend.database.rules import DELETE, INSERT, ReservationRow, ResourceState
from backend.errors import Invalid, NotFound
from backend.logs import RESERVATION, log
from backend.models import Reservation, Resource, ResourceLabel, User, resource_allowed_groups, user_groups
from backend.models.states import ACTIVE_SQL, APPROVED, WAITING_SET_SQL

RESERVATIONS = Reservation.__table__
RESOURCES = Resource.__table__
# The reservations table's columns in ReservationRow's order, for select() and from_row.
RESERVATION_ROW_COLUMNS = tuple(RESERVATIONS.c[f.name] for f in fields(ReservationRow))

# Statements are built once: building a select and working out its cache key again on every
# call cost five times as much as running it.
ONE_QUEUE = union_all(
    select(*RESERVATION_ROW_COLUMNS).where(RESERVATIONS.c.resource_id == bindparam("resource_id"),
                                           text(ACTIVE_SQL)),
    select(*RESERVATION_ROW_COLUMNS).where(text(WAITING_SET_SQL)),
).order_by("id")
WHOLE_POOL = select(*RESERVATION_ROW_COLUMNS).where(text(ACTIVE_SQL)).order_by(RESERVATIONS.c.id)
ALL_RESOURCES = select(RESOURCES.c.id, RESOURCES.c.maintenance, RESOURCES.c.active, RESOURCES.c.max_hold_minutes,
                       RESOURCES.c.booked_until, RESOURCES.c.booking_buffer_minutes, RESOURCES.c.checkin_minutes)
ALL_LABELS = select(ResourceLabel.resource_id, ResourceLabel.name)
ALL_ALLOWED = select(resource_allowed_groups.c.resource_id, resource_allowed_groups.c.group_id)
ALL_MEMBERSHIPS = select(user_groups.c.user_id, user_groups.c.group_id)
ALL_ADMINS = select(User.id).where(User.role == "admin")
# The row with its first live booking (booking_writes.locked_slots); on PostgreSQL only the
# resource's row is locked (the booking beside it may be none).
LOCK_RESOURCE = (select(*RESOURCES.c, *FIRST_BOOKING_COLUMNS).select_from(WITH_FIRST_BOOKING)
                 .where(RESOURCES.c.id == bindparam("id")).with_for_update(of=RESOURCES))
LOCK_RESOURCES = (select(*RESOURCES.c).where(RESOURCES.c.id.in_(bindparam("ids", expanding=True)))
                  .order_by(RESOURCES.c.id).with_for_update())
REQUEST_ROW = select(*RESERVATION_ROW_COLUMNS).where(RESERVATIONS.c.id == bindparam("id"))
INSERT_RESERVATION = insert(RESERVATIONS)
DELETE_RESERVATION = delete(RESERVATIONS).where(RESERVATIONS.c.id == bindparam("row_id"))
USER_NAME = select(User.name).where(User.id == bindparam("id"))
RESOURCE_NAMES = select(RESOURCES.c.id, RESOURCES.c.name).where(RESOURCES.c.id.in_(bindparam("ids", expanding=True)))
# Any fixed number: the PostgreSQL advisory lock writers of the queues take turns on.
QUEUE_LOCK_ID = 7_346_203
TAKE_QUEUE_LOCK = text("SELECT pg_advisory_xact_lock(:id)").bindparams(id=QUEUE_LOCK_ID)


@cache
def _update_of(names):
    """UPDATE of the named columns of one reservation, parameters named like them (plus "row_id")."""
    return (update(RESERVATIONS).where(RESERVATIONS.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in names}))


class Queue:
    """What every writing part needs to change reservations under the queue rules."""

    def __init__(self, transactions, outbox=None):
        self.transactions = transactions
        # Records the notification events the changes mean (outbox.py); a Queue built alone for
        # a test may go without.
        self.outbox = outbox

    def take_turn(self, connection):
        """On PostgreSQL, wait for the queue writers' turn (see the module docstring)."""
        if connection.dialect.name == "postgresql":
            connection.execute(TAKE_QUEUE_LOCK)

    def lock(self, connection, resource_id, include_inactive=False):
        """The resource's row (plain values), locked against other writers until commit."""
        self.take_turn(connection)
        resource = connection.execute(LOCK_RESOURCE, {"id": resource_id}).first()
        if resource is None or not (resource.active or include_inactive):
            raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
        return resource

    def lock_many(self, connection, resource_ids):
        """Lock several resource rows at once, in id order so that two writers cannot deadlock."""
        self.take_turn(connection)
        if not resource_ids:
            return {}
        rows = connection.execute(LOCK_RESOURCES, {"ids": sorted(resource_ids)})
        return {resource.id: resource for resource in rows}

    def pool(self, connection, resource):
        """The locked resource's queue, settled as of now and written: a Pool of that one
        resource, or of everything when label requests are involved."""
        rows = [ReservationRow.from_row(row) for row in connection.execute(ONE_QUEUE, {"resource_id": resource.id})]
        if any(row.is_label_request or row.parent_id is not None for row in rows):
            return self.whole_pool(connection)
        slots = locked_slots(connection, resource, self.transactions.now())
        pool = self.new_pool([self.state_of(resource, (), slots.get(resource.id, ()))], rows)
        return self.write(connection, pool.settle())

    def whole_pool(self, connection):
        """Every resource and active reservation, settled as of now and written (the caller
        took the queue writers' turn)."""
        labels = {}
        for resource_id, name in connection.execute(ALL_LABELS):
            labels.setdefault(resource_id, set()).add(name)
        resource_rows = connection.execute(ALL_RESOURCES).all()
        slots = live_slots(connection, resource_rows, self.transactions.now())
        allowed, members, admins = read_access(connection)
        resources = [self.state_of(r, labels.get(r.id, ()), slots.get(r.id, ()), allowed.get(r.id))
                     for r in resource_rows]
        rows = [ReservationRow.from_row(row) for row in connection.execute(WHOLE_POOL)]
        pool = self.new_pool(resources, rows, members, admins)
        return self.write(connection, pool.reexamine().settle())

    def new_pool(self, resources, rows, members=None, admins=frozenset()):
        minutes = self.transactions.setting("RESERVIA_MIN_HOLD_MINUTES")
        return BookedPool(resources, rows, self.transactions.now(), self.hold(), aging=self.aging(),
                          user_groups=members or {}, admins=admins, min_hold=timedelta(minutes=minutes))

    def aging(self):
        """How long a waiting request waits to rise one priority class, or None (no aging)."""
        return self.transactions.minutes_setting("RESERVIA_PRIORITY_AGING_MINUTES")

    def state_of(self, resource, labels=(), slots=(), allowed=None):
        """What the queue rules need of a resource row (or Resource), with its live bookings and
        the groups it is restricted to (None: everyone)."""
        return ResourceState(resource.id, resource.maintenance, resource.active, frozenset(labels),
                             self.maximum(resource), self.lifetime(resource), tuple(slots),
                             timedelta(minutes=resource.booking_buffer_minutes or 0), allowed)

    def request_row(self, connection, request_id):
        """A request's row as plain values, or None."""
        row = connection.execute(REQUEST_ROW, {"id": request_id}).first()
        return ReservationRow.from_row(row) if row is not None else None

    def hold(self):
        """How long a hold lasts, or None when holds never expire."""
        return self.transactions.minutes_setting("RESERVIA_HOLD_MINUTES")

    def maximum(self, resource):
        """The longest hold one may ask for on the resource (read from the row the write has
        locked): its administrator's maximum, else the site's hold length; None: no limit."""
        return self.lifetime(resource) or self.hold()

    @staticmethod
    def lifetime(resource):
        """The administrator's maximum for the resource, which also bounds keep-alives: no hold
        there lasts longer from its approval. None when not set: holds kept alive go on, as
        they always have, by the site's length at a time."""
        return timedelta(minutes=resource.max_hold_minutes) if resource.max_hold_minutes else None

    def wait(self):
        """How long a queued request waits, or None when it waits for ever."""
        return self.transactions.minutes_setting("RESERVIA_QUEUE_MINUTES")

    def check_lease(self, lease):
        """Refuse a lease longer than a hold lasts: the hold would end first, so it would mean nothing."""
        hold = self.hold()
        if lease is not None and hold is not None and lease > hold.total_seconds():
            limit = int(hold.total_seconds())
            raise Invalid(f"lease_seconds must be at most the hold time, {limit} seconds.", "INVALID_LEASE",
                          fields={"lease_seconds": [f"At most {limit} seconds."]})

    def write(self, connection, pool):
        """Write the pool's changes in order, one statement each, log each, record the
        notification events they mean in the same transaction, and forget them."""
        for change in pool.changes:
            if change.kind == INSERT:
                change.row.id = connection.execute(INSERT_RESERVATION, change.values).inserted_primary_key[0]
            elif change.kind == DELETE:
                connection.execute(DELETE_RESERVATION, {"row_id": change.row.id})
            else:
                connection.execute(_update_of(tuple(change.values)), {"row_id": change.row.id, **change.values})
            log_change(change)
        if self.outbox is not None and pool.changes:
            self.outbox.record(connection, pool.changes, pool.fresh)
        pool.changes.clear()
        write_booking_changes(connection, pool, self.outbox, self.transactions.now())
        return pool

    @staticmethod
    def insert(connection, reservation):
        """Store a new ReservationRow; it gets its id (the queue order) here."""
        values = vars(reservation).copy()
        del values["id"]
        reservation.id = connection.execute(INSERT_RESERVATION, values).inserted_primary_key[0]

    @staticmethod
    def resource_names(connection, resource_ids):
        """{id: name} of the given resources."""
        return dict(connection.execute(RESOURCE_NAMES, {"ids": list(resource_ids)}).all()) if resource_ids else {}

    @staticmethod
    def user_name(connection, user_id):
        return connection.execute(USER_NAME, {"id": user_id}).scalar_one()


def read_access(connection):
    """({resource id: the group ids it is restricted to}, {user id: their group ids}, the
    administrators' ids); one statement when no resource is restricted."""
    allowed = {}
    for resource_id, group_id in connection.execute(ALL_ALLOWED):
        allowed.setdefault(resource_id, set()).add(group_id)
    if not allowed:
        return {}, {}, frozenset()
    members = {}
    for user_id, group_id in connection.execute(ALL_MEMBERSHIPS):
        members.setdefault(user_id, set()).add(group_id)
    return ({rid: frozenset(ids) for rid, ids in allowed.items()},
            {uid: frozenset(ids) for uid, ids in members.items()},
            frozenset(connection.execute(ALL_ADMINS).scalars()))


def log_change(change):
    r = change.row
    if change.event == "kept_alive":
        return  # the keep-alive's own line says it once for the whole request
    if change.event == APPROVED:
        log.info("%s approved reservation=%s user_id=%s resource_id=%s",
                 RESERVATION, r.id, r.user_id, r.resource_id)
        return
    log.info("%s %s reservation=%s user_id=%s resource_id=%s%s", RESERVATION, change.event,
             r.id, r.user_id, r.resource_id, f" reason={r.end_reason!r}" if r.end_reason else "")
