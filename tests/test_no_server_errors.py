"""No input answers 5xx: generated JSON of every type, size and depth to every JSON endpoint,
generated text in every query parameter, address and form field; a refusal changes nothing.

Runs on the run's engine (SQLite, then PostgreSQL with --database=postgresql). The world is built
once; when a generated request happens to be accepted and logs out or locks out one of the
clients that send them (a password change, a deactivation), that client is put back.
"""
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from backend.extensions import db
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, Accounts
from tests.pages import HTML

# Bounded, and the same examples on every run: a failure is found again by running it again.
FUZZ = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

# Every POST endpoint and the fields its JSON body or form has.
POST_FIELDS = {
    "/session/login": ("name", "password", "next"),
    "/session/logout": (),
    "/session/password": ("current_password", "new_password", "new_password_again", "next"),
    "/admin/user/add": ("name", "email", "password", "role", "next"),
    "/admin/user/modify": ("user_id", "name", "email", "password", "role", "active", "next"),
    "/admin/user/delete": ("user_id", "next"),
    "/admin/user/unlock": ("user_id", "next"),
    "/admin/resource/add": ("name", "comment", "max_hold_minutes", "labels", "allowed_groups", "next"),
    "/admin/resource/modify": ("resource_id", "name", "comment", "max_hold_minutes", "labels", "maintenance",
                               "active", "allowed_groups", "next"),
    "/admin/group/add": ("name", "description", "next"),
    "/admin/group/modify": ("group_id", "name", "description", "next"),
    "/admin/group/delete": ("group_id", "next"),
    "/admin/group/members": ("group_id", "add", "remove", "next"),
    "/admin/rule/add": ("group_id", "resource_id", "label", "max_hold_minutes", "max_open_requests",
                        "max_booked_hours_per_week", "priority", "next"),
    "/admin/rule/delete": ("rule_id", "next"),
    "/admin/resource/delete": ("resource_id", "next"),
    "/admin/reservation/force_release": ("resource_id", "reason", "next"),
    "/admin/reservation/remove": ("reservation_id", "reason", "next"),
    "/reservation/request": ("resource_id", "labels", "count", "hold_minutes", "note", "lease_seconds", "next"),
    "/reservation/cancel": ("resource_id", "request_id", "next"),
    "/reservation/release": ("resource_id", "request_id", "next"),
    "/reservation/keep_alive": ("resource_id", "request_id", "hold_minutes", "next"),
    "/session/tokens": ("name", "expires_days", "scope", "next"),
    "/session/tokens/revoke": ("token_id", "next"),
    "/session/notifications": ("granted_email", "granted_browser", "expiring_email", "ended_browser",
                               "booking_reminder_minutes", "next"),
    "/session/webhooks": ("url", "events", "secret", "format", "next"),
    "/session/webhooks/remove": ("webhook_id", "next"),
    "/session/webhooks/test": ("webhook_id", "next"),
    "/reservation/book": ("resource_id", "labels", "count", "start", "end", "note", "repeat", "skip_conflicts",
                          "force", "maintenance", "next", "date", "start_time", "end_time", "time_zone",
                          "repeat_every", "repeat_until"),
    "/reservation/booking/cancel": ("booking_id", "series_id", "from", "next"),
    "/reservation/booking/checkin": ("booking_id", "next"),
    "/session/calendar_key": ("next",),
    "/admin/resource/health_check": ("resource_id", "kind", "target", "interval_seconds", "timeout_seconds",
                                     "failures_before_maintenance", "next"),
    "/admin/resource/health_check/remove": ("resource_id", "next"),
}

