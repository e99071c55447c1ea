"""Many OS processes record audit entries at once: the chain neither forks nor has gaps."""

import pytest
from sqlalchemy import text as sql

from backend.extensions import db
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, settings_for
from tests.racing_processes import process_context

PROCESSES = 4
OPERATIONS = 10


def _worker(settings, name, resource_id, start, results):
    """One process with its own application: an administrator changing a resource and a user
    making and revoking tokens, each change an audit entry."""
    from backend import create_app

    app = create_app(settings)
    admin, user = app.test_client(), app.test_client()
    assert admin.post("/session/login", json={"name": "admin", "password": ADMIN_PASSWORD}).status_code == 200
    assert user.post("/session/login", json={"name": name, "password": USER_PASSWORD}).status_code == 200
    start.wait(timeout=120)
    statuses = []
    for n in range(OPERATIONS):
        statuses.append(admin.post("/admin/resource/modify", json={"resource_id": resource_id,
                                                                   "comment": f"{name} {n}"}).status_code)
        made = user.post("/session/tokens", json={"name": f"ci-{n}"})
        statuses.append(made.status_code)
        if made.status_code == 201:
            statuses.append(user.post("/session/tokens/revoke", json={"token_id": made.json["token_id"]}).status_code)
    results.put(statuses)


@pytest.mark.slow
def test_processes_recording_at_once_leave_one_whole_chain(app, accounts):
    resource_ids = [accounts.add_resource(f"bench-{i}") for i in range(PROCESSES)]
    names = [f"worker{i}" for i in range(PROCESSES)]
    for name in names:
        accounts.add_user(name)
    with app.app_context():
        before = db.session.scalar(sql("SELECT count(*) FROM audit_entries"))
    settings = settings_for(app.config["RESERVIA_HOME"], RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"])
    context = process_context()
    results, start = context.Queue(), context.Barrier(PROCESSES)
    workers = [context.Process(target=_worker, args=(settings, name, resource_id, start, results))
               for name, resource_id in zip(names, resource_ids, strict=True)]
    for worker in workers:
        worker.start()
    statuses = [status for _ in workers for status in results.get(timeout=300)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    # Every change was made, none refused for a chain head another process took meanwhile.
    assert set(statuses) <= {200, 201}, statuses
    recorded = 2 * PROCESSES + len(statuses)  # with each process's two sign-ins

    with app.app_context():
        rows = db.session.execute(sql("SELECT id, previous_hash FROM audit_entries ORDER BY id")).all()
    assert len(rows) == before + recorded
    assert [row.id for row in rows] == list(range(1, len(rows) + 1))
    assert len({row.previous_hash for row in rows}) == len(rows)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(rows)} entries checked" in result.output
