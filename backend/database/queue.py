"""The Queue part: locks resources, reads their queues and writes what the queue rules decide.

Every write holds the database's one write lock from its first read to its commit, so this runs
on plain rows and single prebuilt statements (see ReservationRow): ORM objects and their flushes
made that lock last three times longer.
"""
from dataclasses import fields
from functools import cache

from sqlalchemy import bindparam, insert, select, text, update

from backend.database import rules
from backend.database.rules import ReservationRow
from backend.errors import NotFound
from backend.logs import RESERVATION, log
from backend.models import Reservation, Resource, User
from backend.models.states import ACTIVE_SQL, APPROVED

RESERVATIONS = Reservation.__table__
RESOURCES = Resource.__table__
# The reservations table's columns in ReservationRow's order, for select() and from_row.
RESERVATION_ROW_COLUMNS = tuple(RESERVATIONS.c[f.name] for f in fields(ReservationRow))

# Statements are built once: building a select and working out its cache key again on every
# call cost five times as much as running it.
ACTIVE_ROWS = (select(*RESERVATION_ROW_COLUMNS)
               .where(RESERVATIONS.c.resource_id == bindparam("resource_id"), text(ACTIVE_SQL))
               .order_by(RESERVATIONS.c.id))
LOCK_RESOURCE = select(*RESOURCES.c).where(RESOURCES.c.id == bindparam("id")).with_for_update()
LOCK_RESOURCES = (select(*RESOURCES.c).where(RESOURCES.c.id.in_(bindparam("ids", expanding=True)))
                  .order_by(RESOURCES.c.id).with_for_update())
INSERT_RESERVATION = insert(RESERVATIONS)
USER_NAME = select(User.name).where(User.id == bindparam("id"))


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

    def lock(self, connection, resource_id, include_inactive=False):
        """The resource's row (plain values), locked against other writers until commit (a no-op
        lock on SQLite, whose BEGIN IMMEDIATE already holds the database write lock)."""
        resource = connection.execute(LOCK_RESOURCE, {"id": resource_id}).first()
        if resource is None or not (resource.active or include_inactive):
            raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
        return resource

    def lock_many(self, connection, resource_ids):
        """Lock several resource rows at once, in id order so that two writers cannot deadlock."""
        if not resource_ids:
            return {}
        rows = connection.execute(LOCK_RESOURCES, {"ids": sorted(resource_ids)})
        return {resource.id: resource for resource in rows}

    @staticmethod
    def active_rows(connection, resource_id):
        """The resource's holds and queued requests, in id order (queue order)."""
        rows = connection.execute(ACTIVE_ROWS, {"resource_id": resource_id})
        return [ReservationRow.from_row(row) for row in rows]

    def settle(self, connection, resource, active=None):
        """Settle one locked resource as of now and write the outcome; returns the Settlement.
        `active`: its active rows in id order, when the caller has just read them."""
        if active is None:
            active = self.active_rows(connection, resource.id)
        settlement = rules.settle(active, self.transactions.now(), self.hold(), resource.maintenance)
        self.write(connection, settlement.changes)
        return settlement

    def hold(self):
        """How long a hold lasts, or None when holds never expire."""
        return self.transactions.minutes_setting("RESERVIA_HOLD_MINUTES")

    def wait(self):
        """How long a queued request waits, or None when it waits for ever."""
        return self.transactions.minutes_setting("RESERVIA_QUEUE_MINUTES")

    def write(self, connection, changes):
        """Write the rules' changes one UPDATE each, in order (an ended hold before the approval
        that follows it), log each, and record the notification events they mean in the same
        transaction."""
        for change in changes:
            self.store(connection, change.row, change.names)
            log_change(change)
        if self.outbox is not None:
            self.outbox.record(connection, changes)

    @staticmethod
    def store(connection, reservation, names):
        """Write the named attributes of a ReservationRow to its row."""
        connection.execute(
            _update_of(names), {"row_id": reservation.id, **{n: getattr(reservation, n) for n in names}})

    @staticmethod
    def insert(connection, reservation):
        """Store a new ReservationRow; it gets its id (the queue order) here."""
        values = vars(reservation).copy()
        del values["id"]
        reservation.id = connection.execute(INSERT_RESERVATION, values).inserted_primary_key[0]

    @staticmethod
    def user_name(connection, user_id):
        return connection.execute(USER_NAME, {"id": user_id}).scalar_one()


def log_change(change):
    r = change.row
    if change.event == APPROVED:
        log.info("%s approved reservation=%s user_id=%s resource_id=%s",
                 RESERVATION, r.id, r.user_id, r.resource_id)
        return
    log.info("%s %s reservation=%s user_id=%s resource_id=%s%s", RESERVATION, change.event,
             r.id, r.user_id, r.resource_id, f" reason={r.end_reason!r}" if r.end_reason else "")