# Every GET endpoint and the query parameters it reads ({id} marks an id in the address).
QUERY_PARAMETERS = {
    "/": ("q", "label", "page", "at"),
    "/info/is_alive": (),
    "/info/get_version": (),
    "/info/resources": (),
    "/info/users": (),
    "/info/labels": (),
    "/openapi.json": (),
    "/session/tokens": ("user_id", "all"),
    "/reservation/wait": ("request_id", "timeout"),
    "/session/notifications": (),
    "/session/notifications/feed": ("since",),
    "/session/webhooks": (),
    "/session/webhooks/deliveries": ("webhook_id",),
    "/session/login": ("next", "undone"),
    "/session/status": (),
    "/session/password": (),
    "/admin/users": (),
    "/admin/users/{id}": (),
    "/admin/resources": (),
    "/admin/resources/{id}": (),
    "/admin/statistics": ("since", "until", "tz"),
    "/admin/groups": (),
    "/admin/rules": (),
    "/session/limits": (),
    "/admin/audit": ("actor", "action", "object_type", "object_id", "from", "to", "page"),
    "/admin/audit.csv": ("actor", "action", "object_type", "object_id", "from", "to"),
    "/reservation/board": ("q", "label", "page"),
    "/reservation/mine": ("user", "resource_id", "state", "since", "until", "page", "tz"),
    "/reservation/active": ("resource_id",),
    "/reservation/active/all_users": ("resource_id",),
    "/reservation/active/user": ("resource_id",),
    "/reservation/bookings": ("resource_id", "user_id", "from", "to", "status"),
    "/reservation/book": ("resource_id", "label", "date"),
    "/reservation/calendar": ("resource_id", "label", "week", "tz"),
    "/calendar/mine.ics": ("key",),
    "/calendar/resource/{id}.ics": ("key",),
    "/reservation/history": ("user_id", "resource_id", "state", "since", "until", "page", "per_page"),
    "/reservation/history/export": ("user_id", "resource_id", "state", "since", "until"),
    "/metrics": (),
    "/reports": ("from", "to", "resource_id", "label", "group_by"),
    "/reports/utilization": ("from", "to", "resource_id", "label", "group_by"),
    "/reports/utilization.csv": ("from", "to", "resource_id", "label", "group_by"),
}

TABLES = ("users", "resources", "reservations", "login_sessions", "resource_labels", "api_tokens", "webhooks",
          "notification_preferences")


