"""The department's data: accounts written straight into the database (one cheap password hash
for all), then resources, CI tokens and the standing queues made through the API as people would."""
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, select
from werkzeug.security import generate_password_hash

from backend.models import User
from backend.models.names import key_of
from bench.api import ApiClient, in_parallel

# The hash the seeded accounts carry: a login checks it with the method it names, so signing in a
# thousand people costs milliseconds each, whatever RESERVIA_PASSWORD_METHOD the server has.
SEEDED_HASH_METHOD = "pbkdf2:sha256:1000"
CI_LABEL = "ci-pool-{}"


def seed_accounts(database_url, names, password):
    """Insert users `names` (all with `password`); returns their ids in the same order."""
    hashed = generate_password_hash(password, method=SEEDED_HASH_METHOD)
    now = datetime.now(UTC)
    rows = [{"name": name, "name_key": key_of(name), "email": f"{name}@example.org", "password_hash": hashed,
             "role": "user", "active": True, "password_change_required": False, "created_at": now,
             "auth": "local"} for name in names]
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(User.__table__), rows)
            found = dict(connection.execute(select(User.name, User.id).where(User.name.in_(names))).all())
    finally:
        engine.dispose()
    return [found[name] for name in names]


def give_sqlite_files_to(owner, database_path):
    """The server (www-data under Apache) must still write the file and its journal we wrote to."""
    for path in Path(database_path).parent.glob(Path(database_path).name + "*"):
        shutil.chown(path, owner, owner)


class Department:
    """Who and what the scenario acts on, built once per server and engine."""

    def __init__(self, port, tls, admin_password, password):
        self.port, self.tls, self.password = port, tls, password
        self.admin = ApiClient(port, tls=tls)
        self.admin.login("admin", admin_password)
        self.readers, self.ci_jobs, self.people = [], [], []
        self.ci_labels, self.desks = [], []

    def add_resources(self, queued, pools, pool_size, desks):
        """`queued` resources for the standing queues, `pools` labelled pools of `pool_size` for
        the CI jobs and one desk per person acting in the browser; returns the queued ones' ids."""
        def add(name, labels=()):
            return self.admin.call("POST", "/admin/resource/add", {"name": name, "labels": list(labels)})[1][
                "resource_id"]

        queue_ids = [add(f"bench-{n:03d}", ["bench"]) for n in range(1, queued + 1)]
        for pool in range(1, pools + 1):
            label = CI_LABEL.format(pool)
            self.ci_labels.append(label)
            for n in range(1, pool_size + 1):
                add(f"{label}-{n}", [label, "ci"])
        self.desks = [add(f"desk-{n:02d}", ["desk"]) for n in range(1, desks + 1)]
        return queue_ids

    def queue_up(self, names, resource_ids, active):
        """`active` standing requests spread over the resources in turn, each from a different
        account of `names`: one holder per resource, the others waiting behind."""
        if active > len(names):
            raise ValueError("each standing request needs an account of its own")

        def request(n):
            client = ApiClient(self.port, tls=self.tls)
            client.login(names[n], self.password)
            client.call("POST", "/reservation/request", {"resource_id": resource_ids[n % len(resource_ids)]})
            client.close()

        # In rounds, so that each resource's holder is the first of its round.
        rounds = [list(range(start, min(active, start + len(resource_ids))))
                  for start in range(0, active, len(resource_ids))]
        for batch in rounds:
            in_parallel(request, batch)

    def tokens_for(self, names):
        """An API token for each account, as a CI job's RESERVIA_TOKEN."""
        def token(name):
            client = ApiClient(self.port, tls=self.tls)
            client.login(name, self.password)
            made = client.call("POST", "/session/tokens", {"name": "ci"})[1]["token"]
            client.close()
            return made

        return in_parallel(token, names)
