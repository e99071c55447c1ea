"""A throwaway PostgreSQL cluster for the test suite: one per run, one database per application home."""
import hashlib
from pathlib import Path

from deploy.postgres_cluster import ThrowawayCluster


class DatabasesUnderTest:
    """Hands each application home its own database, as SQLite gives each home its own file."""

    def __init__(self):
        self.cluster = None
        self._by_home = {}

    @property
    def engine(self):
        return "postgresql" if self.cluster else "sqlite"

    def start_postgresql(self):
        self.cluster = ThrowawayCluster().start()

    def stop(self):
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None

    def url_for_home(self, home, template="template0"):
        """The database URL for an application whose data folder is `home`; empty means SQLite there.
        The first call for a home creates its database as a copy of `template`."""
        if self.cluster is None:
            return ""
        home = Path(home).expanduser().resolve()
        if home not in self._by_home:
            name = "reservia_" + hashlib.sha256(str(home).encode()).hexdigest()[:16]
            self.cluster.create_database(name, template)
            self._by_home[home] = name
        return self.cluster.url(self._by_home[home])

    def drop_under(self, folder):
        """Drop the databases of the homes inside `folder`, which nothing will use again (a finished
        test's tmp_path): the cluster then holds only the databases of tests still running."""
        if self.cluster is None:
            return
        folder = Path(folder).expanduser().resolve()
        for home in [home for home in self._by_home if home.is_relative_to(folder)]:
            self.cluster.drop_database_soon(self._by_home.pop(home))


databases_under_test = DatabasesUnderTest()