class WriteCounts:
    """How many rows were written to each of TABLES, counted by triggers in the module's database:
    a refusal must leave every count as it was. One small read per request, where comparing the
    tables' rows took eight reads of every row (on PostgreSQL most of this file's statements), and
    stricter: a write that puts back the same values counts too."""

    def __init__(self, app):
        self.app = app
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE test_write_counts (name VARCHAR(40) PRIMARY KEY, n INTEGER)")
            for table in TABLES:
                connection.execute(text("INSERT INTO test_write_counts VALUES (:name, 0)"), {"name": table})
            postgresql = connection.dialect.name == "postgresql"
            if postgresql:
                connection.exec_driver_sql(
                    "CREATE FUNCTION test_count_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    " UPDATE test_write_counts SET n = n + 1 WHERE name = TG_TABLE_NAME; RETURN NULL; END $$")
            for table in TABLES:
                if postgresql:
                    connection.exec_driver_sql(
                        f"CREATE TRIGGER test_count_write AFTER INSERT OR UPDATE OR DELETE ON {table}"
                        " FOR EACH ROW EXECUTE FUNCTION test_count_write()")
                    continue
                for change in ("INSERT", "UPDATE", "DELETE"):
                    connection.exec_driver_sql(
                        f"CREATE TRIGGER test_count_{change.lower()}_{table} AFTER {change} ON {table}"
                        f" BEGIN UPDATE test_write_counts SET n = n + 1 WHERE name = '{table}'; END")

    def read(self):
        """{table: rows written to it so far}."""
        with self.app.app_context(), db.engine.connect() as connection:
            return dict(connection.exec_driver_sql("SELECT name, n FROM test_write_counts").all())


class World:
    """An administrator and two users, a held resource with a queue and a free one; the clients
    that send the generated requests stay signed in."""

    def __init__(self, app):
        self.app = app
        accounts = Accounts(app)
        self.admin = accounts.admin
        self.accounts = accounts
        accounts.add_user("holder")
        accounts.add_user("waiting")
        self.holder = accounts.login("holder")
        waiting = accounts.login("waiting")
        held, free = accounts.add_resource("bench-1"), accounts.add_resource("bench-2")
        self.holder.post("/reservation/request", json={"resource_id": held})
        waiting.post("/reservation/request", json={"resource_id": held})
        self.anonymous = app.test_client()
        self.actors = {"admin": (self.admin, ADMIN_PASSWORD), "holder": (self.holder, USER_PASSWORD)}
        self.accounts_as_built = self.rows("users")
        self.writes = WriteCounts(app)
        self.accounts_state = self.accounts_written()
        self.tokens = {}
        self._counts_as_read = None
        assert free

    def client_for(self, path):
        if path == "/session/login":
            return self.anonymous
        return self.admin if path.startswith("/admin/") else self.holder

    def rows(self, table):
        with self.app.app_context(), db.engine.connect() as connection:
            return connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()

    def snapshot(self):
        """The write counts before a request. Read again only once an accepted request may have
        changed them: after a refusal they were read and found as they were, and that read still
        holds."""
        if self._counts_as_read is None:
            self._counts_as_read = self.writes.read()
        return self._counts_as_read

    def accepted(self):
        """An accepted request may have changed anything: read the counts again before the next,
        and put back the clients it signed out."""
        self._counts_as_read = None
        self.repair()

    def accounts_written(self):
        counts = self.writes.read()
        return counts["users"], counts["login_sessions"]

    def signed_in_as_built(self):
        """Whether nothing was written to the accounts and login sessions since the clients last
        signed in: then none of them can have been signed out, and asking each client is not needed."""
        return self.accounts_written() == self.accounts_state

    def csrf_token(self, client):
        """The client's CSRF token, read from a page once per login session."""
        if client not in self.tokens:
            page = client.get("/session/password", headers=HTML).get_data(as_text=True)
            match = re.search(r'name="csrf_token" value="([^"]+)"', page)
            self.tokens[client] = match.group(1) if match else "none"
        return self.tokens[client]

    def repair(self):
        """Put back the acting accounts (their names, roles, passwords) and sign their clients in
        again when an accepted request changed them; forget the failed logins counted meanwhile."""
        if self.signed_in_as_built():
            return
        broken = [name for name, (client, _) in self.actors.items()
                  if not client.get("/session/status").json["logged_in"]]
        if not broken:
            self.accounts_state = self.accounts_written()
            return
        with self.app.app_context():
            columns = ("name", "name_key", "email", "password_hash", "role", "active")
            for row in self.accounts_as_built:
                if row.name in broken:
                    values = {column: getattr(row, column) for column in columns}
                    assignments = ", ".join(f"{column} = :{column}" for column in columns)
                    db.session.execute(text(f"UPDATE users SET {assignments} WHERE id = :id"),
                                       {**values, "id": row.id})
            db.session.execute(text("DELETE FROM login_counters"))
            db.session.commit()
        for name in broken:
            client, password = self.actors[name]
            self.tokens.pop(client, None)
            response = client.post("/session/login", json={"name": name, "password": password})
            assert response.status_code == 200, response.json
        self.accounts_state = self.accounts_written()


@pytest.fixture(scope="module")
def world(module_app):
    return World(module_app)


def assert_no_server_error(world, response, before):
    """No 5xx, and a refusal (4xx) wrote nothing to any of the tables."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert world.writes.read() == before, response.get_data(as_text=True)[:300]
    else:
        world.accepted()


# Text of every kind: controls, NUL, lone surrogates, other scripts, line separators.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
# Text a browser can send in a form or a query string (UTF-8, so no lone surrogates).
sendable_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
numbers = st.one_of(st.integers(), st.integers(-1, 4),
                    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -2**63 - 1]),
                    st.floats(allow_nan=True, allow_infinity=True))
json_values = st.recursive(st.none() | st.booleans() | numbers | any_text,
                           lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(any_text, inner, max_size=4),
                           max_leaves=12)
moments = st.one_of(st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()),
                    st.datetimes().map(lambda d: d.isoformat() + "+14:00"),
                    st.datetimes().map(lambda d: d.isoformat() + "-12:00"),
                    st.sampled_from(["9999-12-31", "0001-01-01", "9999-12-31T23:59:59-01:00",
                                     "0001-01-01T00:00:00+01:00"]))
query_values = st.one_of(sendable_text, moments, numbers.map(str),
                         st.sampled_from(["all", "released", "approved,expired", "/\r\nx", "1", "2"]))
form_values = st.one_of(sendable_text, numbers.map(str), moments,
                        st.sampled_from(["y", "false", "admin", "user", "/\r\nSet-Cookie: x=1", "/ok",
                                         "a-long-enough-pass-9"]))


def deeply_nested(depth):
    return ("[" * depth + "]" * depth).encode()


raw_bodies = st.one_of(
    st.integers(1, 3000).map(deeply_nested),
    st.integers(1, 3000).map(lambda d: ('{"name": ' + "[" * d + "]" * d + "}").encode()),
    st.binary(max_size=64),
    st.sampled_from([b'{"name": "\\ud800", "password": "\\udfff"}', b'{"resource_id": 1e999}',
                     b'{"resource_id": ' + b"9" * 5000 + b"}", b"\xff\xfe{}", b'{"a": NaN}']),
)


def json_bodies(fields):
    """Objects with the endpoint's fields (some of them) holding any JSON value, plus strays."""
    objects = st.fixed_dictionaries({}, optional={name: json_values for name in fields})
    return st.one_of(objects, objects.flatmap(lambda o: st.dictionaries(any_text, json_values, max_size=2)
                                              .map(lambda extra: {**extra, **o})),
                     json_values)


def test_every_endpoint_is_in_the_tables(world):
    """A new endpoint must be added here, so that it is tried like the others."""
    rules = {(rule.rule, method) for rule in world.app.url_map.iter_rules()
             for method in rule.methods - {"HEAD", "OPTIONS"} if rule.endpoint != "static"}
    in_address = {"/admin/users/{id}": "/admin/users/<id:user_id>",
                  "/admin/resources/{id}": "/admin/resources/<id:resource_id>",
                  "/calendar/resource/{id}.ics": "/calendar/resource/<id:resource_id>.ics"}
    tried = {(path, "POST") for path in POST_FIELDS} | {
        (in_address.get(path, path), "GET") for path in QUERY_PARAMETERS}
    assert rules == tried


@pytest.mark.parametrize("path", POST_FIELDS)
@FUZZ
@given(data=st.data())
def test_generated_json_bodies(world, path, data):
    client = world.client_for(path)
    if data.draw(st.booleans(), label="raw"):
        body = data.draw(raw_bodies, label="raw body")
    else:
        body = json.dumps(data.draw(json_bodies(POST_FIELDS[path]), label="body")).encode()
    before = world.snapshot()
    response = client.post(path, data=body, content_type="application/json")
    assert_no_server_error(world, response, before)


@pytest.mark.parametrize("path", POST_FIELDS)
@FUZZ
@given(data=st.data())
def test_generated_form_fields(world, path, data):
    client = world.client_for(path)
    fields = data.draw(st.fixed_dictionaries({}, optional={name: form_values for name in POST_FIELDS[path]}),
                       label="fields")
    accept = data.draw(st.sampled_from([HTML, {"Accept": "application/json"}]), label="accept")
    before = world.snapshot()
    response = client.post(path, data={**fields, "csrf_token": world.csrf_token(client)}, headers=accept)
    assert_no_server_error(world, response, before)


@pytest.mark.parametrize("path", QUERY_PARAMETERS)
@FUZZ
@given(data=st.data())
def test_generated_query_strings_and_addresses(world, path, data):
    client = world.admin if data.draw(st.booleans(), label="as admin") else world.holder
    names = QUERY_PARAMETERS[path]
    query = data.draw(st.fixed_dictionaries({}, optional={name: query_values for name in names}), label="query")
    if "{id}" in path:
        path = path.replace("{id}", data.draw(st.one_of(numbers.map(str), sendable_text), label="id"))
    accept = data.draw(st.sampled_from([HTML, {"Accept": "application/json"}, {}]), label="accept")
    before = world.snapshot()
    response = client.get(path, query_string=query, headers=accept)
    response.get_data()  # a streamed export fails while it streams, if at all
    assert_no_server_error(world, response, before)
