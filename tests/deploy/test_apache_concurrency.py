"""Many clients at once through Apache: two mod_wsgi processes, one queue, never two holders."""
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, select

from backend.models import Reservation
from deploy.apache_site import ADMIN_PASSWORD

pytestmark = [pytest.mark.deploy, pytest.mark.slow]

CLIENTS = 8
ROUNDS = 4
RESOURCES = 2


def _login(site, name, password):
    client = site.session()
    response = client.post(site.url("/session/login"), json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return client


def _take_turns(site, name, resource_ids, offset):
    """Request each resource in turn, wait in its queue until approved (GET /reservation/wait), then release it."""
    client = _login(site, name, f"{name[::-1]}-password-1")
    for round_number in range(ROUNDS):
        resource_id = resource_ids[(offset + round_number) % len(resource_ids)]
        asked = client.post(site.url("/reservation/request"), json={"resource_id": resource_id})
        assert asked.status_code == 201, asked.text
        status = asked.json()["status"]
        while status != "approved":
            # Held open by the server until the turn comes (or answered at once with Retry-After
            # when no thread is free: asked again that much later, as the CI client does).
            waited = client.get(site.url(f"/reservation/wait?request_id={asked.json()['request_id']}&timeout=30"))
            assert waited.status_code == 200, waited.text
            status = waited.json()["status"]
            assert status != "ended", waited.text
            if status != "approved" and "Retry-After" in waited.headers:
                time.sleep(int(waited.headers["Retry-After"]))
        released = client.post(site.url("/reservation/release"), json={"resource_id": resource_id})
        assert released.status_code == 200, released.text


def _stored_reservations(site):
    url = site.database_url or f"sqlite:///{site.data / 'reservia.sqlite3'}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(Reservation.__table__)))
    finally:
        engine.dispose()


def test_concurrent_clients_across_processes_never_hold_the_same_resource(apache):
    admin = _login(apache, "admin", ADMIN_PASSWORD)
    resource_ids = []
    for number in range(RESOURCES):
        created = admin.post(apache.url("/admin/resource/add"), json={"name": f"shared-{number}"})
        assert created.status_code == 201, created.text
        resource_ids.append(created.json()["resource_id"])
    names = [f"racer{number}" for number in range(CLIENTS)]
    for name in names:
        added = admin.post(apache.url("/admin/user/add"), json={
            "name": name, "email": f"{name}@example.org", "password": f"{name[::-1]}-password-1"})
        assert added.status_code == 201, added.text
    log_start = apache.reservia_log.stat().st_size

    with ThreadPoolExecutor(CLIENTS) as pool:
        for outcome in [pool.submit(_take_turns, apache, name, resource_ids, offset)
                        for offset, name in enumerate(names)]:
            outcome.result()

    log_lines = apache.reservia_log.read_text()[log_start:].splitlines()
    serving = {match.group(1) for line in log_lines if "[access]" in line
               for match in [re.search(r"pid=(\d+)", line)] if match}
    assert len(serving) >= 2, "every request went to one process: the test proves nothing"

    rows = [r for r in _stored_reservations(apache) if r.resource_id in resource_ids]
    assert len(rows) == CLIENTS * ROUNDS
    assert {r.state for r in rows} == {"released"}
    assert any(r.approved_at > r.requested_at for r in rows), "nobody ever waited in a queue"
    for resource_id in resource_ids:
        holds = sorted((r for r in rows if r.resource_id == resource_id), key=lambda r: r.approved_at)
        for earlier, later in zip(holds, holds[1:], strict=False):
            assert earlier.ended_at <= later.approved_at, (earlier, later)
