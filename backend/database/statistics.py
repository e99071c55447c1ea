"""The Statistics part: per-resource usage figures for a period (how long held, how long waited)."""
from dataclasses import dataclass, field
from statistics import median

from sqlalchemy import func, or_, select

from backend.models import Booking, Reservation, Resource

# The booking statuses statistics count, by the outcome they name.
COUNTED = {"ended": "used", "released_early": "released_early", "no_show": "no_show", "cancelled": "cancelled"}


@dataclass(frozen=True)
class ResourceFigures:
    """One resource's figures for a period, in seconds; the wait figures are None when nobody
    was approved on it during the period."""

    resource_id: int
    resource_name: str
    holds: int
    total_hold_seconds: float
    median_hold_seconds: float | None
    median_wait_seconds: float | None
    longest_wait_seconds: float | None
    # Bookings whose window overlaps the period, by outcome: used, released_early, no_show, cancelled.
    bookings: dict = field(default_factory=dict)


class Statistics:
    def __init__(self, transactions, reservations):
        self.transactions = transactions
        self.reservations = reservations

    def per_resource(self, since, until):
        """Figures for every resource over [since, until), in a fixed number of statements.

        Holds: every hold whose time overlaps the period, clipped to it; a hold still running
        counts up to now. Waits: requested -> approved, for requests approved within the period;
        a request still waiting, or one that left the queue unapproved, has no wait and is left out.
        """
        self.reservations.settle_overdue()
        now = self.transactions.now()
        stop = min(until, now)
        session = self.transactions.session
        rows = session.execute(
            select(Reservation.resource_id, Reservation.requested_at, Reservation.approved_at,
                   Reservation.ended_at)
            .where(Reservation.approved_at.is_not(None), Reservation.approved_at < until,
                   or_(Reservation.ended_at.is_(None), Reservation.ended_at > since))
        )
        holds, waits = {}, {}
        for resource_id, requested_at, approved_at, ended_at in rows:
            start, end = max(approved_at, since), min(ended_at or now, stop)
            if start > end:
                continue  # a period in the future: the hold has not reached it yet
            holds.setdefault(resource_id, []).append((end - start).total_seconds())
            if approved_at >= since:
                waits.setdefault(resource_id, []).append((approved_at - requested_at).total_seconds())
        booked = {}
        for resource_id, status, count in session.execute(
                select(Booking.resource_id, Booking.status, func.count())
                .where(Booking.start_at < until, Booking.end_at > since, Booking.maintenance.is_(False))
                .group_by(Booking.resource_id, Booking.status)):
            if status in COUNTED:
                booked.setdefault(resource_id, dict.fromkeys(COUNTED.values(), 0))[COUNTED[status]] = count
        resources = session.execute(
            select(Resource.id, Resource.name, Resource.active).order_by(Resource.name))
        return [_figures(resource_id, name, holds.get(resource_id, []), waits.get(resource_id, []),
                         booked.get(resource_id) or dict.fromkeys(COUNTED.values(), 0))
                for resource_id, name, active in resources if active or resource_id in holds]


def _figures(resource_id, name, held, waited, bookings):
    return ResourceFigures(
        resource_id=resource_id,
        resource_name=name,
        holds=len(held),
        total_hold_seconds=_seconds(sum(held)),
        median_hold_seconds=_seconds(median(held)) if held else None,
        median_wait_seconds=_seconds(median(waited)) if waited else None,
        longest_wait_seconds=_seconds(max(waited)) if waited else None,
        bookings=bookings,
    )


def _seconds(value):
    """Seconds to the millisecond, as the database stores times to the microsecond."""
    return round(float(value), 3)
