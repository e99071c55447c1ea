"""The booking rules: plain functions of bookings, resources and time, without Flask or SQL.

A booking's window [start, end) belongs to its booker: no hold, keep-alive, lease or label grant
on the resource runs past the next booking's start minus the resource's buffer (its "limit").
Repeating bookings keep their local wall-clock time across daylight-saving changes.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from backend.models.states import BOOKED, BOOKING_ACTIVE

EVERY = {"day": 1, "weekday": 1, "week": 7}
# A series may not make more occurrences than this (two years of working days, and some).
MAX_OCCURRENCES = 600


@dataclass(frozen=True)
class Slot:
    """One live booking of one resource, as the queue rules see it."""

    id: int
    booking_id: int
    user_id: int
    resource_id: int
    start: datetime
    end: datetime
    status: str = BOOKED
    maintenance: bool = False
    note: str | None = None
    checkin: timedelta | None = None

    @classmethod
    def from_row(cls, row, checkin_minutes=None):
        return cls(row.id, row.booking_id, row.user_id, row.resource_id, row.start_at, row.end_at, row.status,
                   row.maintenance, row.note, timedelta(minutes=checkin_minutes) if checkin_minutes else None)

    @property
    def started(self):
        return self.status == BOOKING_ACTIVE

    def first_deadline(self):
        """Until when the booker holds it without checking in: its end, or the check-in deadline."""
        return min(self.end, self.start + self.checkin) if self.checkin else self.end


def capped(until, bound):
    """A deadline (None: never) no later than `bound` (None: no bound)."""
    if bound is None:
        return until
    return bound if until is None else min(until, bound)


def overlaps(start, end, other_start, other_end):
    return start < other_end and other_start < end


def occurrences(start, end, every, until, zone):
    """[(start, end)] of a series from the first window, every "day", "weekday" (Monday to
    Friday) or "week", up to the date `until` included, at the same wall-clock time in `zone`
    (an IANA name): 09:00 in Budapest stays 09:00 when the clocks change."""
    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    length_days = (local_end.date() - local_start.date()).days
    found, day = [], local_start.date()
    while day <= until and len(found) < MAX_OCCURRENCES:
        if every != "weekday" or day.weekday() < 5:
            found.append((_at(day, local_start.timetz(), tz),
                          _at(day + timedelta(days=length_days), local_end.timetz(), tz)))
        day += timedelta(days=EVERY[every])
    return found


def _at(day: date, wall: time, tz):
    """The UTC moment of a wall-clock time on a day in a zone (a time skipped by a change moves on)."""
    local = datetime.combine(day, wall.replace(tzinfo=None), tzinfo=tz)
    return local.astimezone(timezone.utc)
