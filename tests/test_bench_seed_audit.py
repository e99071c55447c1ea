"""The benchmark's long audit log and group rules, seeded straight into SQLite, leave a site that
works as a real one: the chain verifies whole (the setup's own entries chained after the seeded
ones), the next change extends it, and the rules let the benchmark's requests through."""
from pathlib import Path

import pytest

from bench import seed, seed_audit

# The benchmark seeds SQLite files: these run once, on the SQLite run.
pytestmark = [pytest.mark.once, pytest.mark.usefixtures("sqlite_only")]


def database_path(app):
    return Path(app.config["RESERVIA_HOME"]) / "reservia.sqlite3"


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_seeded_entries_come_first_and_the_chain_stays_whole(app, accounts):
    alice = accounts.add_user("alice")
    accounts.add_resource("bench-1")
    assert seed_audit.add_audit_entries(database_path(app), 500, [alice]) == 500
    result = verify(app)
    assert result.exit_code == 0, result.output
    # The administrator's sign-in, alice and the resource, after the 500 seeded.
    assert "503 entries checked" in result.output
    accounts.add_resource("bench-2")
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "504 entries checked" in result.output


def test_seeded_rules_let_the_benchmark_request_and_release(app, accounts):
    users = [accounts.add_user(f"user-{n}") for n in range(3)]
    resources = [accounts.add_resource(f"bench-{n}") for n in range(3)]
    assert seed.add_rules(database_path(app), users, resources) == 100
    client = accounts.login("user-0")
    # The rules are user-0's: their groups' limits and priorities apply to every request.
    limits = client.get("/session/limits").json["limits"]
    assert any(entry["max_hold_minutes"] == 24 * 60 for entry in limits), limits
    for resource_id in resources:
        assert client.post("/reservation/request", json={"resource_id": resource_id}).status_code == 201
        assert client.post("/reservation/release", json={"resource_id": resource_id}).status_code == 200
