"""The Metrics part: what /metrics reports, read from the database at scrape time in a few
statements, so that every process and host reports the same truth (no per-process counters).

Counters are counted from the history: requests (by name or by labels, once each), approvals,
expiries, bookings by outcome; deliveries failed are those still kept (RESERVIA_NOTIFICATION_DAYS),
so that total may fall when old ones are forgotten, which Prometheus reads as a counter reset.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from backend.database.running_totals import LOGIN_FAILURES, read_totals
from backend.models import Delivery, Reservation, Resource, ResourceLabel
from backend.models.notifications import FAILED, PENDING
from backend.models.states import APPROVED, EXPIRED, REQUESTED


@dataclass(frozen=True)
class ResourceGauges:
    resource_id: int
    name: str
    held: bool
    queue_length: int
    maintenance: bool
    oldest_wait_seconds: float


@dataclass(frozen=True)
class LabelGauges:
    label: str
    resources: int
    held: int


@dataclass(frozen=True)
class Snapshot:
    """Everything one scrape reports, as plain values."""

    resources: list
    labels: list
    requests: int
    approvals: int
    expiries: int
    bookings: dict
    deliveries_pending: int
    deliveries_failed: int
    login_failures: int
    taken_at: datetime


class Metrics:
    def __init__(self, transactions, reservations, bookings=None):
        self.transactions = transactions
        self.reservations = reservations
        # Reads bookings by outcome when Reservia has bookings: {outcome: count}.
        self.bookings = bookings

    def snapshot(self):
        """The figures now; holds and requests past their deadline are ended first (a write only
        when there are some), so that a scrape never reports a hold that has run out."""
        self.reservations.settle_overdue()
        session = self.transactions.session
        now = self.transactions.now()
        holders = set(session.scalars(select(Reservation.resource_id).where(
            Reservation.state == APPROVED, Reservation.resource_id.is_not(None))))
        queues = {rid: (count, oldest) for rid, count, oldest in session.execute(
            select(Reservation.resource_id, func.count(), func.min(Reservation.requested_at))
            .where(Reservation.state == REQUESTED, Reservation.resource_id.is_not(None))
            .group_by(Reservation.resource_id))}
        windows = self.bookings.in_maintenance_window() if self.bookings is not None else set()
        resources = []
        for rid, name, maintenance in session.execute(
                select(Resource.id, Resource.name, Resource.maintenance)
                .where(Resource.active.is_(True)).order_by(Resource.name)):
            count, oldest = queues.get(rid, (0, None))
            resources.append(ResourceGauges(rid, name, rid in holders, count, bool(maintenance) or rid in windows,
                                            max(0.0, (now - oldest).total_seconds()) if oldest else 0.0))
        labels = [LabelGauges(label, carried, sum(1 for rid in ids if rid in holders))
                  for label, carried, ids in self._labels(session)]
        requests, approvals, expiries = session.execute(
            select(func.count(), func.count(Reservation.approved_at),
                   func.coalesce(func.sum(case((Reservation.state == EXPIRED, 1), else_=0)), 0))
            .where(Reservation.parent_id.is_(None))).one()
        deliveries = dict(session.execute(
            select(Delivery.status, func.count()).where(Delivery.status.in_((PENDING, FAILED)))
            .group_by(Delivery.status)).all())
        return Snapshot(
            resources=resources, labels=labels, requests=requests, approvals=approvals, expiries=int(expiries),
            bookings=self.bookings.outcomes() if self.bookings is not None else {},
            deliveries_pending=deliveries.get(PENDING, 0), deliveries_failed=deliveries.get(FAILED, 0),
            login_failures=read_totals(session).get(LOGIN_FAILURES, 0), taken_at=now)

    @staticmethod
    def _labels(session):
        """(label, active resources carrying it, their ids), by label."""
        found = {}
        for label, rid in session.execute(
                select(ResourceLabel.name, ResourceLabel.resource_id)
                .join(Resource, Resource.id == ResourceLabel.resource_id).where(Resource.active.is_(True))):
            found.setdefault(label, []).append(rid)
        return [(label, len(ids), ids) for label, ids in sorted(found.items())]
