"""GET /openapi.json stays true: a valid OpenAPI 3.1 document, every route described, every status
a route answers documented, every documented status answered, and answers shaped as documented."""
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy import text

from backend.extensions import db
from backend.web.openapi import NO_TOKEN_CHECK, pages
from backend.web.openapi_operations import ADMIN, ANYONE, OPERATIONS
from tests.conftest import USER_PASSWORD, Accounts
from tests.openapi_bookings import booking_scenario
from tests.openapi_groups import groups_scenario
from tests.pages import HTML

pytestmark = pytest.mark.once

# Documented but not provoked here: a database that stays busy for the whole busy time-out, or
# a directory that does not answer.
NOT_PROVOKED = {"503"}
# Provoked against a real directory by tests/test_ldap_sign_in.py: the directory's password right,
# but its owner refused (deactivated, or in none of the allowed groups).
PROVOKED_ELSEWHERE = {("post", "/session/login", "403")}
BAD_TOKEN = {"Authorization": "Bearer rsv_no-such-token"}


class Probe:
    """Calls the application and records which status each documented operation answered."""

    def __init__(self, app, document):
        self.app = app
        self.document = document
        self.seen = {}
        self.accounts = Accounts(app)

    def call(self, client, method, template, url=None, check=None, **kwargs):
        response = client.open(url or template, method=method.upper(), buffered=True, **kwargs)
        self.seen.setdefault((template, method), set()).add(str(response.status_code))
        if check is not None:
            assert response.status_code == check, (method, url or template, response.get_data(as_text=True))
        operation = self.document["paths"][template][method]
        documented = operation["responses"].get(str(response.status_code))
        if documented and response.is_json:
            # Errors too: their `code` must be one the description lists for that status.
            schema = documented["content"]["application/json"]["schema"]
            Draft202012Validator(self.resolved(schema)).validate(response.json)
        return response

    def resolved(self, schema):
        if isinstance(schema, dict):
            if "$ref" in schema:
                return self.resolved(self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
            return {k: self.resolved(v) for k, v in schema.items()}
        if isinstance(schema, list):
            return [self.resolved(v) for v in schema]
        return schema


@pytest.fixture(scope="module")
def app(module_app):
    """One application for the module: the cases share its world."""
    return module_app


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/openapi.json").json


def spec_path(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_the_description_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_route_is_described_and_every_description_is_a_route(app, document):
    routes = {(spec_path(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert routes - described == set(), "routes without a description"
    assert described - routes == set(), "descriptions of routes that do not exist"


def test_every_documented_status_is_answered_and_every_answer_documented(app, document):
    probe = Probe(app, document)
    _generic_probes(probe)
    _scenario(probe)
    booking_scenario(probe)
    groups_scenario(probe)
    _pages(probe)
    undocumented, unanswered = [], []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            seen = probe.seen.get((path, method), set())
            undocumented += [(method, path, s) for s in seen - documented]
            unanswered += [(method, path, s) for s in documented - seen - NOT_PROVOKED
                           if (method, path, s) not in PROVOKED_ELSEWHERE]
    assert undocumented == [], "answers the description does not mention"
    assert unanswered == [], "documented answers never seen"


def _generic_probes(probe):
    """What every operation answers for who calls it and how: 401, 403, 415."""
    accounts = probe.accounts
    alice = accounts.user("alice")
    for method, path, who, *_ in OPERATIONS:
        url = re.sub(r"\{\w+\}", "1", path)
        body = {"json": {}} if method == "post" else {}
        if who != ANYONE:
            probe.call(probe.app.test_client(), method, path, url, check=401, **body)
        if path not in NO_TOKEN_CHECK:
            probe.call(probe.app.test_client(), method, path, url, check=401, headers=BAD_TOKEN, **body)
        if who == ADMIN:
            probe.call(alice, method, path, url, check=403, **body)
        if method == "post":
            probe.call(alice if who != ADMIN else accounts.admin, method, path, url, check=415,
                       data="{}", content_type="text/plain")


def _scenario(probe):
    """One story through the whole API: each step's status is checked and recorded."""
    accounts, call = probe.accounts, probe.call
    admin = accounts.admin
    alice, bob = accounts.login("alice"), accounts.user("bob")
    bench = accounts.add_resource("bench-1")
    accounts.admin.post("/admin/resource/add", json={"name": "scope-1", "labels": ["scope"]})

    call(probe.app.test_client(), "get", "/info/is_alive", check=200)
    call(alice, "get", "/info/get_version", check=200)
    call(alice, "get", "/info/resources", check=200)
    call(alice, "get", "/info/labels", check=200)
    call(admin, "get", "/info/users", check=200)
    call(probe.app.test_client(), "get", "/openapi.json", check=200)

    visitor = probe.app.test_client()
    call(visitor, "post", "/session/login", json={"name": "alice", "password": USER_PASSWORD}, check=200)
    call(visitor, "post", "/session/login", json={"name": 1, "password": "x"}, check=400)
    for guess in range(probe.app.config["RESERVIA_LOGIN_MAX_FAILURES"]):
        call(visitor, "post", "/session/login", json={"name": "mallory", "password": f"guess-{guess}"}, check=401)
    throttled = call(visitor, "post", "/session/login", json={"name": "mallory", "password": "guess"}, check=429)
    assert int(throttled.headers["Retry-After"]) > 0
    call(visitor, "post", "/session/logout", json={}, check=200)
    call(visitor, "get", "/session/status", check=200)
    call(alice, "post", "/session/password", json={"current_password": "wrong", "new_password": "long-enough"},
         check=400)
    carol = accounts.user("carol")
    call(carol, "post", "/session/password", json={"current_password": USER_PASSWORD,
                                                    "new_password": "amber-new-password"}, check=200)
    probe.app.config["RESERVIA_AUTH"] = "remote_user"  # Apache signs sso-user in: Reservia keeps no password
    intranet = probe.app.test_client()
    intranet.environ_base["REMOTE_USER"] = "sso-user"
    call(intranet, "post", "/session/password", json={"current_password": "none", "new_password": "amber-new-password"},
         check=409)
    probe.app.config["RESERVIA_AUTH"] = "local"

    made = call(alice, "post", "/session/tokens", json={"name": "ci"}, check=201).json
    call(alice, "post", "/session/tokens", json={}, check=400)
    with_token = {"Authorization": f"Bearer {made['token']}"}
    call(probe.app.test_client(), "post", "/session/tokens", json={"name": "more"}, headers=with_token, check=403)
    call(probe.app.test_client(), "post", "/session/logout", json={}, headers=with_token, check=400)
    call(alice, "get", "/session/tokens", check=200)
    call(alice, "get", "/session/tokens", "/session/tokens?user_id=x", check=400)
    call(alice, "get", "/session/tokens", "/session/tokens?all=true", check=403)
    call(alice, "post", "/session/tokens/revoke", json={"token_id": made["token_id"]}, check=200)
    call(alice, "post", "/session/tokens/revoke", json={"token_id": made["token_id"]}, check=404)
    call(alice, "post", "/session/tokens/revoke", json={}, check=400)

    dave = call(admin, "post", "/admin/user/add", json={"name": "dave", "email": "dave@example.org",
                                                        "password": "dusty-password"}, check=201).json["user_id"]
    call(admin, "post", "/admin/user/add", json={"name": "dave", "email": "d2@example.org",
                                                 "password": "dusty-password"}, check=409)
    call(admin, "post", "/admin/user/add", json={"name": "x"}, check=400)
    spare = call(admin, "post", "/admin/resource/add", json={"name": "spare"}, check=201).json["resource_id"]
    call(admin, "post", "/admin/resource/add", json={"name": "spare"}, check=409)
    call(admin, "post", "/admin/resource/add", json={}, check=400)
    call(admin, "post", "/admin/user/modify", json={"user_id": dave, "email": "dave2@example.org"}, check=200)
    call(admin, "post", "/admin/user/modify", json={"user_id": 9999, "email": "n@example.org"}, check=404)
    call(admin, "post", "/admin/user/modify", json={"user_id": dave, "email": "alice@example.org"}, check=409)
    call(admin, "post", "/admin/user/modify", json={}, check=400)
    call(admin, "post", "/admin/user/unlock", json={"user_id": dave}, check=200)
    call(admin, "post", "/admin/user/unlock", json={"user_id": 9999}, check=404)
    call(admin, "post", "/admin/user/unlock", json={}, check=400)
    call(admin, "post", "/admin/user/delete", json={"user_id": dave}, check=200)
    call(admin, "post", "/admin/user/delete", json={"user_id": 9999}, check=404)
    call(admin, "post", "/admin/user/delete", json={"user_id": 1}, check=409)
    call(admin, "post", "/admin/user/delete", json={}, check=400)
    call(admin, "post", "/admin/resource/modify", json={"resource_id": spare, "comment": "c"}, check=200)
    call(admin, "post", "/admin/resource/modify", json={"resource_id": 9999, "comment": "c"}, check=404)
    call(admin, "post", "/admin/resource/modify", json={"resource_id": spare, "name": "bench-1"}, check=409)
    call(admin, "post", "/admin/resource/modify", json={}, check=400)
    call(admin, "post", "/admin/resource/delete", json={"resource_id": spare}, check=200)
    call(admin, "post", "/admin/resource/delete", json={"resource_id": 9999}, check=404)
    call(admin, "post", "/admin/resource/delete", json={}, check=400)

    held = call(alice, "post", "/reservation/request", json={"resource_id": bench, "lease_seconds": 60},
                check=201).json
    call(alice, "post", "/reservation/request", json={"resource_id": bench}, check=409)
    call(alice, "post", "/reservation/request", json={"resource_id": 9999}, check=404)
    call(alice, "post", "/reservation/request", json={}, check=400)
    queued = call(bob, "post", "/reservation/request", json={"resource_id": bench}, check=201).json
    call(admin, "post", "/admin/resource/delete", json={"resource_id": bench}, check=409)
    call(alice, "get", "/reservation/wait", f"/reservation/wait?request_id={held['request_id']}", check=200)
    call(alice, "get", "/reservation/wait", "/reservation/wait?request_id=x", check=400)
    call(alice, "get", "/reservation/wait", f"/reservation/wait?request_id={queued['request_id']}", check=404)
    call(alice, "post", "/reservation/keep_alive", json={"request_id": held["request_id"]}, check=200)
    call(bob, "post", "/reservation/keep_alive", json={"request_id": held["request_id"]}, check=404)
    call(bob, "post", "/reservation/keep_alive", json={}, check=400)
    call(alice, "post", "/reservation/cancel", json={"resource_id": bench}, check=409)
    call(bob, "post", "/reservation/release", json={"resource_id": bench}, check=409)
    call(alice, "get", "/reservation/active", check=200)
    call(alice, "get", "/reservation/active", "/reservation/active?resource_id=x", check=400)
    call(alice, "get", "/reservation/active/all_users", check=200)
    call(alice, "get", "/reservation/active/all_users", "/reservation/active/all_users?resource_id=0", check=400)
    call(alice, "get", "/reservation/active/user", f"/reservation/active/user?resource_id={bench}", check=200)
    call(alice, "get", "/reservation/active/user", "/reservation/active/user", check=400)
    call(alice, "get", "/reservation/active/user", "/reservation/active/user?resource_id=9999", check=404)
    call(admin, "post", "/admin/reservation/remove", json={"reservation_id": held["request_id"]}, check=409)
    call(admin, "post", "/admin/reservation/remove", json={"reservation_id": queued["request_id"]}, check=200)
    call(admin, "post", "/admin/reservation/remove", json={"reservation_id": 9999}, check=404)
    call(admin, "post", "/admin/reservation/remove", json={}, check=400)
    call(admin, "post", "/admin/reservation/force_release", json={"resource_id": bench}, check=200)
    call(admin, "post", "/admin/reservation/force_release", json={"resource_id": bench}, check=404)
    call(admin, "post", "/admin/reservation/force_release", json={}, check=400)
    call(alice, "post", "/reservation/request", json={"resource_id": bench}, check=201)
    queued = call(bob, "post", "/reservation/request", json={"resource_id": bench}, check=201).json
    call(bob, "post", "/reservation/cancel", json={"request_id": queued["request_id"]}, check=200)
    call(bob, "post", "/reservation/cancel", json={"resource_id": bench}, check=404)
    call(bob, "post", "/reservation/cancel", json={}, check=400)
    call(alice, "post", "/reservation/release", json={"resource_id": bench}, check=200)
    call(alice, "post", "/reservation/release", json={"resource_id": bench}, check=404)
    call(alice, "post", "/reservation/release", json={}, check=400)

    call(admin, "get", "/admin/statistics", check=200)
    for path in ("/admin/audit", "/admin/audit.csv"):
        call(admin, "get", path, f"{path}?action=resource.create", check=200)
        call(admin, "get", path, f"{path}?from=yesterday", check=400)
    call(admin, "get", "/admin/statistics", "/admin/statistics?since=yesterday", check=400)
    for path in ("/reservation/history", "/reservation/history/export"):
        call(alice, "get", path, check=200)
        call(alice, "get", path, f"{path}?since=soon", check=400)
        call(alice, "get", path, f"{path}?user_id=1", check=403)
        call(alice, "get", path, f"{path}?resource_id=9999", check=404)

    call(alice, "get", "/session/notifications", check=200)
    call(alice, "post", "/session/notifications", json={"granted_browser": False}, check=200)
    call(alice, "post", "/session/notifications", json={"granted_browser": "no"}, check=400)
    call(alice, "post", "/session/notifications", json={"resource_changed_email": True}, check=403)
    validator = call(alice, "get", "/session/notifications/feed", check=200).headers["ETag"]
    call(alice, "get", "/session/notifications/feed", headers={"If-None-Match": validator}, check=304)
    call(alice, "get", "/session/notifications/feed", "/session/notifications/feed?since=soon", check=400)
    hook = call(alice, "post", "/session/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["granted"]},
                check=201).json
    call(alice, "post", "/session/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["granted"]},
         check=409)
    call(alice, "post", "/session/webhooks", json={"url": "http://127.0.0.1:9/other", "events": ["resource_changed"]},
         check=403)
    call(alice, "post", "/session/webhooks", json={"url": "ftp://nowhere", "events": ["granted"]}, check=400)
    call(alice, "get", "/session/webhooks", check=200)
    call(alice, "post", "/session/webhooks/test", json={"webhook_id": hook["webhook_id"]}, check=202)
    call(alice, "post", "/session/webhooks/test", json={"webhook_id": 9999}, check=404)
    call(alice, "post", "/session/webhooks/test", json={}, check=400)
    for _ in range(5):  # six tests a minute: the seventh is refused
        call(alice, "post", "/session/webhooks/test", json={"webhook_id": hook["webhook_id"]}, check=202)
    call(alice, "post", "/session/webhooks/test", json={"webhook_id": hook["webhook_id"]}, check=429)
    with probe.app.app_context():  # as migration 0007 leaves a webhook whose URL it refuses
        db.session.execute(text("UPDATE webhooks SET disabled_reason = 'not a URL' WHERE id = :id"),
                           {"id": hook["webhook_id"]})
        db.session.commit()
    call(alice, "post", "/session/webhooks/test", json={"webhook_id": hook["webhook_id"]}, check=409)
    deliveries = f"/session/webhooks/deliveries?webhook_id={hook['webhook_id']}"
    call(alice, "get", "/session/webhooks/deliveries", deliveries, check=200)
    call(alice, "get", "/session/webhooks/deliveries", "/session/webhooks/deliveries?webhook_id=9999", check=404)
    call(alice, "get", "/session/webhooks/deliveries", "/session/webhooks/deliveries", check=400)
    call(alice, "post", "/session/webhooks/remove", json={"webhook_id": hook["webhook_id"]}, check=200)
    call(alice, "post", "/session/webhooks/remove", json={"webhook_id": hook["webhook_id"]}, check=404)
    call(alice, "post", "/session/webhooks/remove", json={}, check=400)
    _observability(probe, alice, bench)


def _observability(probe, alice, bench):
    """Metrics, reports and health checks."""
    call, admin = probe.call, probe.accounts.admin
    check = {"resource_id": bench, "kind": "tcp", "target": "127.0.0.1:9"}
    call(admin, "post", "/admin/resource/health_check", json=check, check=200)
    call(admin, "post", "/admin/resource/health_check", json={**check, "resource_id": 9999}, check=404)
    call(admin, "post", "/admin/resource/health_check", json={**check, "target": "nowhere"}, check=400)
    call(admin, "post", "/admin/resource/health_check/remove", json={"resource_id": bench}, check=200)
    call(admin, "post", "/admin/resource/health_check/remove", json={"resource_id": bench}, check=404)
    call(admin, "post", "/admin/resource/health_check/remove", json={}, check=400)
    for path in ("/reports/utilization", "/reports/utilization.csv"):
        call(alice, "get", path, check=200)
        call(alice, "get", path, f"{path}?group_by=year", check=400)
    call(admin, "get", "/metrics", check=200)
    call(alice, "get", "/metrics", check=403)


def _pages(probe):
    """Pages answer people: the page, the way to the login form, refusals and missing pages; and
    an API token, whatever the Accept header, a JSON refusal."""
    accounts = probe.accounts
    admin, alice, anonymous = accounts.admin, accounts.login("alice"), probe.app.test_client()
    resource_id = accounts.add_resource("page-bench")
    token = {"Authorization": f"Bearer {alice.post('/session/tokens', json={'name': 'pages'}).json['token']}"}
    for path, method, who, _ in pages(probe.app):
        if path == "/static/{filename}":
            continue
        url = path.replace("{user_id}", "1").replace("{resource_id}", str(resource_id))
        probe.call(admin if who == ADMIN else alice, method, path, url, check=200, headers=HTML)
        if who != ANYONE:
            probe.call(anonymous, method, path, url, check=302, headers=HTML)
        if who == ADMIN:
            probe.call(alice, method, path, url, check=403, headers=HTML)
        if "{" in path:
            probe.call(admin, method, path, re.sub(r"\{\w+\}", "99999", path), check=404, headers=HTML)
        refused = probe.call(anonymous, method, path, url, check=403, headers={**HTML, **token})
        assert refused.json["code"] == "TOKEN_NOT_FOR_PAGES"
    probe.call(anonymous, "get", "/static/{filename}", "/static/css/reservia.css", check=200)
    probe.call(anonymous, "get", "/static/{filename}", "/static/nothing-here.css", check=404)
