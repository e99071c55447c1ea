"""Databases as earlier releases left them, to upgrade: the first migration's tables and rows."""
from datetime import datetime, timezone

from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from backend.database.schema import FIRST_REVISION, upgrade_schema
from tests.conftest import FAST_HASH, settings_for


def fresh_database(tmp_path, name):
    """An empty database of the engine under test, and its URL."""
    settings = settings_for(tmp_path / name)
    url = settings["RESERVIA_DATABASE_URL"] or f"sqlite:///{tmp_path / name}.sqlite3"
    return url, create_engine(url)


def fill_first_schema(connection, users=(("admin", "admin", "admin-password"), ("carol", "user", "carol-password"))):
    """Rows written the way the first release stored them: `users` as (name, role, password),
    ids from 1, and a hold of bench-1 by the second user."""
    created = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    if connection.dialect.name == "sqlite":
        created = created.replace(tzinfo=None)
    for user_id, (name, role, password) in enumerate(users, start=1):
        connection.execute(text(
            "INSERT INTO users (id, name, email, password_hash, role, active, created_at) "
            "VALUES (:id, :name, :email, :hash, :role, :active, :created)"),
            {"id": user_id, "name": name, "email": f"{name.lower()}-{user_id}@example.org", "role": role,
             "hash": generate_password_hash(password, method=FAST_HASH), "active": True, "created": created})
    connection.execute(text(
        "INSERT INTO resources (id, name, comment, active, maintenance, created_at) "
        "VALUES (1, 'bench-1', 'kept across upgrades', :yes, :no, :created)"),
        {"yes": True, "no": False, "created": created})
    connection.execute(text(
        "INSERT INTO reservations (id, user_id, resource_id, state, requested_at, approved_at) "
        "VALUES (1, 2, 1, 'approved', :created, :created)"), {"created": created})
    if connection.dialect.name == "postgresql":
        for table in ("users", "resources", "reservations"):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def database_of_the_first_release(tmp_path, name="first", **rows):
    """The URL of a database at the first migration, filled by fill_first_schema(**rows)."""
    url, engine = fresh_database(tmp_path, name)
    upgrade_schema(engine, FIRST_REVISION)
    with engine.begin() as connection:
        fill_first_schema(connection, **rows)
    engine.dispose()
    return url
