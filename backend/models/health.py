"""Health checks of resources, the periods resources spent in maintenance, and running totals
that history alone cannot give (failed logins: their counters are forgotten once they expire)."""
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime

TCP = "tcp"
HTTP = "http"
KINDS = (TCP, HTTP)
OK = "ok"
FAILING = "failing"
UNKNOWN = "unknown"
# The reason a failing check gives when it puts its resource in maintenance.
FAILED_REASON = "health check failed: {category}"


class HealthCheck(db.Model):
    """At most one check per resource: what to try, how often, and how the last tries went.

    The worker that runs a due check first claims it (`claimed_until`), so that several workers
    never try one check at once; `caused_maintenance` says whether the check itself put the
    resource in maintenance, the only case in which it takes the resource back out.
    """

    __tablename__ = "health_checks"
    __table_args__ = (
        CheckConstraint("kind IN ('tcp', 'http')", name="ck_health_checks_kind"),
        CheckConstraint("status IN ('ok', 'failing', 'unknown')", name="ck_health_checks_status"),
        CheckConstraint("interval_seconds > 0 AND timeout_seconds > 0 AND failures_before_maintenance > 0",
                        name="ck_health_checks_numbers"),
        Index("ix_health_checks_next_check_at", "next_check_at"),
    )

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    # host:port for tcp, a URL for http.
    target: Mapped[str] = mapped_column(String(2000))
    interval_seconds: Mapped[int] = mapped_column(Integer)
    timeout_seconds: Mapped[int] = mapped_column(Integer)
    failures_before_maintenance: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=UNKNOWN)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    caused_maintenance: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self):
        return f"<HealthCheck resource={self.resource_id} {self.kind} {self.target!r} {self.status}>"


class MaintenancePeriod(db.Model):
    """One stretch of maintenance of one resource; `ended_at` None while it lasts."""

    __tablename__ = "maintenance_periods"
    __table_args__ = (
        Index("ix_maintenance_periods_resource", "resource_id", "started_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self):
        return f"<MaintenancePeriod {self.resource_id} {self.started_at} - {self.ended_at}>"


class RunningTotal(db.Model):
    """A count that only grows (`login_failures`), for the metrics' counters."""

    __tablename__ = "running_totals"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
