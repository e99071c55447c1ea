"""Shared fixtures and helpers: an application on a database of its own, clients logged in per role,
and the requests and checks that several test files make.

How a test gets what it needs (tests/README.md says the same at more length):
- `app`: an application on a database of its own at the newest migration, built per test from a
  copy of the run's migrated template; settings from the module's APP_SETTINGS (or by overriding
  `app_settings`). `client`: an anonymous test client of it.
- `accounts`: users, resources (with labels) and queues, made through the API
  (tests/factories.py): `accounts.user("alice")`, `accounts.add_resource("bench-1")`,
  `accounts.queue_of("bench-1", "alice", "bob", "carol")` (alice holds, bob and carol wait).
- `clock`: the application's clock, stopped at the module's START (or fixed_clock.START) until the
  test moves it; `clock.drive(other_app)` makes another application keep the same time.
- `module_app`: one application for a whole module whose tests leave it as they found it; such a
  module overrides `app` with it (`def app(module_app): return module_app`).
- `make_app(**settings)`: an application with settings of its own, or a second one on the same
  database; disposed at teardown. Only the tests of create_app itself (start-up, the first
  password, migrations) call create_app directly.
Every application is disposed when its test (or module) ends: a connection left to the garbage
collector is an error (filterwarnings = error in pytest.ini).
"""
import gc
import itertools
import os
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy import event, select

from backend import create_app
from backend.database import get_database
from backend.domain import webhook_urls
from backend.extensions import db
from backend.models import Reservation
from tests.factories import ADMIN_PASSWORD, USER_PASSWORD, Accounts
from tests.fake_resolver import FakeResolver
from tests.fixed_clock import START, install_clock
from tests.migrated_template import MigratedTemplate
from tests.postgres import databases_under_test
from tests.route_builders import keep_route_builders
from tests.shared_dialects import share_dialects
from tests.shared_templates import SHARED_TEMPLATES

__all__ = ["ADMIN_PASSWORD", "USER_PASSWORD", "Accounts"]  # re-exported: tests import them from here
# The client's test files share their served application and CI jobs (`served`, `jobs`).
pytest_plugins = ["tests.client_runs"]

# Cheap hashing keeps the suite fast; production uses the default (scrypt).
FAST_HASH = "pbkdf2:sha256:1000"


def settings_for(home, **overrides):
    """Settings for an application whose data lives in `home`."""
    settings = {
        "TESTING": True,
        "RESERVIA_HOME": str(home),
        "RESERVIA_SECRET_KEY": "test-secret-key",
        "RESERVIA_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "RESERVIA_PASSWORD_METHOD": FAST_HASH,
        # Any public host, and the loopback receivers the tests run (closed by default).
        "RESERVIA_WEBHOOK_HOSTS": "*, 127.0.0.0/8, ::1",
    }
    settings.update(overrides)
    if not settings.get("RESERVIA_DATABASE_URL"):
        # SQLite: a file in `home`; PostgreSQL (--database=postgresql): a database of its own.
        settings["RESERVIA_DATABASE_URL"] = databases_under_test.url_for_home(home)
    return settings


def pytest_addoption(parser):
    parser.addoption("--database", choices=("sqlite", "postgresql"),
                     default=os.environ.get("RESERVIA_TEST_DATABASE", "sqlite"),
                     help="engine the applications under test use; postgresql starts a throwaway cluster")


def pytest_configure(config):
    keep_route_builders()
    share_dialects()


