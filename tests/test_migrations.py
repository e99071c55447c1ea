"""Schema migrations: they build exactly the models' schema, and upgrade old databases with nothing lost."""
import shutil
import traceback
from datetime import datetime, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, text

from backend import create_app
from backend.database import get_database
from backend.database.schema import (
    FIRST_REVISION,
    MIGRATIONS,
    current_revision,
    head_revision,
    modelled,
    upgrade_schema,
)
from backend.extensions import db
from backend.models import Delivery, NotificationEvent, Webhook
from tests.conftest import ADMIN_PASSWORD, settings_for
from tests.old_databases import database_of_the_first_release, fill_first_schema, fresh_database
from tests.racing_processes import process_context


def test_migrations_match_the_models(app):
    """Fails when a model changed without a migration: run `flask --app app db migrate -m ...`."""
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": modelled})
            differences = compare_metadata(context, db.metadata)
            revision = current_revision(connection)
    assert differences == []
    assert revision == head_revision()


def _assert_first_data_kept_and_usable(url, make_app):
    app = make_app(RESERVIA_DATABASE_URL=url)
    carol = app.test_client()
    assert carol.post("/session/login",
                      json={"name": "carol", "password": "carol-password"}).status_code == 200
    [held] = carol.get("/reservation/active").json["reservations"]
    assert (held["user_name"], held["resource_name"], held["status"]) == ("carol", "bench-1", "approved")
    assert carol.post("/reservation/release", json={"resource_id": 1}).status_code == 200
    assert carol.post("/reservation/request", json={"resource_id": 1}).json["status"] == "approved"
    with app.app_context(), db.engine.connect() as connection:
        assert current_revision(connection) == head_revision()


def test_database_from_the_first_migration_upgrades_with_its_data(tmp_path, make_app):
    url, engine = fresh_database(tmp_path, "first")
    upgrade_schema(engine, FIRST_REVISION)
    with engine.begin() as connection:
        fill_first_schema(connection)
    engine.dispose()
    _assert_first_data_kept_and_usable(url, make_app)


def test_database_made_before_migrations_is_adopted(tmp_path, make_app):
    """Tables created without Alembic's version table are taken as the first migration, then upgraded."""
    url, engine = fresh_database(tmp_path, "unversioned")
    upgrade_schema(engine, FIRST_REVISION)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        fill_first_schema(connection)
    engine.dispose()
    _assert_first_data_kept_and_usable(url, make_app)



def _start(settings, together, results):
    """One starting process: create_app itself is what is tested, so it is called directly (its
    connections end with the process)."""

    together.wait()  # imports done: every process reaches the empty database at once
    try:
        create_app(settings)
        results.put("started")
    except Exception:  # reported to the test, which shows where it failed
        results.put(traceback.format_exc(limit=-6))


def test_processes_starting_at_once_on_an_empty_database_all_start(tmp_path, make_app):
    """Apache starts several processes together: one creates the tables and the administrator."""
    settings = settings_for(tmp_path / "home")
    context = process_context()
    results, together = context.Queue(), context.Barrier(4)
    starters = [context.Process(target=_start, args=(settings, together, results)) for _ in range(4)]
    for process in starters:
        process.start()
    outcomes = [results.get(timeout=120) for _ in starters]
    for process in starters:
        process.join(timeout=60)
    assert outcomes == ["started"] * 4

    app = make_app(home=tmp_path / "home", migrated=False)  # the processes' database, started once more
    admin = app.test_client()
    logged_in = admin.post("/session/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    assert logged_in.status_code == 200
    assert [u["name"] for u in admin.get("/info/users").json["users"]] == ["admin"]


REBUILD_USERS = '''
import sqlalchemy as sa
from alembic import op

revision = "rebuild_users"
down_revision = {head!r}


def upgrade():
    # A type change: SQLite rebuilds the table for it, PostgreSQL alters it in place.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("nickname", sa.String(length=40), nullable=True))
        batch.alter_column("email", type_=sa.String(length=300), existing_type=sa.String(length=254),
                           existing_nullable=False)
'''


def test_a_later_migration_may_rebuild_a_table_others_point_at(tmp_path):
    """SQLite alters a table by rebuilding it; rows in other tables that point at it survive."""
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "rebuild_users.py").write_text(REBUILD_USERS.format(head=head_revision()))
    url, engine = fresh_database(tmp_path, "rebuilt")
    upgrade_schema(engine, FIRST_REVISION)
    with engine.begin() as connection:
        fill_first_schema(connection)
    upgrade_schema(engine, migrations=migrations)
    with engine.connect() as connection:
        assert current_revision(connection) == "rebuild_users"
        holder = connection.execute(text(
            "SELECT users.name, users.nickname FROM reservations "
            "JOIN users ON users.id = reservations.user_id"
        )).all()
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    assert holder == [("carol", None)]


def test_ids_of_deleted_users_and_resources_are_never_handed_out_again(accounts):
    """SQLite's default gives a deleted highest id to the next new row; a link or script naming
    the deleted one would then reach someone else."""
    doomed_user = accounts.add_user("doomed")
    doomed_resource = accounts.add_resource("doomed-bench")
    admin = accounts.admin
    assert admin.post("/admin/user/delete", json={"user_id": doomed_user}).json["deactivated"] is False
    assert admin.post("/admin/resource/delete", json={"resource_id": doomed_resource}).json["deactivated"] is False
    assert accounts.add_user("newcomer") > doomed_user
    assert accounts.add_resource("new-bench") > doomed_resource


