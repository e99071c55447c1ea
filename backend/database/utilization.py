"""The Utilization part: how much each resource was used, period by period, read from the history
(reservations, maintenance periods, bookings), exact to the second; what the reports show.

A hold counts from its approval to its end (now while it runs), clipped to the report and cut at
the periods' bounds in the site's time zone; so does a maintenance period. `utilization` is the
held share of the period's time (of the part of it already past). Requests count when made
(requests by name, once each); waits (requested -> approved) count in the period of the approval.
Booked time is the bookings' windows (not cancelled ones, future ones too); an administrator's
maintenance window counts as maintenance.
"""
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import timedelta
from statistics import median

from sqlalchemy import Float, cast, func, or_, select

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
        """The Report over [start, end); `details` adds the busy hours and the top users.

        Times are read as seconds since 1970 computed by the database, and each span is cut by
        bisecting the periods' bounds: a year of history of 200 resources is read in about a
        second (docs/performance.md), where datetimes and calendar arithmetic per row took 30.
        """
        self.reservations.settle_overdue()
        session = self.transactions.session
        now = self.transactions.now()
        periods = calendar.periods_between(start, end, zone, group_by)
        bounds = Bounds([p.start.timestamp() for p in periods] + [end.timestamp()])
        first, stop = start.timestamp(), min(end, now).timestamp()
        resources, labels = self._resources(session, resource_id, label)
        ids = list(resources)
        count = len(periods)
        held = {rid: [0.0] * count for rid in ids}
        maintenance = {rid: [0.0] * count for rid in ids}
        requests = {rid: [0] * count for rid in ids}
        waits = {rid: [[] for _ in range(count)] for rid in ids}
        hours = HourBounds(start, min(end, now), zone) if details else None
        busy, by_user = {}, {}
        # Every resource: no filter on them, so that the database reads by time (ix_reservations_ended_at)
        # rather than the whole history of each resource; rows of retired resources are skipped here.
        chosen = ids if resource_id is not None or label else None
        for rid, user_id, requested_at, approved_at, ended_at in self._holds(session, chosen, start, end):
            if rid not in held:
                continue
            begin, finish = max(approved_at, first), min(ended_at if ended_at is not None else stop, stop)
            bounds.spread(held[rid], begin, finish)
            if approved_at >= first:
                waits[rid][bounds.index(approved_at)].append(approved_at - requested_at)
            if hours is not None and finish > begin:
                by_user[user_id] = by_user.get(user_id, 0.0) + finish - begin
                hours.spread(busy, begin, finish)
        for rid, requested_at in self._requests(session, chosen, start, end):
            if rid not in requests:
                continue
            requests[rid][bounds.index(requested_at)] += 1
        windows = self.bookings.maintenance_windows(ids, start, end) if self.bookings else []
        for rid, began, ended in self._maintenance(session, ids, start, end):
            bounds.spread(maintenance[rid], max(began, first), min(ended if ended is not None else stop, stop))
        for rid, began, ended in windows:
            bounds.spread(maintenance[rid], max(began.timestamp(), first), min(ended.timestamp(), stop))
        booked = self.bookings.per_period(ids, start, end, zone, group_by) if self.bookings else {}
        past = [max(0.0, min(bounds.edges[i + 1], stop) - bounds.edges[i]) for i in range(count)]
        rows = []
        for rid, name in sorted(resources.items(), key=lambda item: item[1]):
            for i, period in enumerate(periods):
                waited = waits[rid][i]
                booked_seconds, no_shows = booked.get((rid, period.key), (0.0, 0))
                rows.append(UtilizationRow(
                    resource_id=rid, resource_name=name, period=period.key,
                    held_seconds=_seconds(held[rid][i]), booked_seconds=_seconds(booked_seconds),
                    maintenance_seconds=_seconds(maintenance[rid][i]),
                    utilization=round(min(1.0, held[rid][i] / past[i]), 4) if past[i] else 0.0,
                    requests=requests[rid][i],
                    median_wait_seconds=_seconds(median(waited)) if waited else None,
                    p90_wait_seconds=_seconds(calendar.percentile(waited, 0.9)) if waited else None,
                    no_shows=no_shows))
        waits_by_period = {}
        for per_resource in waits.values():
            for i, values in enumerate(per_resource):
                if values:
                    waits_by_period.setdefault(periods[i].key, []).extend(values)
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
        epoch = _epoch_of(session)
        return session.execute(
            select(Reservation.resource_id, Reservation.user_id, epoch(Reservation.requested_at),
                   epoch(Reservation.approved_at), epoch(Reservation.ended_at))
            .where(_of_resources(ids), Reservation.approved_at.is_not(None),
                   Reservation.approved_at < end, _ended_after(start)))

    @staticmethod
    def _requests(session, ids, start, end):
        # Through the index on ended_at: a request made in the period ended after its start.
        return session.execute(
            select(Reservation.resource_id, _epoch_of(session)(Reservation.requested_at))
            .where(_of_resources(ids), Reservation.parent_id.is_(None), _ended_after(start),
                   Reservation.requested_at >= start, Reservation.requested_at < end))

    @staticmethod
    def _maintenance(session, ids, start, end):
        epoch = _epoch_of(session)
        return session.execute(
            select(MaintenancePeriod.resource_id, epoch(MaintenancePeriod.started_at),
                   epoch(MaintenancePeriod.ended_at))
            .where(MaintenancePeriod.resource_id.in_(ids), MaintenancePeriod.started_at < end,
                   or_(MaintenancePeriod.ended_at.is_(None), MaintenancePeriod.ended_at > start)))


