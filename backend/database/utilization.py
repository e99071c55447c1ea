"""The Utilization part: how much each resource was used, period by period, read from the history
(reservations, maintenance periods, bookings), exact to the second; what the reports show.

A hold counts from its approval to its end (now while it runs), clipped to the report and cut at
the periods' bounds in the site's time zone; so does a maintenance period. `utilization` is the
held share of the period's time (of the part of it already past). Requests count when made
(requests by name, once each); waits (requested -> approved) count in the period of the approval.
Booked time is the bookings' windows (not cancelled ones, future ones too); an administrator's
maintenance window counts as maintenance.
"""
from dataclasses import dataclass, field
from datetime import timedelta
from statistics import median

from sqlalchemy import or_, select

from backend.domain import periods as calendar
from backend.models import MaintenancePeriod, Reservation, Resource, ResourceLabel, User

# Users on the report's list of who held resources longest.
TOP_USERS = 10
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class UtilizationRow:
    """One resource in one period; the keys and order are those of the JSON rows and the CSV."""

    resource_id: int
    resource_name: str
    period: str
    held_seconds: float
    booked_seconds: float
    maintenance_seconds: float
    utilization: float
    requests: int
    median_wait_seconds: float | None
    p90_wait_seconds: float | None
    no_shows: int


@dataclass
class Report:
    """A report: its rows, its periods, the labels of its resources and, for the page, when in the
    week resources are busy and who held them longest."""

    rows: list
    periods: list
    labels: dict = field(default_factory=dict)
    waits_by_period: dict = field(default_factory=dict)
    busy_hours: dict = field(default_factory=dict)
    top_users: list = field(default_factory=list)


