"""Many processes booking the same slots at once: no overlap is ever stored and nobody gets a 5xx.
And the database itself refuses an overlap, whatever the application does."""
import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.models import Booking
from tests.conftest import USER_PASSWORD
from tests.racing_processes import process_context
from tests.test_concurrency import _settings_of

PROCESSES = 5
TRIES = 12


def _tomorrow(hour):
    day = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day.replace(hour=0) + timedelta(hours=hour)


def _booker(settings, name, resource_ids, seed, start, results):
    from backend import create_app

    app = create_app(settings)
    client = app.test_client()
    assert client.post("/session/login", json={"name": name, "password": USER_PASSWORD}).status_code == 200
    start.wait(timeout=120)
    rng = random.Random(seed)
    statuses = defaultdict(int)
    for _ in range(TRIES):
        begin = rng.randrange(0, 6)
        response = client.post("/reservation/book", json={
            "resource_id": rng.choice(resource_ids), "start": _tomorrow(begin).isoformat(),
            "end": _tomorrow(begin + rng.choice((1, 2))).isoformat()})
        statuses[response.status_code] += 1
    results.put((name, dict(statuses)))


@pytest.mark.slow
def test_processes_booking_the_same_slots_never_store_an_overlap(app, accounts):
    resource_ids = [accounts.add_resource(f"rig-{i}") for i in range(2)]
    names = [f"booker{i}" for i in range(PROCESSES)]
    for name in names:
        accounts.add_user(name)
    context = process_context()
    results, start = context.Queue(), context.Barrier(PROCESSES)
    workers = [context.Process(target=_booker, args=(_settings_of(app), name, resource_ids, seed, start, results))
               for seed, name in enumerate(names)]
    for worker in workers:
        worker.start()
    outcomes = dict(results.get(timeout=300) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    seen = defaultdict(int)
    for statuses in outcomes.values():
        for status, count in statuses.items():
            seen[status] += count
    assert set(seen) <= {201, 409}, seen
    assert seen[409] > 0, "no booking was refused: the processes did not compete"
    with app.app_context():
        rows = list(db.session.scalars(select(Booking).where(Booking.status == "booked")))
    assert len(rows) == seen[201]
    for resource_id in resource_ids:
        mine = sorted((r for r in rows if r.resource_id == resource_id), key=lambda r: r.start_at)
        for earlier, later in zip(mine, mine[1:], strict=False):
            assert earlier.end_at <= later.start_at, (earlier, later)


def test_the_database_refuses_an_overlapping_booking_written_behind_the_applications_back(app, accounts):
    rig = accounts.add_resource("rig")
    user = accounts.add_user("alice")
    now = datetime.now(timezone.utc)
    row = {"user_id": user, "resource_id": rig, "status": "booked", "created_at": now, "updated_at": now,
           "start_at": now + timedelta(hours=1), "end_at": now + timedelta(hours=3)}
    with app.app_context():
        db.session.execute(insert(Booking), [row])
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(insert(Booking), [{**row, "start_at": now + timedelta(hours=2),
                                                  "end_at": now + timedelta(hours=4)}])
        db.session.rollback()
        db.session.execute(insert(Booking), [{**row, "status": "cancelled"}])
        db.session.execute(insert(Booking), [{**row, "start_at": now + timedelta(hours=3),
                                              "end_at": now + timedelta(hours=4)}])
        db.session.commit()
        moved = db.session.scalars(select(Booking).where(Booking.status == "cancelled")).one()
        moved.status = "booked"
        with pytest.raises(IntegrityError):
            db.session.commit()
