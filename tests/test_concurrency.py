"""Many OS processes fight over a few resources; the stored history must prove the rules held."""
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
from tests.racing_processes import process_context

PROCESSES = 6
OPERATIONS = 40
RESOURCES = 3


def _worker(settings, name, resource_ids, seed, start, results):
    """One process with its own application and connections, acting as one user. It builds the
    application itself (conftest's `make_app` lives in the test's process); its connections end
    with the process."""
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
    settings = _settings_of(app)
    context = process_context()
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



LABEL_SETS = [["a"], ["b"], ["a", "b"]]


def _label_worker(settings, names, seed, start, queued, go, results):
    """One process, one thread per user: requests by labels and by name, releases and cancels.

    Each thread first asks for both resources labelled a and b, one of which the test holds, and
    goes on only once every thread has queued and the test has released it: at least one label
    request is approved by a release, whatever the race that follows. It then gives that request
    back (releases or cancels it) before the race."""
    import threading

    from backend import create_app

    app = create_app(settings)
    statuses = defaultdict(int)
    lock = threading.Lock()

    def act(name, rng):
        client = app.test_client()
        assert client.post("/session/login", json={"name": name, "password": USER_PASSWORD}).status_code == 200
        start.wait(timeout=120)
        first = client.post("/reservation/request", json={"labels": ["a", "b"], "count": 2})
        assert first.status_code == 201 and first.json["status"] == "requested", first.json
        queued.wait(timeout=120)
        go.wait(timeout=120)
        # Then it gives the request back, held or still waiting, and the race begins.
        given_back = client.post("/reservation/release", json={"request_id": first.json["request_id"]})
        if given_back.status_code != 200:
            given_back = client.post("/reservation/cancel", json={"request_id": first.json["request_id"]})
        assert given_back.status_code == 200, given_back.json
        mine = []
        for _ in range(OPERATIONS // 2):
            choice = rng.random()
            if choice < 0.4:
                response = client.post("/reservation/request", json={
                    "labels": rng.choice(LABEL_SETS), "count": rng.choice([1, 1, 2])})
            elif choice < 0.55:
                response = client.post("/reservation/request", json={"resource_id": rng.randint(1, 4)})
            elif mine:
                request_id = mine.pop(rng.randrange(len(mine)))
                response = client.post(f"/reservation/{rng.choice(['release', 'cancel'])}",
                                       json={"request_id": request_id})
            else:
                continue
            if response.status_code == 201:
                mine.append(response.json["request_id"])
            with lock:
                statuses[response.status_code] += 1

    threads = [threading.Thread(target=act, args=(name, random.Random(seed * 10 + i)))
               for i, name in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(dict(statuses))


@pytest.mark.slow
def test_label_requests_from_many_processes_never_share_a_resource_nor_get_part_of_a_set(app, accounts):
    """Two processes of three threads ask for overlapping label sets: no resource is ever held by
    two requests, and no label request is ever approved with fewer resources than it asked for."""
    for name, labels in (("r-a", ["a"]), ("r-ab1", ["a", "b"]), ("r-ab2", ["a", "b"]), ("r-b", ["b"])):
        assert accounts.admin.post("/admin/resource/add", json={"name": name, "labels": labels}).status_code == 201
    names = [f"worker{i}" for i in range(6)]
    for name in names:
        accounts.add_user(name)
    held = accounts.admin.post("/reservation/request", json={"resource_id": 2})
    assert held.json["status"] == "approved"
    settings = _settings_of(app)
    context = process_context()
    results, start, queued, go = context.Queue(), context.Barrier(6), context.Barrier(7), context.Event()
    workers = [context.Process(target=_label_worker, args=(settings, names[i::2], i, start, queued, go, results))
               for i in range(2)]
    for worker in workers:
        worker.start()
    queued.wait(timeout=300)  # every thread's label request waits behind the test's hold
    assert accounts.admin.post("/reservation/release", json={"request_id": held.json["request_id"]}).status_code == 200
    go.set()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    for statuses in outcomes:
        assert set(statuses) <= {200, 201, 404, 409}, statuses
    history = stored_reservations(app)
    sets = [r for r in history if r.resource_id is None]
    assert sum(1 for r in sets if r.approved_at) >= 3, "too few label requests were approved to prove anything"
    assert sum(1 for r in sets if r.approved_at and r.approved_at > r.requested_at) >= 1
    for resource_id in range(1, 5):
        assert_no_overlapping_holds([r for r in history if r.resource_id == resource_id])
    for request in sets:
        members = [r for r in history if r.parent_id == request.id]
        if request.approved_at is not None:
            assert len(members) == request.count, (request, members)
            assert {m.approved_at for m in members} == {request.approved_at}
        else:
            assert not any(m.approved_at for m in members), (request, members)


def _settings_of(app):
    """The test application's settings, for processes of their own on the same database; holds
    without a time limit, so that none ends while the processes race."""
    return settings_for(app.config["RESERVIA_HOME"], RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"],
                        RESERVIA_HOLD_MINUTES=0)
