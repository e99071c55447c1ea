"""Periods of maintenance, recorded whenever a resource goes in or comes out (an administrator,
or its health check), inside the write that makes the change: the utilization reports and the
history read them."""
from sqlalchemy import insert, update

from backend.models import HealthCheck, MaintenancePeriod

PERIODS = MaintenancePeriod.__table__
CHECKS = HealthCheck.__table__


def maintenance_changed(connection, resource_id, maintenance, now, reason=None, by_check=False):
    """Open or close the resource's period of maintenance. A change an administrator makes also
    tells its health check that the maintenance is not the check's to end."""
    if maintenance:
        connection.execute(insert(PERIODS).values(resource_id=resource_id, started_at=now, ended_at=None,
                                                  reason=reason))
    else:
        connection.execute(update(PERIODS).where(PERIODS.c.resource_id == resource_id,
                                                 PERIODS.c.ended_at.is_(None)).values(ended_at=now))
    connection.execute(update(CHECKS).where(CHECKS.c.resource_id == resource_id)
                       .values(caused_maintenance=bool(maintenance and by_check)))
