"""The audit log is tamper-evident: `flask --app app audit verify` walks its hash chain, names the
first entry changed behind Reservia's back, and still passes after pruning behind a signed
checkpoint; the command line's own changes are recorded as the operating system's user."""
import pytest
from sqlalchemy import text as sql

from backend.database import get_database
from backend.extensions import db
from backend.notifications.worker import DeliveryWorker
from tests.conftest import ADMIN_PASSWORD


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def execute(app, statement, **parameters):
    with app.app_context():
        db.session.execute(sql(statement), parameters)
        db.session.commit()


def entry_ids(app):
    with app.app_context():
        return list(db.session.scalars(sql("SELECT id FROM audit_entries ORDER BY id")))


def test_verify_counts_a_whole_chain(app, accounts):
    accounts.add_resource("bench-1")
    accounts.add_user("alice")
    result = verify(app)
    assert result.exit_code == 0, result.output
    # The administrator's sign-in, the resource, the user.
    assert "3 entries checked" in result.output


@pytest.mark.parametrize("tampering", [
    "UPDATE audit_entries SET reason = 'nothing to see' WHERE id = 2",
    "UPDATE audit_entries SET actor_name = 'alice' WHERE id = 2",
    "DELETE FROM audit_entries WHERE id = 2",
])
def test_verify_names_the_first_entry_changed_in_the_database(app, accounts, tampering):
    for n in range(4):
        accounts.add_resource(f"bench-{n}")
    execute(app, tampering)
    result = verify(app)
    assert result.exit_code == 1
    broken = 3 if tampering.startswith("DELETE") else 2
    assert f"first broken entry: id {broken}" in result.output


def test_pruning_keeps_the_chain_verifiable_and_a_forged_checkpoint_is_caught(app, accounts, clock):
    accounts.add_resource("old-bench")
    clock.advance(days=401)
    admin = accounts.login("admin", ADMIN_PASSWORD)  # the old session has aged out
    assert admin.post("/admin/resource/add", json={"name": "new-bench"}).status_code == 201
    with app.app_context():
        DeliveryWorker(app)._prune(get_database())  # the worker's hourly prune
    assert entry_ids(app) == [3, 4]  # the old sign-in and resource are gone
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "2 entries checked" in result.output
    assert admin.post("/admin/resource/add", json={"name": "bench-3"}).status_code == 201
    assert entry_ids(app) == [3, 4, 5] and verify(app).exit_code == 0  # the chain goes on
    # Removing entries and writing a checkpoint for them needs the secret key.
    execute(app, "DELETE FROM audit_entries WHERE id = 3")
    execute(app, "UPDATE audit_checkpoints SET entry_id = 3, "
                 "entry_hash = (SELECT previous_hash FROM audit_entries WHERE id = 4)")
    result = verify(app)
    assert result.exit_code == 1
    assert "checkpoint after entry 3 is not signed with this site's key" in result.output


def test_pruning_everything_then_recording_again(app, accounts, clock):
    accounts.add_resource("bench-1")
    clock.advance(days=401)
    with app.app_context():
        assert get_database().audit_log.prune(app.secret_key) == 2
    assert entry_ids(app) == []
    assert verify(app).exit_code == 0
    accounts.login("admin", ADMIN_PASSWORD)
    assert entry_ids(app) == [3]
    assert verify(app).exit_code == 0


def test_command_line_changes_are_recorded_as_the_operating_system_user(app, accounts, monkeypatch):
    monkeypatch.setenv("LOGNAME", "ops-jane")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-user", "bob", "--email", "bob@example.org",
                               "--password", "long-enough-secret"]).exit_code == 0
    assert runner.invoke(args=["create-token", "bob", "--name", "ci"]).exit_code == 0
    assert runner.invoke(args=["create-resource", "bench-1"]).exit_code == 0
    entries = accounts.admin.get("/admin/audit", query_string={"actor": "cli:ops-jane"}).json["entries"]
    assert [(e["action"], e["via"], e["actor_id"], e["source_address"]) for e in entries] == [
        ("resource.create", "cli", None, None), ("token.create", "cli", None, None),
        ("user.create", "cli", None, None)]
    assert entries[1]["changes"]["user"] == [None, "bob"]