class Utilization:
    def __init__(self, transactions, reservations, bookings=None):
        self.transactions = transactions
        self.reservations = reservations
        # Bookings, when Reservia has them: booked seconds and no-shows per resource and period.
        self.bookings = bookings

    def report(self, start, end, zone, group_by, resource_id=None, label=None, details=False):
        """The Report over [start, end); `details` adds the busy hours and the top users."""
        self.reservations.settle_overdue()
        session = self.transactions.session
        now = self.transactions.now()
        stop = min(end, now)
        periods = calendar.periods_between(start, end, zone, group_by)
        resources, labels = self._resources(session, resource_id, label)
        ids = list(resources)
        held, waits, requests = {}, {}, {}
        busy, by_user = {}, {}
        for rid, user_id, requested_at, approved_at, ended_at in self._holds(session, ids, start, end):
            begin, finish = max(approved_at, start), min(ended_at or now, stop)
            for key, seconds in calendar.split(begin, finish, zone, group_by):
                held[rid, key] = held.get((rid, key), 0.0) + seconds
            if start <= approved_at < end:
                waits.setdefault((rid, calendar.period_of(approved_at, zone, group_by).key), []).append(
                    (approved_at - requested_at).total_seconds())
            if details and finish > begin:
                by_user[user_id] = by_user.get(user_id, 0.0) + (finish - begin).total_seconds()
                for hour, seconds in _hours(begin, finish, zone):
                    busy[hour] = busy.get(hour, 0.0) + seconds
        for rid, requested_at in self._requests(session, ids, start, end):
            key = (rid, calendar.period_of(requested_at, zone, group_by).key)
            requests[key] = requests.get(key, 0) + 1
        maintenance = {}
        windows = self.bookings.maintenance_windows(ids, start, end) if self.bookings else []
        for rid, began, ended in [*self._maintenance(session, ids, start, end), *windows]:
            for key, seconds in calendar.split(max(began, start), min(ended or now, stop), zone, group_by):
                maintenance[rid, key] = maintenance.get((rid, key), 0.0) + seconds
        booked = self.bookings.per_period(ids, start, end, zone, group_by) if self.bookings else {}
        rows = []
        for rid, name in sorted(resources.items(), key=lambda item: item[1]):
            for period in periods:
                key = (rid, period.key)
                past = max(0.0, (min(period.end, stop) - period.start).total_seconds())
                waited = waits.get(key, [])
                booked_seconds, no_shows = booked.get(key, (0.0, 0))
                rows.append(UtilizationRow(
                    resource_id=rid, resource_name=name, period=period.key,
                    held_seconds=_seconds(held.get(key, 0.0)), booked_seconds=_seconds(booked_seconds),
                    maintenance_seconds=_seconds(maintenance.get(key, 0.0)),
                    utilization=round(min(1.0, held.get(key, 0.0) / past), 4) if past else 0.0,
                    requests=requests.get(key, 0),
                    median_wait_seconds=_seconds(median(waited)) if waited else None,
                    p90_wait_seconds=_seconds(calendar.percentile(waited, 0.9)) if waited else None,
                    no_shows=no_shows))
        waits_by_period = {}
        for (_, key), values in waits.items():
            waits_by_period.setdefault(key, []).extend(values)
        report = Report(rows, periods, labels, waits_by_period, busy)
        if details:
            names = dict(session.execute(select(User.id, User.name).where(User.id.in_(list(by_user)))).all())
            ranked = sorted(by_user.items(), key=lambda item: -item[1])[:TOP_USERS]
            report.top_users = [(names.get(uid, f"user {uid}"), _seconds(seconds)) for uid, seconds in ranked]
        return report

    @staticmethod
    def _resources(session, resource_id, label):
        """({id: name} of the resources reported on, {label: [ids]}): active ones, or the one asked for."""
        stmt = select(Resource.id, Resource.name)
        if resource_id is not None:
            stmt = stmt.where(Resource.id == resource_id)
        else:
            stmt = stmt.where(Resource.active.is_(True))
        if label:
            stmt = stmt.where(Resource.id.in_(select(ResourceLabel.resource_id).where(ResourceLabel.name == label)))
        resources = dict(session.execute(stmt).all())
        labels = {}
        for name, rid in session.execute(select(ResourceLabel.name, ResourceLabel.resource_id)
                                         .where(ResourceLabel.resource_id.in_(list(resources)))):
            labels.setdefault(name, []).append(rid)
        return resources, labels

    @staticmethod
    def _holds(session, ids, start, end):
        return session.execute(
            select(Reservation.resource_id, Reservation.user_id, Reservation.requested_at,
                   Reservation.approved_at, Reservation.ended_at)
            .where(Reservation.resource_id.in_(ids), Reservation.approved_at.is_not(None),
                   Reservation.approved_at < end, or_(Reservation.ended_at.is_(None), Reservation.ended_at > start)))

    @staticmethod
    def _requests(session, ids, start, end):
        return session.execute(
            select(Reservation.resource_id, Reservation.requested_at)
            .where(Reservation.resource_id.in_(ids), Reservation.parent_id.is_(None),
                   Reservation.requested_at >= start, Reservation.requested_at < end))

    @staticmethod
    def _maintenance(session, ids, start, end):
        return session.execute(
            select(MaintenancePeriod.resource_id, MaintenancePeriod.started_at, MaintenancePeriod.ended_at)
            .where(MaintenancePeriod.resource_id.in_(ids), MaintenancePeriod.started_at < end,
                   or_(MaintenancePeriod.ended_at.is_(None), MaintenancePeriod.ended_at > start)))


def _hours(begin, finish, zone):
    """[((weekday, hour), seconds)] of a span, cut at the hours of the site's time zone."""
    parts = []
    cursor = begin
    while cursor < finish:
        local = cursor.astimezone(zone)
        next_hour = cursor - timedelta(minutes=local.minute, seconds=local.second,
                                       microseconds=local.microsecond) + HOUR
        stop = min(next_hour, finish)
        parts.append(((local.weekday(), local.hour), (stop - cursor).total_seconds()))
        cursor = stop
    return parts


def _seconds(value):
    """Seconds to the millisecond, as the database stores times to the microsecond."""
    return round(float(value), 3) if value is not None else None
