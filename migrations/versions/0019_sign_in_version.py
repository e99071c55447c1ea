"""A sign-in version that moves with every write to users or login sessions, in the same transaction.

Every signed-in request asks who its session belongs to. Kept only until the next commit (as the
read cache keeps everything: backend/database/read_cache.py), that answer was read again by every
session after every commit; with the board changing every second or so, that was one statement
per request for a whole department. Who a session belongs to changes only with a write to `users`
or `login_sessions` (a login, a logout, a password change, an account changed or removed): the
one row of `sign_in_version` counts those writes, so the answers are kept until it moves
(users.py, Users.for_session).

SQLite: a trigger per table and kind of write moves it with each row written. PostgreSQL: the
data version's trigger function (0018), which every table has, moves it too when the table is one
of the two, once per writing transaction and after the data version (so every writer locks the
two rows in the same order). The table is not in the models' metadata.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLE = "sign_in_version"
WATCHED = ("users", "login_sessions")
WRITES = ("INSERT", "UPDATE", "DELETE")

DATA_VERSION_FUNCTION = """
CREATE OR REPLACE FUNCTION data_version_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('reservia.data_version_moved', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('reservia.data_version_moved', 'yes', true);
        UPDATE data_version SET version = version + 1;
        PERFORM pg_notify('data_version', '');
    END IF;
    {sign_in}RETURN NULL;
END
$$
"""
SIGN_IN_MOVES = f"""IF TG_TABLE_NAME IN ({", ".join(f"'{table}'" for table in WATCHED)})
       AND current_setting('reservia.sign_in_version_moved', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('reservia.sign_in_version_moved', 'yes', true);
        UPDATE {TABLE} SET version = version + 1;
    END IF;
    """


def _sqlite_trigger(table, write):
    return f"sign_in_version_{table}_{write.lower()}"


def upgrade():
    op.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)")
    op.execute(f"INSERT INTO {TABLE} (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DATA_VERSION_FUNCTION.format(sign_in=SIGN_IN_MOVES))
        return
    for table in WATCHED:
        for write in WRITES:
            op.execute(f"CREATE TRIGGER {_sqlite_trigger(table, write)} AFTER {write} ON {table} "
                       f"BEGIN UPDATE {TABLE} SET version = version + 1; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DATA_VERSION_FUNCTION.format(sign_in=""))
    else:
        for table in WATCHED:
            for write in WRITES:
                op.execute(f"DROP TRIGGER {_sqlite_trigger(table, write)}")
    op.execute(f"DROP TABLE {TABLE}")
