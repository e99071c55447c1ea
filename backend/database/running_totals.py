"""Running totals: counts that only grow, kept in the database so that every process and host
reports the same figure to Prometheus (failed logins: their counters are deleted once expired)."""
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from backend.models import RunningTotal

TOTALS = RunningTotal.__table__
LOGIN_FAILURES = "login_failures"


def add_to_total(connection, name, amount=1):
    """Add `amount` to the total `name`, inside the caller's write."""
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(TOTALS).values(name=name, value=amount)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[TOTALS.c.name], set_={"value": TOTALS.c.value + amount}))


def read_totals(session):
    """Every total, by name."""
    return dict(session.execute(select(TOTALS.c.name, TOTALS.c.value)).all())
