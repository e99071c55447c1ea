"""Bringing the schema up to the newest migration, safely when several server processes start at once."""
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from backend.database.engine import WRITE
from backend.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
# The migration that matches the tables Reservia created before it had migrations.
FIRST_REVISION = "0001"
# Any fixed numbers: PostgreSQL advisory locks that serialise schema changes, and start-up as a
# whole, between processes. SQLite needs neither: its write transaction locks the whole file.
SCHEMA_LOCK_ID = 7_346_201
STARTUP_LOCK_ID = 7_346_202
# Tables the migrations keep outside the models, which no model reads or writes through the ORM:
# PostgreSQL's data version (0018; SQLite has no use for it) and the sign-in version (0019).
NOT_MODELLED = frozenset({"data_version", "sign_in_version"})


def modelled(name, type_, _parent_names):
    """Alembic's include_name: compare the models with every table but those NOT_MODELLED."""
    return not (type_ == "table" and name in NOT_MODELLED)


def alembic_config(connection=None, migrations=MIGRATIONS):
    """Alembic settings for Reservia's migrations, optionally running on a given connection."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["connection"] = connection
    return config


def head_revision(migrations=MIGRATIONS):
    return _heads(str(migrations))


@cache
def _heads(migrations):
    """The newest revision of a migrations folder, read once per process: Alembic loads every
    migration file to find it, which was a third of an application's start."""
    return ScriptDirectory.from_config(alembic_config(migrations=migrations)).get_current_head()


def current_revision(connection):
    return MigrationContext.configure(connection).get_current_revision()


def _at_revision(connection, revision):
    """Whether the database is at `revision` alone: two plain statements, where asking Alembic
    built its version table anew each time and was a fifth of an application's start."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return False
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [revision]


def upgrade_schema(engine, revision="head", migrations=MIGRATIONS):
    """Run every pending migration in one transaction that holds the schema lock."""
    with engine.connect().execution_options(**{WRITE: True}) as connection:
        with _sqlite_foreign_keys_deferred(connection):
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SCHEMA_LOCK_ID})
                if revision == "head" and _at_revision(connection, head_revision(migrations)):
                    return  # every start but the first after an upgrade: nothing to migrate
                _adopt_unversioned(connection)
                command.upgrade(alembic_config(connection, migrations), revision)
                if connection.dialect.name == "sqlite":
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"a migration left rows pointing nowhere: {broken[:5]}")


@contextmanager
def _sqlite_foreign_keys_deferred(connection):
    """SQLite migrations rebuild a table by copying and dropping it, which enforced foreign keys
    forbid while other tables point at it; the check runs once at the end instead."""
    if connection.dialect.name != "sqlite":
        yield
        return
    # On the driver's connection: outside any transaction, where SQLite honours this pragma.
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys = ON")


def _adopt_unversioned(connection):
    """A database made before migrations existed holds the first migration's tables: record that."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables and "users" in tables:
        command.stamp(alembic_config(connection), FIRST_REVISION)


class Schema:
    """The Schema part: what an application does to its database when it starts."""

    @staticmethod
    def upgrade():
        """Create or upgrade the tables through the migrations, so every database ends up identical."""
        upgrade_schema(db.engine)

    @staticmethod
    @contextmanager
    def startup_lock():
        """Let one process at a time prepare a PostgreSQL database (tables, first administrator)."""
        if db.engine.dialect.name != "postgresql":
            yield
            return
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": STARTUP_LOCK_ID})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": STARTUP_LOCK_ID})
                connection.commit()