def _of_resources(ids):
    """Rows of these resources (None: of any resource)."""
    return Reservation.resource_id.is_not(None) if ids is None else Reservation.resource_id.in_(ids)


def _ended_after(moment):
    return or_(Reservation.ended_at.is_(None), Reservation.ended_at > moment)


def _epoch_of(session):
    """A function of a UTC datetime column giving its seconds since 1970, as the engine computes them."""
    if session.get_bind().dialect.name == "postgresql":
        return lambda column: cast(func.extract("epoch", column), Float)
    # SQLite keeps naive UTC text; julianday reads it to the millisecond.
    return lambda column: (func.julianday(column) - 2440587.5) * 86400.0


class Bounds:
    """The periods' bounds in seconds since 1970: which period an instant falls in, and a span's
    seconds added to each period it crosses."""

    def __init__(self, edges):
        self.edges = edges
        self.last = len(edges) - 2

    def index(self, moment):
        return min(max(bisect_right(self.edges, moment) - 1, 0), self.last)

    def spread(self, totals, begin, finish):
        if finish is None or begin is None or finish <= begin:
            return
        edges = self.edges
        i = bisect_right(edges, begin) - 1
        while begin < finish and i <= self.last:
            stop = edges[i + 1] if edges[i + 1] < finish else finish
            totals[i] += stop - begin
            begin = stop
            i += 1


class HourBounds:
    """The hours of [start, end) in the site's time zone, each labelled (weekday, hour), for the
    busy-hours heat-map: one label per hour of the report, not per hold."""

    def __init__(self, start, end, zone):
        local = start.astimezone(zone)
        cursor = start - timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
        self.edges, self.labels = [], []
        while cursor < end:
            here = cursor.astimezone(zone)
            self.edges.append(cursor.timestamp())
            self.labels.append((here.weekday(), here.hour))
            cursor += HOUR
        self.edges.append(cursor.timestamp())

    def spread(self, totals, begin, finish):
        edges = self.edges
        i = max(bisect_right(edges, begin) - 1, 0)
        while begin < finish and i < len(self.labels):
            stop = edges[i + 1] if edges[i + 1] < finish else finish
            if stop > begin:
                label = self.labels[i]
                totals[label] = totals.get(label, 0.0) + stop - begin
            begin = max(begin, stop)
            i += 1


def _seconds(value):
    """Seconds to the millisecond, as the database stores times to the microsecond."""
    if not value:
        return None if value is None else 0.0
    return round(value, 3)
