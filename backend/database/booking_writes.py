"""What the Queue part reads and writes of bookings in a queue write: the live bookings of the
locked resources, and the statuses and notification events the BookedPool decided."""
from types import SimpleNamespace

from sqlalchemy import bindparam, exists, select, text, union_all, update

from backend.database.booking_rules import Slot
from backend.database.outbox import Event
from backend.models import Booking, Resource
from backend.models.notifications import BOOKING_STARTED, HOLD_SHORTENED
from backend.models.states import BOOKING_ACTIVE, LIVE_BOOKING_SQL

BOOKINGS = Booking.__table__
RESOURCES = Resource.__table__
_FOLLOWING = BOOKINGS.alias("following")
_LIVE = text(f"bookings.{LIVE_BOOKING_SQL}")
# What a write can act on, as of `now`: the live bookings that began (to start them, or a
# maintenance window under way), and each resource's next one (it bounds a hold). Later ones
# cannot matter before the next write, so a resource booked months ahead costs its write two
# rows, not all of them; each part is a seek in the partial index ix_bookings_live.
_NEXT_ID = (select(_FOLLOWING.c.id)
            .where(_FOLLOWING.c.resource_id == RESOURCES.c.id, text(f"following.{LIVE_BOOKING_SQL}"),
                   _FOLLOWING.c.start_at > bindparam("now"))
            .order_by(_FOLLOWING.c.start_at).limit(1).scalar_subquery())
LIVE_SLOTS = union_all(
    select(*BOOKINGS.c).where(BOOKINGS.c.resource_id.in_(bindparam("ids", expanding=True)), _LIVE,
                              BOOKINGS.c.start_at <= bindparam("now")),
    select(*BOOKINGS.c).select_from(RESOURCES).join(BOOKINGS, BOOKINGS.c.id == _NEXT_ID)
    .where(RESOURCES.c.id.in_(bindparam("ids", expanding=True))))
# A resource row with its first live booking beside it (the first_booking_* columns, NULL when it
# has none): the row a queue write locks (queue.LOCK_RESOURCE) then tells whether that write needs
# LIVE_SLOTS at all (locked_slots). One more seek in ix_bookings_live, inside the same statement.
_EARLIEST = BOOKINGS.alias("earliest")
_FIRST = BOOKINGS.alias("first_booking")
_FIRST_ID = (select(_EARLIEST.c.id)
             .where(_EARLIEST.c.resource_id == RESOURCES.c.id, text(f"earliest.{LIVE_BOOKING_SQL}"))
             .order_by(_EARLIEST.c.start_at).limit(1).scalar_subquery())
FIRST_BOOKING_COLUMNS = tuple(column.label(f"first_booking_{column.name}") for column in _FIRST.c)
WITH_FIRST_BOOKING = RESOURCES.outerjoin(_FIRST, _FIRST.c.id == _FIRST_ID)
_NO_COLUMN = object()
SET_STATUS = (update(BOOKINGS).where(BOOKINGS.c.id == bindparam("row_id"))
              .values(status=bindparam("status"), sequence=BOOKINGS.c.sequence + 1, updated_at=bindparam("now")))
# A resource left without live bookings: its writes read no bookings any more.
CLEAR_BOOKED_UNTIL = (update(RESOURCES)
                      .where(RESOURCES.c.id.in_(bindparam("ids", expanding=True)),
                             ~exists().where(BOOKINGS.c.resource_id == RESOURCES.c.id,
                                             _LIVE))
                      .values(booked_until=None))


def live_slots(connection, resource_rows, now):
    """{resource id: [Slot] in start order} of the live bookings a write as of `now` can act on
    (LIVE_SLOTS), for the resources that have live bookings: a resource never booked
    (booked_until NULL) costs no statement."""
    booked = {r.id: r for r in resource_rows if r.booked_until is not None}
    if not booked:
        return {}
    found = {}
    for row in sorted(connection.execute(LIVE_SLOTS, {"ids": sorted(booked), "now": now}), key=_start):
        found.setdefault(row.resource_id, []).append(Slot.from_row(row, booked[row.resource_id].checkin_minutes))
    return found


def locked_slots(connection, resource, now):
    """live_slots() of one resource row read with its first live booking (WITH_FIRST_BOOKING).
    While that booking has not begun it is all LIVE_SLOTS would find (nothing began, and it is the
    next), so the write reads no bookings: a resource booked for tomorrow costs its writes no
    statement. A row without those columns, or whose first booking began, is read as before."""
    first_id = getattr(resource, "first_booking_id", _NO_COLUMN)
    if first_id is None:
        return {}
    if first_id is _NO_COLUMN or resource.first_booking_start_at <= now:
        return live_slots(connection, [resource], now)
    first = {column.name: getattr(resource, f"first_booking_{column.name}") for column in _FIRST.c}
    return {resource.id: [Slot.from_row(SimpleNamespace(**first), resource.checkin_minutes)]}


def _start(row):
    return row.start_at


def write_booking_changes(connection, pool, outbox, now):
    """Write the booking statuses the pool changed, record booking_started and hold_shortened,
    and mark the resources left without a live booking."""
    changes = getattr(pool, "booking_changes", None)
    if not changes and not getattr(pool, "shortened", None):
        return
    events = []
    final = {}
    for slot, status in changes:
        final[slot.id] = (slot, status)
        if status == BOOKING_ACTIVE and not slot.maintenance:
            events.append(Event(BOOKING_STARTED, slot.user_id, None, slot.resource_id, slot.start,
                                detail=_detail(slot)))
    for slot, status in final.values():
        connection.execute(SET_STATUS, {"row_id": slot.id, "status": status, "now": now})
    for request, until in pool.shortened:
        events.append(Event(HOLD_SHORTENED, request.user_id, request.id, request.resource_id, now,
                            detail={"valid_until": until.isoformat()}))
    ended = {slot.resource_id for slot, status in final.values() if status != BOOKING_ACTIVE}
    if ended:
        connection.execute(CLEAR_BOOKED_UNTIL, {"ids": sorted(ended)})
    if outbox is not None and events:
        outbox.write(connection, events)
    changes.clear()
    pool.shortened.clear()


def _detail(slot):
    return {"booking_id": slot.booking_id, "start": slot.start.isoformat(), "end": slot.end.isoformat(),
            "maintenance": slot.maintenance}
