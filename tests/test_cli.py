"""The operators' commands: exit codes, what they print, and what they change in the database."""
import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from backend.extensions import db
from backend.models import Reservation, Resource, User
from tests.conftest import USER_PASSWORD

pytestmark = pytest.mark.once

START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)  # where conftest's `clock` stops


@pytest.fixture
def run(app):
    """Run `flask --app app <args>` against the test application; returns click's Result."""
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=list(args), **kwargs)

    return invoke


def stored(app, model, **where):
    with app.app_context():
        return db.session.scalars(select(model).filter_by(**where)).all()


def test_create_user_with_a_prompted_password_can_log_in(run, accounts, app):
    result = run("create-user", "bob", "--email", "Bob@Example.org",
                 input="bread-secret-1\nbread-secret-1\n")
    assert result.exit_code == 0, result.output
    assert "Created user 'bob'" in result.stdout
    assert "bread-secret-1" not in result.output
    [bob] = stored(app, User, name="bob")
    assert (bob.email, bob.role, bob.active) == ("bob@example.org", "user", True)
    accounts.login("bob", "bread-secret-1")


def test_create_administrator_with_password_from_the_environment(run, accounts):
    result = run("create-user", "root2", "--email", "root2@example.org", "--admin",
                 env={"RESERVIA_NEW_PASSWORD": "from-the-env-1"})
    assert result.exit_code == 0, result.output
    assert "Created admin 'root2'" in result.stdout
    assert accounts.login("root2", "from-the-env-1").get("/info/users").status_code == 200


def test_create_user_with_role_option(run, app):
    result = run("create-user", "ops", "--email", "ops@example.org", "--role", "admin",
                 "--password", "opal-password-1")
    assert result.exit_code == 0, result.output
    assert stored(app, User, name="ops")[0].role == "admin"


