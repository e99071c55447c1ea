"""What the Queue part reads and writes of bookings in a queue write: the live bookings of the
locked resources, and the statuses and notification events the BookedPool decided."""
from sqlalchemy import bindparam, exists, select, text, update

from backend.database.booking_rules import Slot
from backend.database.outbox import Event
from backend.models import Booking, Resource
from backend.models.notifications import BOOKING_STARTED, HOLD_SHORTENED
from backend.models.states import BOOKING_ACTIVE, LIVE_BOOKING_SQL

BOOKINGS = Booking.__table__
LIVE_SLOTS = (select(*BOOKINGS.c).where(BOOKINGS.c.resource_id.in_(bindparam("ids", expanding=True)),
                                        text(LIVE_BOOKING_SQL))
              .order_by(BOOKINGS.c.start_at))
SET_STATUS = (update(BOOKINGS).where(BOOKINGS.c.id == bindparam("row_id"))
              .values(status=bindparam("status"), sequence=BOOKINGS.c.sequence + 1, updated_at=bindparam("now")))
# A resource left without live bookings: its writes read no bookings any more.
CLEAR_BOOKED_UNTIL = (update(Resource.__table__)
                      .where(Resource.__table__.c.id.in_(bindparam("ids", expanding=True)),
                             ~exists().where(BOOKINGS.c.resource_id == Resource.__table__.c.id,
                                             text(f"bookings.{LIVE_BOOKING_SQL}")))
                      .values(booked_until=None))


def live_slots(connection, resource_rows):
    """{resource id: [Slot] in start order} of the resources that have live bookings: a resource
    never booked (booked_until NULL) costs no statement."""
    booked = {r.id: r for r in resource_rows if r.booked_until is not None}
    if not booked:
        return {}
    found = {}
    for row in connection.execute(LIVE_SLOTS, {"ids": sorted(booked)}):
        found.setdefault(row.resource_id, []).append(Slot.from_row(row, booked[row.resource_id].checkin_minutes))
    return found


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