def test_an_upgraded_database_stops_reusing_ids_and_keeps_its_queue_order(tmp_path, make_app):
    url = database_of_the_first_release(tmp_path, "reuse")
    app = make_app(RESERVIA_DATABASE_URL=url)
    admin = app.test_client()
    assert admin.post("/session/login", json={"name": "admin", "password": "admin-password"}).status_code == 200
    added = admin.post("/admin/user/add", json={"name": "dave", "email": "dave@example.org",
                                                "password": "dusty-password"}).json["user_id"]
    assert added == 3
    admin.post("/admin/user/delete", json={"user_id": added})
    again = admin.post("/admin/user/add", json={"name": "erin", "email": "erin@example.org",
                                                "password": "green-password"}).json["user_id"]
    assert again == 4
    queued = admin.post("/reservation/request", json={"resource_id": 1}).json
    assert (queued["status"], queued["reservation_id"]) == ("requested", 2)


def test_accounts_whose_names_differ_only_by_case_all_keep_working(tmp_path, make_app):
    """Made before names were compared after case folding: each logs in by its exact name, and
    no third spelling can be added."""
    url = database_of_the_first_release(tmp_path, users=(
        ("admin", "admin", "admin-password"), ("carol", "user", "carol-password"),
        ("Carol", "user", "other-carol-password")))
    app = make_app(RESERVIA_DATABASE_URL=url)
    client = app.test_client()
    for name, password in (("carol", "carol-password"), ("Carol", "other-carol-password")):
        answer = client.post("/session/login", json={"name": name, "password": password})
        assert answer.status_code == 200 and answer.json["user_name"] == name
    assert client.post("/session/login", json={"name": "CAROL", "password": "carol-password"}).status_code == 200
    admin = app.test_client()
    admin.post("/session/login", json={"name": "admin", "password": "admin-password"})
    assert "password_change_required" not in admin.post(
        "/session/login", json={"name": "admin", "password": "admin-password"}).json
    added = admin.post("/admin/user/add", json={"name": "CAROL", "email": "c3@example.org",
                                                "password": "a-third-amber-1"})
    assert added.json["code"] == "USER_EXISTS"


def _store_webhooks_as_before_urls_were_checked(connection, urls):
    """Carol's webhooks as 0006 took them, one pending delivery each."""
    now = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    [event_id] = connection.execute(insert(NotificationEvent.__table__).values(
        uid="event-1", event="granted", user_id=2, occurred_at=now, recorded_at=now,
        fanned_out_at=now)).inserted_primary_key
    for url in urls:
        [webhook_id] = connection.execute(insert(Webhook.__table__).values(
            user_id=2, url=url, events="granted,ended", secret="s" * 20, format="json",
            created_at=now)).inserted_primary_key
        connection.execute(insert(Delivery.__table__).values(
            event_id=event_id, user_id=2, channel="webhook", webhook_id=webhook_id, body="{}", status="pending",
            attempts=0, next_attempt_at=now, created_at=now))


def test_webhooks_stored_with_unusable_urls_are_disabled_and_their_owner_told_why(tmp_path, make_app):
    url, engine = fresh_database(tmp_path, "webhooks")
    upgrade_schema(engine, FIRST_REVISION)
    with engine.begin() as connection:
        fill_first_schema(connection)
    upgrade_schema(engine, "0006")
    with engine.begin() as connection:
        _store_webhooks_as_before_urls_were_checked(connection, [
            "http://ci.example.org/hooks/reservia", "http://ci.example.org/a hook", "http://ci.example.org:99999/"])
    engine.dispose()
    app = make_app(RESERVIA_DATABASE_URL=url)
    carol = app.test_client()
    carol.post("/session/login", json={"name": "carol", "password": "carol-password"})
    reasons = [h["disabled_reason"] for h in carol.get("/session/webhooks").json["webhooks"]]
    assert reasons[0] is None
    assert "Disabled: its URL cannot be used." in reasons[1] and "must not contain spaces" in reasons[1]
    assert "port must be a number from 1 to 65535" in reasons[2]
    assert "must not contain spaces" in carol.get("/session/notifications", headers={"Accept": "text/html"}).text
    states = [carol.get(f"/session/webhooks/deliveries?webhook_id={i}").json["deliveries"][0]
              for i in (1, 2, 3)]
    assert [(d["status"], d["error"]) for d in states] == [
        ("pending", None), ("failed", "invalid url"), ("failed", "invalid url")]
    tested = carol.post("/session/webhooks/test", json={"webhook_id": 2})
    assert (tested.status_code, tested.json["code"]) == (409, "WEBHOOK_DISABLED")
    # Nothing new is made for a disabled webhook: carol's hold ended by an administrator reaches only the first.
    admin = app.test_client()
    admin.post("/session/login", json={"name": "admin", "password": "admin-password"})
    ended = admin.post("/admin/reservation/force_release", json={"resource_id": 1})
    assert ended.status_code == 200, ended.json
    with app.app_context():
        get_database().deliveries.fan_out(lambda record, channel, hook: "{}", email_enabled=False)
    counts = [carol.get(f"/session/webhooks/deliveries?webhook_id={i}").json["count"] for i in (1, 2, 3)]
    assert counts == [2, 1, 1]