@pytest.mark.parametrize("args, message", [
    (["--email", "not-an-email", "--password", "long-enough-1"], "Email: Invalid email address."),
    (["--email", "x@example.org", "--password", "short"], "Password: Field must be between 8"),
    (["--email", "Bob@example.org", "--password", "long-enough-1"],
     "The email 'bob@example.org' is already in use."),
])
def test_create_user_refuses_bad_input_and_creates_nobody(run, app, accounts, args, message):
    accounts.add_user("bob")
    result = run("create-user", "newbie", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert stored(app, User, name="newbie") == []


def test_create_user_refuses_a_taken_name(run, app):
    result = run("create-user", "admin", "--email", "other@example.org", "--password", "long-enough-1")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: A user named 'admin' already exists."
    assert [u.email for u in stored(app, User, name="admin")] == ["admin@localhost"]


def test_create_user_refuses_contradictory_roles(run, app):
    result = run("create-user", "eve", "--email", "eve@example.org", "--admin", "--role", "user",
                 "--password", "long-enough-1")
    assert result.exit_code == 2
    assert "--admin contradicts --role user" in result.stderr
    assert stored(app, User, name="eve") == []


def test_create_user_without_any_password_input_fails(run, app):
    result = run("create-user", "eve", "--email", "eve@example.org", input="")
    assert result.exit_code == 1
    assert stored(app, User, name="eve") == []


def test_set_password_changes_it_and_logs_the_user_out(run, accounts):
    accounts.add_user("bob")
    old_session = accounts.login("bob")
    result = run("set-password", "bob", input="brand-new-pass\nbrand-new-pass\n")
    assert result.exit_code == 0, result.output
    assert "Password of 'bob' changed" in result.stdout
    assert old_session.get("/reservation/active").status_code == 401
    refused = accounts.app.test_client().post(
        "/session/login", json={"name": "bob", "password": USER_PASSWORD})
    assert refused.status_code == 401
    accounts.login("bob", "brand-new-pass")


def test_set_password_of_the_default_administrator(run, accounts):
    result = run("set-password", "admin", env={"RESERVIA_NEW_PASSWORD": "a-better-password"})
    assert result.exit_code == 0, result.output
    accounts.login("admin", "a-better-password")


def test_set_password_for_an_unknown_user_fails(run):
    result = run("set-password", "nobody", "--password", "whatever-123")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: No user named 'nobody'."


def test_set_password_refuses_a_short_password_and_keeps_the_old_one(run, accounts):
    accounts.add_user("bob")
    result = run("set-password", "bob", "--password", "short")
    assert result.exit_code == 1
    assert "Password: Field must be between 8" in result.stderr
    accounts.login("bob")


def test_create_and_list_resources(run, app):
    assert run("create-resource", "bench-1", "--comment", "the fast one").exit_code == 0
    result = run("create-resource", "scope")
    assert result.exit_code == 0 and "Created resource 'scope'" in result.stdout
    with app.app_context():
        db.session.execute(update(Resource).where(Resource.name == "scope").values(active=False))
        db.session.commit()
    listing = run("list-resources")
    assert listing.exit_code == 0
    # One word per state, as on the pages: free, not "available".
    assert listing.stdout.splitlines() == [
        "   ID  NAME     STATUS       HELD BY  QUEUE  LONGEST HOLD      LABELS  COMMENT",
        "    1  bench-1  free         -            0  10 min (site)             the fast one"]
    everything = run("list-resources", "--all").stdout.splitlines()
    assert everything[-1].split() == ["2", "scope", "deactivated", "-", "0", "10", "min", "(site)"]


def test_labels_are_given_listed_and_replaced(run):
    result = run("create-resource", "bench-1", "--label", "Scope,usb3", "--label", "lab-2")
    assert result.exit_code == 0 and "with labels lab-2, scope, usb3" in result.stdout
    assert "lab-2,scope,usb3" in run("list-resources").stdout.splitlines()[1].split()
    assert run("set-labels", "bench-1", "scope").stdout == "Resource 'bench-1' changed: labels.\n"
    assert "scope" in run("list-resources").stdout.splitlines()[1].split()
    refused = run("set-labels", "bench-1", "no spaces!")
    assert refused.exit_code == 1 and "is not a label" in refused.output
    assert run("set-labels", "nothing", "scope").exit_code == 1


def test_list_resources_when_there_are_none(run):
    result = run("list-resources")
    assert (result.exit_code, result.stdout) == (0, "No resources.\n")


@pytest.mark.parametrize("args, message", [
    (["bench-1"], "A resource named 'bench-1' already exists."),
    (["   "], "Name: Field must be between 1 and 80 characters long."),
    (["tab\tname"], "Name: Use visible characters only."),
    (["x" * 81], "Name: Field must be between 1 and 80 characters long."),
    (["bench-2", "--comment", "c" * 501], "Comment: Field cannot be longer than 500 characters."),
])
def test_create_resource_refuses_bad_input(run, app, accounts, args, message):
    accounts.add_resource("bench-1")
    result = run("create-resource", *args)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {message}"
    assert len(stored(app, Resource)) == 1


def test_list_active_shows_holders_and_queues(run, accounts, clock):
    accounts.queue_of("bench", "alice", "bob")
    result = run("list-active")
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[1] == ["bench", "0", "alice", "approved", "2026-11-02", "08:00:00", "2026-11-02",
                        "08:10:00"]
    assert lines[2] == ["bench", "1", "bob", "requested", "2026-11-02", "08:00:00", "-"]


def test_list_active_when_nothing_is_reserved(run):
    result = run("list-active")
    assert (result.exit_code, result.stdout) == (0, "No active reservations.\n")


def test_expire_ends_overdue_holds_and_approves_the_next_in_line(run, app, accounts, clock):
    bench, scope = accounts.add_resource("bench"), accounts.add_resource("scope")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": scope})
    clock.advance(minutes=app.config["RESERVIA_HOLD_MINUTES"] + 5)
    result = run("expire")
    assert result.exit_code == 0
    assert result.stdout == "Expiry done: 2 resources had overdue reservations.\n"
    rows = {(r.resource_id, r.user_id): r for r in stored(app, Reservation)}
    alice_id, bob_id = (stored(app, User, name=n)[0].id for n in ("alice", "bob"))
    hold_ends = START.replace(minute=app.config["RESERVIA_HOLD_MINUTES"])
    assert (rows[bench, alice_id].state, rows[bench, alice_id].ended_at) == ("expired", hold_ends)
    assert (rows[bench, bob_id].state, rows[bench, bob_id].approved_at) == ("approved", hold_ends)
    assert rows[scope, bob_id].state == "expired"
    again = run("expire")
    assert again.stdout == "Expiry done: 0 resources had overdue reservations.\n"


@pytest.fixture
def history(app, accounts, clock):
    """Alice used the bench then the scope; Bob used the bench."""
    bench, scope = accounts.add_resource("bench"), accounts.add_resource("scope")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    for client, resource in ((alice, bench), (bob, bench), (alice, scope)):
        client.post("/reservation/request", json={"resource_id": resource})
        client.post("/reservation/release", json={"resource_id": resource})
    return {"bench": bench, "scope": scope}


def test_export_history_writes_the_same_csv_as_the_api(run, accounts, history):
    result = run("export-history", "--resource-id", str(history["bench"]), "--state", "released")
    assert result.exit_code == 0
    api = accounts.admin.get(f"/reservation/history/export?resource_id={history['bench']}"
                             "&state=released")
    assert result.stdout_bytes == api.get_data()
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["user_name"], r["resource_name"]) for r in rows] == [("alice", "bench"), ("bob", "bench")]


def test_export_history_to_a_file(run, history, tmp_path):
    target = tmp_path / "history.csv"
    result = run("export-history", "--output", str(target), "--state", "released,expired",
                 "--since", "2026-11-02T08:00:00Z")
    assert result.exit_code == 0
    assert "Wrote 3 reservations" in result.stderr
    with target.open(newline="") as written:
        rows = list(csv.DictReader(written))
    assert [r["user_name"] for r in rows] == ["alice", "bob", "alice"]


