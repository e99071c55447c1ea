"""PostgreSQL: a data version that every write moves in its own transaction, and a notification
at its commit. SQLite counts commits itself (PRAGMA data_version) and is left as it is.

The version is the one row of `data_version`. A trigger on every table Reservia writes moves it
and calls pg_notify('data_version') once per writing transaction, inside that transaction: the
new number becomes visible exactly when the data does, and the notification is delivered at the
commit. Each process reads the number at the start of a request to know whether what it keeps
in memory is still the answer (backend/database/read_cache.py), and LISTENs for the notification
to wake whoever waits for a change (backend/database/changes.py).

The triggers are deferred constraint triggers, fired at the commit rather than with each
statement: the version's row is then the last lock a writing transaction takes, so it can never
close a cycle of lock waits with the resources, users or advisory locks taken before it (moved
by the first statement, it would be held through the whole transaction, and a writer waiting for
it could hold what its holder needs next). Constraint triggers fire for each row; all but the
first of a transaction return at once, on a transaction-local setting.

A table added later needs the same trigger (`add_trigger` below); a test checks that every table
has it. The table is not in the models' metadata: it exists on PostgreSQL only.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLE = "data_version"
TRIGGER = "data_version_moves"
FUNCTION = "data_version_move"
NOT_WATCHED = {TABLE, "alembic_version"}

CREATE_FUNCTION = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('reservia.data_version_moved', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('reservia.data_version_moved', 'yes', true);
        UPDATE {TABLE} SET version = version + 1;
        PERFORM pg_notify('{TABLE}', '');
    END IF;
    RETURN NULL;
END
$$
"""


def add_trigger(table):
    """The version moves at the commit of any transaction that wrote to `table`."""
    op.execute(f'CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
               f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)")
    op.execute(f"INSERT INTO {TABLE} (id, version) VALUES (1, 0)")
    op.execute(CREATE_FUNCTION)
    for table in sorted(set(sa.inspect(bind).get_table_names()) - NOT_WATCHED):
        add_trigger(table)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in sorted(set(sa.inspect(bind).get_table_names()) - NOT_WATCHED):
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    op.execute(f"DROP FUNCTION {FUNCTION}()")
    op.execute(f"DROP TABLE {TABLE}")
