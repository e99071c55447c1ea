"""Failed logins are held back per account name and per client address, in the database, and
without hashing while they are: a flood of guesses can neither find a password nor starve the server."""
from datetime import datetime, timezone
from pathlib import Path

import pytest

import backend.database.users
import backend.models.user
from backend.extensions import db
from tests.conftest import USER_PASSWORD, Accounts
from tests.pages import HTML, csrf_token, text

START = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)  # where conftest's `clock` stops


@pytest.fixture(scope="module")
def shared_app(module_app):
    """One application for the cases below, with alice; each case starts from no counted failures."""
    Accounts(module_app).add_user("alice")
    return module_app


@pytest.fixture
def app(shared_app):
    with shared_app.app_context():
        db.session.execute(db.text("DELETE FROM login_counters"))
        db.session.commit()
    return shared_app


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password checks (the slow hashing) logins make."""
    checked = []

    def counting(original):
        def check(password_hash, password):
            checked.append(password)
            return original(password_hash, password)
        return check

    for module in (backend.models.user, backend.database.users):
        monkeypatch.setattr(module, "check_password_hash", counting(module.check_password_hash))
    return checked


def login(app, name, password, address="192.0.2.10", **headers):
    return app.test_client().post("/session/login", json={"name": name, "password": password},
                                  environ_base={"REMOTE_ADDR": address}, headers=headers)


def fail(app, name, times, address="192.0.2.10"):
    for _ in range(times):
        assert login(app, name, "not-the-password", address).status_code == 401


def test_five_failures_lock_the_name_for_thirty_seconds_without_hashing(app, clock, hashes):
    fail(app, "alice", 5)
    hashes.clear()
    refused = login(app, "alice", USER_PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.json == {"error": "Too many failed logins for this user name: try again in 30 seconds.",
                            "code": "LOGIN_THROTTLED"}
    assert hashes == []  # refused before the password was looked at
    clock.advance(seconds=20)
    assert login(app, "alice", USER_PASSWORD).headers["Retry-After"] == "10"
    clock.advance(seconds=10)
    assert login(app, "alice", USER_PASSWORD).status_code == 200


def test_each_failure_after_a_lock_doubles_it(app, clock):
    fail(app, "alice", 5)
    waits = []
    for _ in range(6):
        clock.advance(seconds=int(login(app, "alice", "wrong").headers["Retry-After"]))
        assert login(app, "alice", "still-wrong").status_code == 401
        waits.append(int(login(app, "alice", "wrong").headers["Retry-After"]))
    assert waits == [60, 120, 240, 480, 900, 900]


def test_the_right_password_starts_the_count_again(app, clock):
    fail(app, "alice", 4)
    assert login(app, "alice", USER_PASSWORD).status_code == 200
    fail(app, "alice", 4)
    assert login(app, "alice", USER_PASSWORD).status_code == 200


def test_failures_spread_over_more_than_fifteen_minutes_lock_nothing(app, clock):
    fail(app, "alice", 4)
    clock.advance(minutes=15)
    fail(app, "alice", 4)
    assert login(app, "alice", USER_PASSWORD).status_code == 200


def test_names_are_counted_as_they_are_compared(app, clock):
    """ALICE, Alice and full-width ａｌｉｃｅ are one name, so one count; unknown names are locked
    alike, so a lock tells nothing about which names exist."""
    for name in ("ALICE", "Alice", "ａｌｉｃｅ", "alice", "alice"):
        assert login(app, name, "wrong").status_code == 401
    assert login(app, "alice", USER_PASSWORD).status_code == 429
    fail(app, "nobody-at-all", 5)
    assert login(app, "nobody-at-all", "x-y-z").json["code"] == "LOGIN_THROTTLED"


@pytest.mark.parametrize("body", [{"name": "alice"}, {"name": "alice", "password": ""},
                                  {"name": "alice", "password": 12345678}, {"name": "a" * 81, "password": "x"},
                                  {"name": "alice\x00", "password": "x"}])
def test_malformed_requests_are_400_and_count_for_nothing(app, clock, body):
    client = app.test_client()
    for _ in range(40):
        assert client.post("/session/login", json=body).status_code == 400
    assert login(app, "alice", USER_PASSWORD, address="127.0.0.1").status_code == 200


def test_an_address_may_fail_thirty_times_a_minute_whatever_the_names(app, clock, hashes):
    for number in range(30):
        assert login(app, f"guess-{number}", "wrong").status_code == 401
    hashes.clear()
    refused = login(app, "alice", USER_PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 60
    assert "from your network address" in refused.json["error"]
    assert hashes == []
    assert login(app, "alice", USER_PASSWORD, address="192.0.2.99").status_code == 200  # another machine
    clock.advance(minutes=1)
    assert login(app, "alice", USER_PASSWORD).status_code == 200


def test_an_ipv6_host_cannot_escape_by_changing_its_address(app, clock):
    """A host usually has a whole /64 to pick addresses from: that is what is counted."""
    for number in range(30):
        login(app, f"guess-{number}", "wrong", address=f"2001:db8:1:2::{number + 1:x}")
    assert login(app, "alice", USER_PASSWORD, address="2001:db8:1:2::ffff").status_code == 429
    assert login(app, "alice", USER_PASSWORD, address="2001:db8:1:3::1").status_code == 200


def test_successful_logins_are_never_held_back(app, clock):
    """A team behind one proxy, or a script logging in before each job."""
    for _ in range(60):
        assert login(app, "alice", USER_PASSWORD).status_code == 200


def test_forged_forwarded_for_headers_are_ignored_without_a_trusted_proxy(app, clock):
    for number in range(30):
        login(app, f"guess-{number}", "wrong", **{"X-Forwarded-For": f"198.51.100.{number}"})
    assert login(app, "alice", USER_PASSWORD, **{"X-Forwarded-For": "198.51.100.200"}).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(make_app, clock):
    app = make_app(RESERVIA_PROXIES=1)
    Accounts(app).add_user("alice")
    clock.drive(app)
    for number in range(30):
        login(app, f"guess-{number}", "wrong", address="10.0.0.1", **{"X-Forwarded-For": "198.51.100.7"})
    assert login(app, "alice", USER_PASSWORD, address="10.0.0.1",
                 **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    assert login(app, "alice", USER_PASSWORD, address="10.0.0.1",
                 **{"X-Forwarded-For": "198.51.100.8"}).status_code == 200


def test_the_login_page_says_when_to_try_again(app, clock):
    fail(app, "alice", 5, address="127.0.0.1")
    browser = app.test_client()
    response = browser.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(browser, "/session/login"), "name": "alice", "password": USER_PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert ('id="password-error">Too many failed logins for this user name: try again in 30 seconds.</p>'
            in text(response))


def test_the_log_records_locks_and_refusals(app, clock):
    fail(app, "alice", 5)
    login(app, "alice", USER_PASSWORD)
    log = Path(app.config["RESERVIA_LOG_FILE"]).read_text(encoding="utf-8")
    assert "[session] login locked name='alice' for 30s after 5 failures" in log
    assert "[session] login throttled name='alice' address=192.0.2.10 by=name retry_after=30s" in log
    assert USER_PASSWORD not in log


def test_an_operator_can_lift_a_lock(app, clock):
    fail(app, "alice", 5)
    cli = app.test_cli_runner()
    result = cli.invoke(args=["clear-login-failures", "ALICE"])
    assert result.exit_code == 0 and "Failed logins of 'ALICE' cleared." in result.output
    assert login(app, "alice", USER_PASSWORD).status_code == 200
    assert "No failed logins were counted" in cli.invoke(args=["clear-login-failures", "alice"]).output
    for number in range(30):
        login(app, f"guess-{number}", "wrong")
    result = cli.invoke(args=["clear-login-failures", "--address", "192.0.2.10"])
    assert "address 192.0.2.10" in result.output
    assert login(app, "alice", USER_PASSWORD).status_code == 200
    assert cli.invoke(args=["clear-login-failures"]).exit_code == 2


def test_every_process_and_host_sees_the_same_counters(app, clock, make_app):
    """A second application on the same database stands for another process or host."""
    other = make_app(RESERVIA_DATABASE_URL=app.config["RESERVIA_DATABASE_URL"])
    clock.drive(other)
    fail(app, "alice", 3)
    fail(other, "alice", 2)
    assert login(app, "alice", USER_PASSWORD).status_code == 429
    assert login(other, "alice", USER_PASSWORD).status_code == 429


def test_old_counters_are_deleted(app, clock):
    for number in range(10):
        login(app, f"guess-{number}", "wrong", address=f"192.0.2.{number}")
    clock.advance(hours=1)
    login(app, "someone", "wrong")
    with app.app_context():
        assert db.session.execute(db.text("SELECT count(*) FROM login_counters")).scalar() == 2


def test_an_operator_clears_the_locks_of_the_name_on_every_browser(app, clock):
    laptop = app.test_client()
    assert laptop.post("/session/login", json={"name": "alice", "password": USER_PASSWORD}).status_code == 200
    for _ in range(5):
        assert laptop.post("/session/login", json={"name": "alice", "password": "wrong"}).status_code == 401
    fail(app, "alice", 5)
    result = app.test_cli_runner().invoke(args=["clear-login-failures", "alice"])
    assert "Failed logins of 'alice' cleared." in result.output
    assert laptop.post("/session/login", json={"name": "alice", "password": USER_PASSWORD}).status_code == 200
    assert login(app, "alice", USER_PASSWORD).status_code == 200