def pytest_collection_finish(session):
    """Collect garbage less often: each test builds an application (thousands of objects in
    cycles), so at Python's default threshold the collector ran some 1,500 times in 140 tests and
    took about a seventh of their time; at 50,000 allocations it runs a hundred times less and
    takes a third of that. What was imported before the tests is frozen out of its scans."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


def pytest_runtest_teardown(item):
    """A CI-client test that failed half-way leaves no client running into the next test."""
    if item.get_closest_marker("once"):
        from tests.client_runs import stop_leftovers
        stop_leftovers()


@pytest.fixture(scope="session", autouse=True)
def _database_engine(request):
    """Start the throwaway PostgreSQL cluster when the run asks for it, and remove it afterwards."""
    if request.config.getoption("--database") == "postgresql":
        databases_under_test.start_postgresql()
    yield databases_under_test.engine
    databases_under_test.stop()


@pytest.fixture(autouse=True)
def _drop_databases_when_done(request, _database_engine):
    """On PostgreSQL, the databases made under a test's tmp_path are dropped once the test ends:
    kept, they filled gigabytes by the end of the run, and removing them took a minute."""
    if _database_engine != "postgresql":
        yield
        return
    folder = request.getfixturevalue("tmp_path")
    yield
    databases_under_test.drop_under(folder)


@pytest.fixture
def sqlite_only(_database_engine):
    """For tests of SQLite's own machinery (its write lock, its file, its commit counter)."""
    if _database_engine != "sqlite":
        pytest.skip("exercises SQLite itself; PostgreSQL locks rows and has no file to open")


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    """Webhook host names resolve from a table the test may fill, never through the network."""
    fake = FakeResolver()
    monkeypatch.setattr(webhook_urls, "resolve", fake)
    return fake


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's: a request context held open for the whole test would make every
    request share one app context, and so one login cache and one database session, unlike a server."""


@pytest.fixture
def app_settings(request):
    """Settings of the `app` fixture: the test module's APP_SETTINGS, if it has any (a test may
    parametrize this fixture to change them)."""
    return getattr(request.module, "APP_SETTINGS", {})


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, _database_engine):
    """The run's database at the newest migration, with the first administrator an application
    on the test settings creates (so each `app` skips that: a count, a password check and a write),
    which each `app` starts from a copy of."""
    folder = tmp_path_factory.mktemp("migrated")
    template = MigratedTemplate(folder, databases_under_test)
    url = template.url or f"sqlite:///{template.sqlite_file}"
    dispose(create_app(settings_for(folder / "first-start", RESERVIA_DATABASE_URL=url)))
    return template


@contextmanager
def application_at(home, template=None, **overrides):
    """An application whose data lives in `home`, on a copy of `template` if given (else on an empty
    database); afterwards its pooled connections are closed and, on PostgreSQL, its database dropped
    soon after."""
    if template is not None:
        template.copy_to(home)
    application = create_app(settings_for(home, **overrides))
    application.jinja_env.bytecode_cache = SHARED_TEMPLATES
    try:
        yield application
    finally:
        dispose(application)
        databases_under_test.drop_under(home)


def dispose(application):
    """Close the pooled connections of every engine the application opened."""
    with application.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app(tmp_path, app_settings, migrated_template):
    """An application on a database of its own, already at the newest migration."""
    with application_at(tmp_path / "home", migrated_template, **app_settings) as application:
        yield application


@pytest.fixture(scope="module")
def module_app(request, tmp_path_factory, migrated_template):
    """One application for a whole module (with its APP_SETTINGS), for cases that only read or
    undo what they do: building one per case would cost more than the cases themselves."""
    settings = getattr(request.module, "APP_SETTINGS", {})
    home = tmp_path_factory.mktemp("module") / "home"
    with application_at(home, migrated_template, **settings) as application:
        yield application


@pytest.fixture
def make_app(tmp_path, migrated_template):
    """Call with settings for an application of their own; each is disposed when the test ends.

    make_app(**settings): on a copy of the migrated template, in a home of its own;
    make_app(migrated=False, ...): on an empty database, which its start-up migrates;
    make_app(home=folder, migrated=False): in that home, again on the same database (a restart);
    make_app(RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"]): another process of the
    same installation, or an application on a database the test prepared (nothing copied)."""
    numbers = itertools.count(1)
    with ExitStack() as stack:
        def make(migrated=True, home=None, **settings):
            template = migrated_template if migrated and not settings.get("RESERVIA_DATABASE_URL") else None
            home = home or tmp_path / f"app-{next(numbers)}"
            return stack.enter_context(application_at(home, template, **settings))
        yield make


@pytest.fixture
def clock(app, request):
    """The application's clock, stopped at the test module's START (else fixed_clock.START) until
    the test moves it."""
    return install_clock(app, getattr(request.module, "START", START))


@pytest.fixture
def client(app):
    """An anonymous client. Replaces pytest-flask's, whose `with` block would keep the last
    request's context pushed and so leak it into other clients' requests."""
    return app.test_client()


@pytest.fixture
def accounts(app):
    """Users, resources, labels and queues on `app`, made through the API (tests/factories.py)."""
    return Accounts(app)


@pytest.fixture
def admin_client(accounts):
    return accounts.admin


@pytest.fixture
def user_client(accounts):
    return accounts.user("alice")


@pytest.fixture
def record_statements(app):
    """Call with a function; returns the SQL statements it sent to the database, in order."""

    def record(action):
        statements = []
        with app.app_context():
            engines = [db.engine]
            # The login lookup runs on the read cache's own connection (SQLite and PostgreSQL alike).
            commit_counter = get_database().transactions.read_cache.counter
            if commit_counter is not None:
                engines.append(commit_counter.engine)

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        for engine in engines:
            event.listen(engine, "before_cursor_execute", listener)
        try:
            action()
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", listener)
        return statements

    return record


@pytest.fixture
def count_statements(record_statements):
    """Call with a function; returns how many SQL statements it sent to the database."""
    return lambda action: len(record_statements(action))


def signed_in_again(client):
    """The client, after a request that reads who its session is: a sign-in by anyone since its
    last request makes its next one read that again (the sign-in version, 0019), which a test
    counting a request's statements may want out of the count."""
    assert client.get("/session/status").status_code == 200
    return client


def post_action(client, action, resource_id):
    """POST /reservation/ACTION (request, release, cancel, keep_alive) for one resource, which must be
    accepted; returns the answer."""
    response = client.post(f"/reservation/{action}", json={"resource_id": resource_id})
    assert response.status_code in (200, 201), response.json
    return response.json


def active(client, resource_id=None):
    """The active reservations the client is shown: all of them, or one resource's queue."""
    query = f"?resource_id={resource_id}" if resource_id else ""
    return client.get(f"/reservation/active{query}").json["reservations"]


def users_by_name(client):
    """The users an administrator's client is shown by /info/users, by name."""
    return {user["name"]: user for user in client.get("/info/users").json["users"]}


def stored_reservations(app):
    """Every reservation row, oldest first, read from the database rather than through the API."""
    with app.app_context():
        return list(db.session.scalars(select(Reservation).order_by(Reservation.id)))


def assert_no_overlapping_holds(rows):
    """One resource's rows: at most one open hold, and each hold ended before the next began."""
    holds = sorted((r for r in rows if r.approved_at), key=lambda r: r.approved_at)
    open_holds = [r for r in holds if r.ended_at is None]
    assert len(open_holds) <= 1
    for earlier, later in zip(holds, holds[1:], strict=False):
        assert earlier.ended_at is not None and earlier.ended_at <= later.approved_at, (earlier, later)


def assert_served_in_request_order(rows):
    """Whenever someone was approved, nobody who had asked earlier was still waiting."""
    for approved in (r for r in rows if r.approved_at):
        moment = approved.approved_at
        for earlier in (r for r in rows if r.id < approved.id):
            still_waiting = (earlier.requested_at <= moment
                             and (earlier.approved_at is None or earlier.approved_at > moment)
                             and (earlier.ended_at is None or earlier.ended_at > moment))
            assert not still_waiting, (approved, earlier)


@pytest.fixture(scope="session")
def slapd():
    """A real OpenLDAP server for the LDAP sign-in tests, started once per run (tests/ldap_server.py)."""
    from tests.ldap_server import LdapServer

    server = LdapServer()
    try:
        yield server.start()
    finally:
        server.stop()
        server.remove()
