"""Health checks: the worker tries each resource's target (loopback only in tests), records how it
went, and a resource that fails N times in a row takes itself out of the pool, coming back only if
its check put it there."""
import socket
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from backend.database import get_database
from backend.extensions import db
from backend.models import Delivery, MaintenancePeriod, NotificationEvent, User
from backend.notifications.worker import DeliveryWorker
from tests.factories import Accounts
from tests.pages import HTML, post_form, refused_page, text
from tests.threaded_server import start_in_thread


@contextmanager
def listener():
    """A loopback TCP port that accepts connections: yields (port, socket)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1], server


def closed_port():
    """A loopback port nothing listens on (connections to it are refused)."""
    with listener() as (port, _):
        pass
    return port


class StatusServer:
    """A tiny HTTP server: GET answers `status` (settable), and counts the requests."""

    def __init__(self):
        self.status, self.requests = 200, 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests += 1
                self.send_response(owner.status)
                if 300 <= owner.status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/health"
        self._stop = start_in_thread(self.server)

    def stop(self):
        self._stop()


@pytest.fixture
def http_target():
    server = StatusServer()
    yield server
    server.stop()


@pytest.fixture
def worker(app, clock):
    return DeliveryWorker(app)


def set_check(admin, resource_id, kind, target, **extra):
    answer = admin.post("/admin/resource/health_check", json={"resource_id": resource_id, "kind": kind,
                                                              "target": target, **extra})
    assert answer.status_code == 200, answer.json
    return answer.json


def resource_info(client, resource_id):
    return next(r for r in client.get("/info/resources").json["resources"] if r["id"] == resource_id)


def run_checks(app, worker, clock, times=1, interval=60):
    """Run the due checks `times` times, moving the clock on to the next check after each."""
    outcomes = []
    for _ in range(times):
        with app.app_context():
            outcomes.append(worker.run_health_checks(get_database()))
        clock.advance(seconds=interval)
    return outcomes


def test_a_resource_without_a_check_has_unknown_health(accounts):
    bench = accounts.add_resource("bench-1")
    info = resource_info(accounts.admin, bench)
    assert (info["health_check"], info["health"], info["maintenance_reason"]) == (
        None, {"status": "unknown", "last_checked": None, "last_error": None}, None)


def test_a_tcp_check_is_ok_while_the_port_accepts(app, accounts, worker, clock):
    bench = accounts.add_resource("bench-1")
    with listener() as (port, _):
        set_check(accounts.admin, bench, "tcp", f"127.0.0.1:{port}", interval_seconds=30)
        checked_at = clock.now
        assert run_checks(app, worker, clock) == [{bench: "ok"}]
    info = resource_info(accounts.user("alice"), bench)
    assert info["health_check"] == {"kind": "tcp", "target": f"127.0.0.1:{port}", "interval_seconds": 30,
                                    "timeout_seconds": 5, "failures_before_maintenance": 3}
    assert info["health"] == {"status": "ok", "last_checked": checked_at.isoformat(), "last_error": None}


def test_a_tcp_check_fails_when_the_port_refuses(app, accounts, worker, clock):
    bench = accounts.add_resource("bench-1")
    set_check(accounts.admin, bench, "tcp", f"127.0.0.1:{closed_port()}")
    assert run_checks(app, worker, clock) == [{bench: "failing"}]
    info = resource_info(accounts.admin, bench)
    health = info["health"]
    assert (health["status"], health["last_error"], info["maintenance"]) == ("failing", "refused", False)


def test_a_check_is_not_run_again_before_its_interval(app, accounts, worker, clock):
    bench = accounts.add_resource("bench-1")
    set_check(accounts.admin, bench, "tcp", f"127.0.0.1:{closed_port()}", interval_seconds=600)
    assert run_checks(app, worker, clock, times=3, interval=60) == [{bench: "failing"}, {}, {}]


@pytest.mark.parametrize("status, health, error", [(200, "ok", None), (204, "ok", None), (302, "ok", None),
                                                    (404, "failing", "http 404"), (503, "failing", "http 503")])
def test_an_http_check_is_ok_on_2xx_and_3xx(app, accounts, worker, clock, http_target, status, health, error):
    bench = accounts.add_resource("bench-1")
    http_target.status = status
    set_check(accounts.admin, bench, "http", http_target.url)
    run_checks(app, worker, clock)
    assert http_target.requests == 1  # the redirect is not followed
    assert resource_info(accounts.admin, bench)["health"]["status"] == health
    assert resource_info(accounts.admin, bench)["health"]["last_error"] == error


def test_failures_in_a_row_put_the_resource_in_maintenance_and_tell_holder_and_admins(
        app, accounts, worker, clock, http_target):
    bench, alice = accounts.queue_of("bench-1", "alice")
    http_target.status = 503
    set_check(accounts.admin, bench, "http", http_target.url, failures_before_maintenance=3)
    assert run_checks(app, worker, clock, times=3) == [{bench: "failing"}, {bench: "failing"}, {bench: "maintenance"}]
    info = resource_info(alice, bench)
    assert (info["maintenance"], info["maintenance_reason"]) == (True, "health check failed: http 503")
    with app.app_context():
        [event] = db.session.scalars(select(NotificationEvent).where(NotificationEvent.event == "resource_changed"))
        assert (event.resource_id, event.reason) == (bench, "health check failed: http 503")
        alice_id = next(u["id"] for u in accounts.admin.get("/info/users").json["users"] if u["name"] == "alice")
        assert event.detail["holder_id"] == alice_id and event.detail["maintenance"] is True
        [period] = db.session.scalars(select(MaintenancePeriod))
        assert (period.resource_id, period.ended_at, period.reason) == (bench, None, "health check failed: http 503")


def test_the_holder_and_the_admins_get_the_event(app, accounts, worker, clock, http_target):
    bench, alice = accounts.queue_of("bench-1", "alice")
    accounts.admin.post("/session/notifications", json={"resource_changed_email": True})
    http_target.status = 500
    set_check(accounts.admin, bench, "http", http_target.url, failures_before_maintenance=1)
    run_checks(app, worker, clock)
    with app.app_context():
        get_database().deliveries.fan_out(lambda record, channel, hook: record.event.reason, email_enabled=True)
        rows = db.session.execute(select(User.name, Delivery.channel).join(User, User.id == Delivery.user_id)
                                  .order_by(User.name)).all()
    assert [tuple(row) for row in rows] == [("admin", "email"), ("alice", "email")]


def test_a_resource_comes_back_when_its_check_answers_again(app, accounts, worker, clock, http_target):
    bench, alice, bob = accounts.queue_of("bench-1", "alice", "bob")
    assert alice.post("/reservation/release", json={"resource_id": bench}).status_code == 200
    assert bob.post("/reservation/release", json={"resource_id": bench}).status_code == 200
    http_target.status = 503
    set_check(accounts.admin, bench, "http", http_target.url, failures_before_maintenance=1)
    run_checks(app, worker, clock)
    assert alice.post("/reservation/request", json={"resource_id": bench}).json["status"] == "requested"
    http_target.status = 200
    answered_at = clock.now
    assert run_checks(app, worker, clock) == [{bench: "recovered"}]
    info = resource_info(alice, bench)
    assert (info["maintenance"], info["maintenance_reason"], info["health"]["status"]) == (False, None, "ok")
    # The queue moved again at once: alice, who waited, holds it.
    assert alice.get(f"/reservation/active/user?resource_id={bench}").json["reservation"]["status"] == "approved"
    with app.app_context():
        [period] = db.session.scalars(select(MaintenancePeriod))
        assert period.ended_at == answered_at


def test_a_maintenance_an_administrator_started_stays_when_the_check_passes(app, accounts, worker, clock, http_target):
    bench = accounts.add_resource("bench-1")
    set_check(accounts.admin, bench, "http", http_target.url, failures_before_maintenance=1)
    put_in = accounts.admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": True})
    assert put_in.status_code == 200
    assert run_checks(app, worker, clock) == [{bench: "ok"}]
    assert resource_info(accounts.admin, bench)["maintenance"] is True


def test_a_maintenance_an_administrator_took_over_is_theirs_to_end(app, accounts, worker, clock, http_target):
    bench = accounts.add_resource("bench-1")
    http_target.status = 503
    set_check(accounts.admin, bench, "http", http_target.url, failures_before_maintenance=1)
    run_checks(app, worker, clock)
    admin = accounts.admin
    admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": False})
    admin.post("/admin/resource/modify", json={"resource_id": bench, "maintenance": True})
    http_target.status = 200
    assert run_checks(app, worker, clock) == [{bench: "ok"}]
    assert resource_info(admin, bench)["maintenance"] is True


def test_two_workers_never_run_one_check_twice(app, make_app, accounts, clock, http_target):
    bench = accounts.add_resource("bench-1")
    set_check(accounts.admin, bench, "http", http_target.url)
    other = make_app(RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"])
    clock.drive(other)
    with app.app_context():
        first = get_database().health_checks.claim_due()
    with other.app_context():
        second = get_database().health_checks.claim_due()
    assert ([c.resource_id for c in first], second) == ([bench], [])
    # A claim whose worker died runs out: then another worker takes the check over.
    clock.advance(seconds=first[0].timeout_seconds + 31)
    with other.app_context():
        assert [c.resource_id for c in get_database().health_checks.claim_due()] == [bench]
    with app.app_context():
        assert get_database().health_checks.record(first[0], True) == "lost"


def test_a_blocked_target_is_refused_without_connecting(make_app, clock):
    app = make_app(RESERVIA_WEBHOOK_HOSTS="*")  # loopback not opened
    clock.drive(app)
    accounts = Accounts(app)
    bench = accounts.add_resource("bench-1")
    with listener() as (port, server):
        set_check(accounts.admin, bench, "tcp", f"127.0.0.1:{port}")
        with app.app_context():
            assert DeliveryWorker(app).run_health_checks(get_database()) == {bench: "failing"}
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert resource_info(accounts.admin, bench)["health"]["last_error"] == "blocked"


@pytest.mark.parametrize("body, field", [
    ({"kind": "tcp", "target": "bench-3.lab"}, "target"), ({"kind": "tcp", "target": "http://x/"}, "target"),
    ({"kind": "http", "target": "ftp://x"}, "target"), ({"kind": "ping", "target": "x:1"}, "kind"),
    ({"kind": "tcp", "target": "x:1", "interval_seconds": 0}, "interval_seconds")])
def test_bad_checks_are_refused(accounts, body, field):
    bench = accounts.add_resource("bench-1")
    answer = accounts.admin.post("/admin/resource/health_check", json={"resource_id": bench, **body})
    assert answer.status_code == 400 and field in answer.json["fields"], answer.json
    assert resource_info(accounts.admin, bench)["health_check"] is None


def test_only_administrators_set_checks_and_removing_one_twice_is_not_found(accounts):
    bench = accounts.add_resource("bench-1")
    refused = accounts.user("alice").post("/admin/resource/health_check",
                                          json={"resource_id": bench, "kind": "tcp", "target": "x:1"})
    assert refused.status_code == 403
    set_check(accounts.admin, bench, "tcp", "127.0.0.1:9")
    assert accounts.admin.post("/admin/resource/health_check/remove", json={"resource_id": bench}).status_code == 200
    again = accounts.admin.post("/admin/resource/health_check/remove", json={"resource_id": bench})
    assert (again.status_code, again.json["code"]) == (404, "HEALTH_CHECK_NOT_FOUND")
    assert resource_info(accounts.admin, bench)["health_check"] is None


def test_the_command_line_sets_and_removes_a_check(app, accounts):
    bench = accounts.add_resource("bench-1")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["health-check", "bench-1", "--kind", "tcp", "--target", "127.0.0.1:22"])
    assert result.exit_code == 0, result.output
    assert resource_info(accounts.admin, bench)["health_check"]["target"] == "127.0.0.1:22"
    bad = runner.invoke(args=["health-check", "bench-1", "--kind", "tcp", "--target", "nowhere"])
    assert bad.exit_code != 0 and "port" in bad.output
    assert runner.invoke(args=["health-check", "bench-1", "--remove"]).exit_code == 0
    assert resource_info(accounts.admin, bench)["health_check"] is None


def test_the_dashboard_card_shows_the_health_and_why_it_is_in_maintenance(app, accounts, worker, clock, http_target):
    bench = accounts.add_resource("bench-1")
    http_target.status = 503
    set_check(accounts.admin, bench, "http", http_target.url, failures_before_maintenance=1)
    alice = accounts.user("alice")
    assert "Health: <strong>not checked yet</strong>" in alice.get("/").get_data(as_text=True)
    run_checks(app, worker, clock)
    page = alice.get("/").get_data(as_text=True)
    assert "Health: <strong>not answering</strong>" in page and "(http 503)" in page
    assert "Health check failed: http 503." in page


def test_an_administrator_sets_a_check_on_the_resource_page(app, accounts):
    bench = accounts.add_resource("bench-1")
    admin, page = accounts.admin, f"/admin/resources/{bench}"
    sent = post_form(admin, "/admin/resource/health_check", page, resource_id=bench, kind="tcp",
                     target="127.0.0.1:22", next=f"{page}#health")
    assert sent.status_code == 302
    assert resource_info(admin, bench)["health_check"]["target"] == "127.0.0.1:22"
    assert "tcp 127.0.0.1:22, unknown" in text(admin.get(page, headers=HTML))
    refused = post_form(admin, "/admin/resource/health_check", page, resource_id=bench, kind="tcp",
                        target="nowhere", next=f"{page}#health")
    assert "A tcp target needs its port" in text(refused_page(admin, refused))
    assert resource_info(admin, bench)["health_check"]["target"] == "127.0.0.1:22"
