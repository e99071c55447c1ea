"""Bookings as the metrics and the utilization reports count them: outcomes, booked time, no-shows
and administrators' maintenance windows, read from the bookings table."""
from sqlalchemy import distinct, func, select

from backend.database.statistics import COUNTED
from backend.domain import periods as calendar
from backend.models import Booking
from backend.models.states import BOOKING_ACTIVE, BOOKING_CANCELLED, BOOKING_ENDED, NO_SHOW, RELEASED_EARLY

# The outcomes a booking ends with: counts of these only grow.
OUTCOMES = (BOOKING_ENDED, RELEASED_EARLY, NO_SHOW, BOOKING_CANCELLED)
# Bookings that took (or take) their window: everything but cancelled ones.
NOT_CANCELLED = Booking.status != BOOKING_CANCELLED


class BookingFigures:
    def __init__(self, transactions):
        self.transactions = transactions

    def outcomes(self):
        """{outcome: bookings that ended so} (a booking of several resources counts once), named
        as the history and the statistics name them (used, released_early, no_show, cancelled);
        maintenance windows are not bookings here."""
        found = dict(self.transactions.session.execute(
            select(Booking.status, func.count(distinct(func.coalesce(Booking.booking_id, Booking.id))))
            .where(Booking.status.in_(OUTCOMES), Booking.maintenance.is_(False)).group_by(Booking.status)).all())
        return {COUNTED[status]: found.get(status, 0) for status in OUTCOMES}

    def in_maintenance_window(self):
        """Ids of the resources an active maintenance window holds now."""
        return set(self.transactions.session.scalars(
            select(Booking.resource_id).where(Booking.maintenance.is_(True), Booking.status == BOOKING_ACTIVE)))

    def per_period(self, ids, start, end, zone, group_by):
        """{(resource id, period key): (booked seconds, no-shows)}: the booked windows (not
        cancelled) cut at the periods' bounds; a no-show counts in the period it should have begun."""
        found = {}
        for rid, begin, finish, status in self._windows(ids, start, end, maintenance=False):
            for key, seconds in calendar.split(max(begin, start), min(finish, end), zone, group_by):
                booked, missed = found.get((rid, key), (0.0, 0))
                found[rid, key] = (booked + seconds, missed)
            if status == NO_SHOW and start <= begin < end:
                key = (rid, calendar.period_of(begin, zone, group_by).key)
                booked, missed = found.get(key, (0.0, 0))
                found[key] = (booked, missed + 1)
        return found

    def maintenance_windows(self, ids, start, end):
        """(resource id, start, end) of the maintenance windows that took place within [start, end)."""
        return [(rid, begin, finish) for rid, begin, finish, _ in self._windows(ids, start, end, maintenance=True)]

    def _windows(self, ids, start, end, maintenance):
        return self.transactions.session.execute(
            select(Booking.resource_id, Booking.start_at, Booking.end_at, Booking.status)
            .where(Booking.resource_id.in_(ids), NOT_CANCELLED, Booking.maintenance.is_(maintenance),
                   Booking.start_at < end, Booking.end_at > start)).all()
