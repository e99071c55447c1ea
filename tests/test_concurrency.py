"""Many OS processes fight over a few resources; the stored history must prove the rules held."""
import multiprocessing
import random
from collections import defaultdict

import pytest

from tests.conftest import (
    USER_PASSWORD,
    assert_no_overlapping_holds,
    assert_served_in_request_order,
    settings_for,
    stored_reservations,
)

PROCESSES = 6
OPERATIONS = 40
RESOURCES = 3


def _worker(settings, name, resource_ids, seed, start, results):
    """One process with its own application and connections, acting as one user."""
    from backend import create_app

    app = create_app(settings)
    client = app.test_client()
    assert client.post("/session/login", json={"name": name, "password": USER_PASSWORD}).status_code == 200
    start.wait(timeout=120)  # all processes begin together, however long each took to start
    rng = random.Random(seed)
    statuses = defaultdict(int)
    for _ in range(OPERATIONS):
        action = rng.choice(["request", "request", "release", "cancel"])
        response = client.post(f"/reservation/{action}", json={"resource_id": rng.choice(resource_ids)})
        statuses[response.status_code] += 1
    results.put((name, dict(statuses)))


APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 0}


@pytest.mark.slow
def test_processes_never_share_a_resource_and_queues_are_served_in_order(app, accounts, tmp_path):
    resource_ids = [accounts.add_resource(f"bench-{i}") for i in range(RESOURCES)]
    names = [f"worker{i}" for i in range(PROCESSES)]
    for name in names:
        accounts.add_user(name)
    settings = settings_for(app.config["RESERVIA_HOME"],
                             RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"],
                             RESERVIA_HOLD_MINUTES=0)
    context = multiprocessing.get_context("spawn")
    results, start = context.Queue(), context.Barrier(PROCESSES)
    workers = [context.Process(target=_worker, args=(settings, name, resource_ids, seed, start, results))
               for seed, name in enumerate(names)]
    for worker in workers:
        worker.start()
    outcomes = dict(results.get(timeout=300) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    for name, statuses in outcomes.items():
        assert set(statuses) <= {200, 201, 404, 409}, (name, statuses)
    history = stored_reservations(app)
    assert len(history) > PROCESSES, "the workers made too few reservations to prove anything"
    waited = [r for r in history if r.approved_at and r.approved_at > r.requested_at]
    assert waited, "nobody ever waited in a queue: the test did not exercise contention"
    for resource_id in resource_ids:
        rows = [r for r in history if r.resource_id == resource_id]
        assert_no_overlapping_holds(rows)
        assert_served_in_request_order(rows)

