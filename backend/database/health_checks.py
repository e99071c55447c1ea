"""The HealthChecks part: each resource's optional health check, what the worker claims and
records, and the maintenance a failing check starts and ends.

A check is claimed by one UPDATE ... WHERE next_check_at <= now AND (claimed_until IS NULL OR
claimed_until < now): of several workers, one wins each check (PostgreSQL re-reads the row's
condition once the first claim commits; SQLite runs one write at a time). After
`failures_before_maintenance` failures in a row the resource goes into maintenance with the
reason `health check failed: <category>`, and its holder and the administrators are told; when the
check answers again the resource comes back, but only if the check had put it there.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from backend.database.maintenance import maintenance_changed
from backend.errors import NotFound
from backend.logs import ADMIN, log
from backend.models import HealthCheck, Reservation, Resource
from backend.models.health import FAILED_REASON, FAILING, OK, UNKNOWN
from backend.models.states import APPROVED

CHECKS = HealthCheck.__table__
# A claim outlasts the check's own timeout by this much: then another worker may take it over.
CLAIM_MARGIN = timedelta(seconds=30)
# The reason of the event that takes a resource out of the maintenance its check had started.
HEALTHY_AGAIN = "health check answered again"


@dataclass(frozen=True)
class DueCheck:
    """A check this worker now owns until `claimed_until`."""

    resource_id: int
    kind: str
    target: str
    timeout_seconds: int
    claimed_until: datetime


@dataclass(frozen=True)
class Health:
    status: str
    last_checked: datetime | None
    last_error: str | None


class HealthChecks:
    def __init__(self, transactions, queue):
        self.transactions = transactions
        self.queue = queue

    def set(self, acting, resource_id, kind, target, interval_seconds, timeout_seconds, failures):
        """Give the resource a check (replacing any), due at once; its health starts unknown."""
        with self.transactions.writing() as session:
            resource = session.get(Resource, resource_id)
            if resource is None or not resource.active:
                raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
            check = session.get(HealthCheck, resource_id) or HealthCheck(resource_id=resource_id,
                                                                         caused_maintenance=False)
            check.kind, check.target = kind, target
            check.interval_seconds, check.timeout_seconds = interval_seconds, timeout_seconds
            check.failures_before_maintenance = failures
            check.status, check.last_error, check.consecutive_failures = UNKNOWN, None, 0
            check.next_check_at, check.claimed_until = self.transactions.now(), None
            session.add(check)
        log.info("%s health check set resource=%s kind=%s target=%r by=%r", ADMIN, resource_id, kind, target,
                 getattr(acting, "name", acting))
        return check

    def remove(self, acting, resource_id):
        """Remove the resource's check; a maintenance it started stays until an administrator ends it."""
        with self.transactions.writing() as session:
            check = session.get(HealthCheck, resource_id)
            if check is None:
                raise NotFound(f"Resource {resource_id} has no health check.", "HEALTH_CHECK_NOT_FOUND")
            session.delete(check)
        log.info("%s health check removed resource=%s by=%r", ADMIN, resource_id, getattr(acting, "name", acting))

    def of_resources(self):
        """Every check, by resource id (for /info/resources and the dashboard)."""
        return {c.resource_id: c for c in self.transactions.session.scalars(select(HealthCheck))}

    def health_by_resource(self):
        """{resource id: Health} of every checked resource, for the dashboard's cards: kept by the
        read cache until the next commit, so that a refreshing dashboard reads it once."""
        return self.transactions.cached(("health",), lambda: ({
            rid: Health(status, checked, error) for rid, status, checked, error in self.transactions.session.execute(
                select(CHECKS.c.resource_id, CHECKS.c.status, CHECKS.c.last_checked_at, CHECKS.c.last_error))}, None))

    def claim_due(self, limit=20):
        """Claim up to `limit` checks that are due and nobody else is running."""
        now = self.transactions.now()
        due = (CHECKS.c.next_check_at <= now) & (CHECKS.c.claimed_until.is_(None) | (CHECKS.c.claimed_until < now))
        session = self.transactions.session
        if session.execute(select(CHECKS.c.resource_id).where(due).limit(1)).first() is None:
            return []
        claimed = []
        with self.transactions.writing() as session:
            now = self.transactions.now()
            due = (CHECKS.c.next_check_at <= now) & (CHECKS.c.claimed_until.is_(None) | (CHECKS.c.claimed_until < now))
            candidates = session.execute(select(CHECKS.c.resource_id, CHECKS.c.kind, CHECKS.c.target,
                                                CHECKS.c.timeout_seconds).where(due)
                                         .order_by(CHECKS.c.next_check_at).limit(limit)).all()
            for rid, kind, target, timeout in candidates:
                until = now + timedelta(seconds=timeout) + CLAIM_MARGIN
                won = session.execute(update(CHECKS).where(CHECKS.c.resource_id == rid, due)
                                      .values(claimed_until=until)).rowcount
                if won:
                    claimed.append(DueCheck(rid, kind, target, timeout, until))
        return claimed

    def record(self, claim, ok, category=None):
        """Store how a claimed check went and act on it: 'ok', 'recovered' (out of the maintenance
        the check had started), 'failing', 'maintenance' (just put in), or 'lost' (the claim had
        run out and another worker took the check)."""
        with self.transactions.writing() as session:
            connection = session.connection()
            now = self.transactions.now()
            check = session.get(HealthCheck, claim.resource_id)
            if check is None or check.claimed_until != claim.claimed_until:
                return "lost"
            self.queue.lock(connection, claim.resource_id, include_inactive=True)
            resource = session.get(Resource, claim.resource_id)
            check.last_checked_at, check.claimed_until = now, None
            check.next_check_at = now + timedelta(seconds=check.interval_seconds)
            outcome = OK if ok else FAILING
            if ok:
                check.status, check.last_error, check.consecutive_failures = OK, None, 0
                if check.caused_maintenance and resource.maintenance:
                    self._switch(session, connection, resource, False, None, now)
                    outcome = "recovered"
                check.caused_maintenance = False
            else:
                check.status, check.last_error = FAILING, (category or "error")[:500]
                check.consecutive_failures += 1
                if check.consecutive_failures >= check.failures_before_maintenance and not resource.maintenance:
                    self._switch(session, connection, resource, True,
                                 FAILED_REASON.format(category=category or "error"), now)
                    check.caused_maintenance = True
                    outcome = "maintenance"
        return outcome

    def _switch(self, session, connection, resource, maintenance, reason, now):
        """Put the resource in or out of maintenance for its check, tell people, move the queue."""
        resource.maintenance, resource.maintenance_reason = maintenance, reason
        session.flush()
        maintenance_changed(connection, resource.id, maintenance, now, reason, by_check=True)
        holder = session.scalar(select(Reservation.user_id).where(
            Reservation.resource_id == resource.id, Reservation.state == APPROVED))
        if self.queue.outbox is not None:
            self.queue.outbox.resource_changed(connection, resource, holder, maintenance,
                                               reason=reason or HEALTHY_AGAIN, holder_id=holder)
        log.warning("%s resource %s %s maintenance by its health check%s", ADMIN, resource.name,
                    "put in" if maintenance else "taken out of", f": {reason}" if reason else "")
        if not maintenance:
            self.queue.pool(connection, resource)