@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday"], "since must be an ISO 8601 date"),
    (["--since", "2026-11-03", "--until", "2026-11-02"], "since must be earlier than until."),
    (["--state", "done"], "Unknown state 'done'"),
    (["--user-id", "bob"], "user_id must be a positive whole number"),
    (["--user-id", "99"], "No user with id 99."),
    (["--resource-id", "99"], "No resource with id 99."),
])
def test_export_history_refuses_bad_filters_and_writes_nothing(run, history, tmp_path, args, message):
    target = tmp_path / "history.csv"
    result = run("export-history", "--output", str(target), *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.startswith("Error: ")
    assert not target.exists()


def test_list_resources_says_the_same_word_as_the_pages(run, accounts):
    bench, scope = accounts.add_resource("bench-1", "the fast one"), accounts.add_resource("scope")
    accounts.add_resource("rack")
    accounts.user("alice").post("/reservation/request", json={"resource_id": bench})
    run("start-maintenance", "rack")
    lines = run("list-resources").stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STATUS", "HELD", "BY", "QUEUE", "LONGEST", "HOLD", "LABELS",
                                "COMMENT"]
    rows = {line.split()[1]: line for line in lines[1:]}
    assert "in use" in rows["bench-1"] and "alice" in rows["bench-1"] and "the fast one" in rows["bench-1"]
    assert rows["scope"].split()[2] == "free" and rows["rack"].split()[2] == "maintenance"
    assert "available" not in " ".join(lines)
    assert scope


def test_operators_change_and_retire_resources_from_the_shell(run, app, accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    result = run("modify-resource", "bench-1", "--name", "bench-a", "--comment", "by the door",
                 "--max-hold-minutes", "120")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Resource 'bench-a' changed: comment, max_hold_minutes, name.\n"
    assert run("modify-resource", "bench-a", "--comment", "by the door").stdout == (
        "Nothing changed: bench-a already had these settings.\n")
    assert run("modify-resource", "bench-a", "--max-hold-minutes", "0").exit_code == 1
    assert "in use" in run("list-resources").stdout and "120 min" in run("list-resources").stdout
    ended = run("force-release", "bench-a", "--reason", "cable swap")
    assert ended.stdout == "Hold of 'alice' on 'bench-a' ended. bob now holds it.\n"
    assert run("start-maintenance", "bench-a").exit_code == 0
    assert stored(app, Resource, name="bench-a")[0].maintenance is True
    assert run("end-maintenance", "bench-a").exit_code == 0
    alice.post("/reservation/request", json={"resource_id": bench})
    assert run("remove-request", "bench-a", "alice", "--reason", "twice").stdout == (
        "Request of 'alice' removed from the queue of 'bench-a'.\n")
    assert run("remove-request", "bench-a", "alice").exit_code == 1
    busy = run("delete-resource", "bench-a")
    assert busy.exit_code == 1 and "is held or has a queue" in busy.stderr
    bob.post("/reservation/release", json={"resource_id": bench})
    assert run("delete-resource", "bench-a").stdout == "Resource 'bench-a' deactivated: its history is kept.\n"
    assert run("delete-resource", "ghost").stderr.strip() == "Error: No resource named 'ghost'."


def test_operators_list_change_and_retire_users_from_the_shell(run, app, accounts):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    listing = [line.split() for line in run("list-users").stdout.splitlines()]
    assert listing[0] == ["ID", "NAME", "EMAIL", "ROLE", "STATUS"]
    assert ["alice", "alice@example.org", "user", "active"] == listing[2][1:]
    result = run("modify-user", "bob", "--email", "Robert@Example.org", "--role", "admin")
    assert result.stdout == "User 'bob' changed: email, role.\n"
    assert stored(app, User, name="bob")[0].email == "robert@example.org"
    assert run("modify-user", "bob", "--email", "nope").exit_code == 1
    gone = run("modify-user", "alice", "--inactive")
    assert gone.stdout == ("User 'alice' changed: active. Their hold on bench-1 ended; "
                           "bob now holds it.\n")
    assert alice.get("/reservation/active").status_code == 401
    assert run("delete-user", "bob").stdout == ("User 'bob' deactivated: their history is kept. "
                                                "Their hold on bench-1 ended; it is free now.\n")
    accounts.add_user("newbie")
    assert run("delete-user", "newbie").stdout == "User 'newbie' deleted.\n"
    assert run("modify-user", "admin", "--role", "user").stderr.strip() == (
        "Error: Reservia needs at least one active administrator.")


def test_list_active_says_its_times_are_utc(run, accounts):
    accounts.user("alice").post("/reservation/request", json={
        "resource_id": accounts.add_resource("bench"), "note": "flashing fw 2.3"})
    lines = run("list-active").stdout.splitlines()
    assert "REQUESTED (UTC)" in lines[0] and "VALID UNTIL (UTC)" in lines[0]
    assert lines[1].endswith("flashing fw 2.3")
