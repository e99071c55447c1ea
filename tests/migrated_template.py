"""A database brought to the newest migration once per run, copied for each `app` fixture.

Copying it takes a few milliseconds; running the migrations on an empty database again took some
15 ms on SQLite and 30 ms on PostgreSQL, for each of some 270 tests a run. The application's
start-up still checks the copy's schema and finds it at the newest revision. Tests that want an
empty database (those of the migrations, of the first start) make their own.
"""
import shutil
from pathlib import Path

from sqlalchemy import create_engine

from backend.database.schema import upgrade_schema

SQLITE_FILE = "reservia.sqlite3"
POSTGRESQL_NAME = "reservia_migrated"


class MigratedTemplate:
    """The migrated database of this run: a SQLite file in `folder`, or a PostgreSQL database.

    `prepare(engine)`, if given, runs on the empty database before it is brought to the newest
    migration: a module whose tests all start from the same older database (an upgrade) builds
    and upgrades it once, under a PostgreSQL `name` of its own, and copies it per test."""

    def __init__(self, folder, databases, name=POSTGRESQL_NAME, prepare=None):
        self.databases = databases
        self.name = name
        if databases.cluster is None:
            self.sqlite_file = Path(folder) / SQLITE_FILE
            self.url = None
            engine = create_engine(f"sqlite:///{self.sqlite_file}")
        else:
            self.sqlite_file = None
            self.url = databases.cluster.create_database(name)
            engine = create_engine(self.url)
        try:
            if prepare is not None:
                prepare(engine)
            upgrade_schema(engine)
        finally:
            # A PostgreSQL template must have no connections while it is copied.
            engine.dispose()

    def copy_to(self, home):
        """Give the application home `home` a database of its own, copied from this one."""
        if self.sqlite_file is None:
            self.databases.url_for_home(home, template=self.name)
        else:
            Path(home).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.sqlite_file, Path(home) / SQLITE_FILE)
