"""Many OS processes queue for one bench at once, some of a higher priority class: whatever the
races, the bench goes to the higher class first and, within a class, first come first served."""
import time

import pytest

from tests.conftest import USER_PASSWORD, assert_no_overlapping_holds, settings_for, stored_reservations
from tests.racing_processes import process_context
from tests.test_groups import add_group, add_rule

PROCESSES = 6
# A wait answers at the latest after this many seconds; a worker asks again until its turn comes.
WAIT_SECONDS = 5
ROUNDS = 60


def _worker(settings, name, resource_id, start, queued, results):
    """One process, one user: ask for the bench together with the others, wait for it, give it back."""
    from backend import create_app

    app = create_app(settings)
    client = app.test_client()
    assert client.post("/session/login", json={"name": name, "password": USER_PASSWORD}).status_code == 200
    start.wait(timeout=120)
    answer = client.post("/reservation/request", json={"resource_id": resource_id})
    request_id = answer.json["request_id"]
    queued.put(name)
    for _ in range(ROUNDS):
        waited = client.get(f"/reservation/wait?request_id={request_id}&timeout={WAIT_SECONDS}")
        status = waited.json
        if status["status"] != "requested":
            break
        time.sleep(float(waited.headers.get("Retry-After", 0)))  # as the CI client does
    released = client.post("/reservation/release", json={"request_id": request_id}).status_code
    results.put((name, answer.status_code, status["status"], released))


def assert_served_by_class(rows):
    """Whenever someone was approved, nobody of a higher class, or of theirs who asked earlier,
    was still waiting."""
    for approved in (r for r in rows if r.approved_at):
        moment = approved.approved_at
        for other in rows:
            ahead = (-other.priority, other.id) < (-approved.priority, approved.id)
            still_waiting = (other.requested_at <= moment
                             and (other.approved_at is None or other.approved_at > moment)
                             and (other.ended_at is None or other.ended_at > moment))
            assert not (ahead and still_waiting), (approved, other)


@pytest.mark.slow
def test_processes_are_served_by_priority_class_then_in_order(app, accounts):
    bench = accounts.add_resource("bench-1")
    names = [f"worker{i}" for i in range(PROCESSES)]
    ids = {name: accounts.add_user(name) for name in names}
    release_team = add_group(accounts.admin, "release", *(ids[n] for n in names[::2]))
    add_rule(accounts.admin, group_id=release_team, priority=90)
    holder = accounts.user("holder")
    assert holder.post("/reservation/request", json={"resource_id": bench}).json["status"] == "approved"
    # The test client says it serves one request at a time, for which no wait is held by default;
    # each process's one waiter is held here, so that its rounds last until its turn (of 2 slots,
    # one is free for a waiter further back than next in line).
    settings = settings_for(app.config["RESERVIA_HOME"], RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"],
                            RESERVIA_HOLD_MINUTES=0, RESERVIA_WAIT_THREADS=2)
    context = process_context()
    results, queued, start = context.Queue(), context.Queue(), context.Barrier(PROCESSES)
    workers = [context.Process(target=_worker, args=(settings, name, bench, start, queued, results))
               for name in names]
    for worker in workers:
        worker.start()
    # Everyone is in line before the bench falls free: then the order decides alone.
    assert sorted(queued.get(timeout=300) for _ in workers) == sorted(names)
    queue = holder.get(f"/reservation/active?resource_id={bench}").json["reservations"]
    positions = {r["user_name"]: r["position"] for r in queue}
    assert sorted(positions[n] for n in names[::2]) == [1, 2, 3]  # the release team is first in line
    assert holder.post("/reservation/release", json={"resource_id": bench}).status_code == 200
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert all(o[1:] == (201, "approved", 200) for o in outcomes), outcomes
    rows = [r for r in stored_reservations(app) if r.resource_id == bench]
    assert_no_overlapping_holds(rows)
    assert_served_by_class(rows)
    order = [r.user_id for r in sorted(rows[1:], key=lambda r: r.approved_at)]
    assert set(order[:3]) == {ids[n] for n in names[::2]}
