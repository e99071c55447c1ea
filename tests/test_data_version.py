"""PostgreSQL's data version (migrations/versions/0018_data_version.py): it moves in the same
transaction as any write, so a reader sees data and version move together, and each writing
transaction notifies at its commit. SQLite counts commits itself and has no such table."""
import psycopg
import pytest
from sqlalchemy import inspect

from backend.database.change_watchers import CHANNEL
from backend.database.schema import NOT_MODELLED
from backend.extensions import db

READ_BOTH = "SELECT (SELECT version FROM data_version), (SELECT name FROM resources WHERE id = %s)"


@pytest.fixture
def connect(app, _database_engine):
    """Opens plain connections to the application's PostgreSQL database; all closed afterwards."""
    if _database_engine != "postgresql":
        pytest.skip("PostgreSQL's own data version; SQLite counts commits itself")
    url = app.config["RESERVIA_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    opened = []

    def connect(**options):
        opened.append(psycopg.connect(url, **options))
        return opened[-1]

    yield connect
    for connection in opened:
        connection.close()


def test_a_reader_sees_data_and_version_move_together(accounts, connect):
    bench = accounts.add_resource("bench-1")
    writer, reader = connect(), connect(autocommit=True)
    before = reader.execute(READ_BOTH, (bench,)).fetchone()
    writer.execute("UPDATE resources SET name = 'bench-one' WHERE id = %s", (bench,))
    writer.execute("UPDATE resources SET comment = 'renamed' WHERE id = %s", (bench,))
    assert reader.execute(READ_BOTH, (bench,)).fetchone() == before  # nothing committed yet
    writer.commit()
    version, name = reader.execute(READ_BOTH, (bench,)).fetchone()
    assert (version, name) == (before[0] + 1, "bench-one")  # one move per transaction


def test_a_transaction_that_writes_nothing_leaves_the_version(accounts, connect):
    accounts.add_resource("bench-1")
    reader = connect(autocommit=True)
    before = reader.execute("SELECT version FROM data_version").fetchone()
    writer = connect()
    writer.execute("UPDATE resources SET name = 'x' WHERE id = -1")
    writer.commit()
    assert reader.execute("SELECT version FROM data_version").fetchone() == before


def test_a_write_notifies_listeners_at_its_commit(accounts, connect):
    bench = accounts.add_resource("bench-1")
    listener = connect(autocommit=True)
    listener.execute(f"LISTEN {CHANNEL}")
    writer = connect()
    writer.execute("UPDATE resources SET name = 'bench-one' WHERE id = %s", (bench,))
    assert list(listener.notifies(timeout=0)) == []  # not before the commit
    writer.commit()
    [told] = listener.notifies(timeout=20, stop_after=1)
    assert told.channel == CHANNEL


def test_every_table_moves_the_version(app, connect):
    """A table added by a later migration needs the trigger too (0018's add_trigger)."""
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names()) - NOT_MODELLED - {"alembic_version"}
    watched = {row[0] for row in connect().execute(
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'data_version_moves'")}
    assert tables and watched == tables
