"""No administrator with a known password: a new database gets a generated or configured one, and
an administrator still on the old default "admin" must change it before doing anything else."""
import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from backend.database.schema import FIRST_REVISION, upgrade_schema
from tests.conftest import FAST_HASH, USER_PASSWORD, settings_for
from tests.migrated_template import MigratedTemplate
from tests.old_databases import fill_first_schema
from tests.pages import HTML, csrf_token, text
from tests.postgres import databases_under_test

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def new_app(make_app):
    """Call with a home: an application on a new database there (or the same one again: a restart),
    with no RESERVIA_ADMIN_PASSWORD unless given."""
    return lambda home, **overrides: make_app(home=home, migrated=False,
                                              **{"RESERVIA_ADMIN_PASSWORD": "", **overrides})


def _log(app):
    return Path(app.config["RESERVIA_LOG_FILE"]).read_text(encoding="utf-8")


def _login(app, name, password):
    return app.test_client().post("/session/login", json={"name": name, "password": password})


def test_a_new_database_gets_a_generated_password_kept_for_the_operator(tmp_path, capsys, new_app):
    home = tmp_path / "home"
    app = new_app(home)
    kept = home / "initial-admin-password"
    password = kept.read_text().strip()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(password) >= 20
    told = capsys.readouterr().err
    assert str(kept) in told and password not in told  # standard error here is no terminal
    assert password not in _log(app) and str(kept) in _log(app)
    assert _login(app, "admin", "admin").status_code == 401
    logged_in = _login(app, "admin", password)
    assert logged_in.status_code == 200 and "password_change_required" not in logged_in.json


def test_every_new_database_gets_a_different_password(tmp_path, new_app):
    new_app(tmp_path / "one")
    new_app(tmp_path / "two")
    kept = [(tmp_path / home / "initial-admin-password").read_text() for home in ("one", "two")]
    assert kept[0] != kept[1]


def test_the_password_is_shown_once_on_a_terminal(tmp_path):
    """`make run` in a terminal: the first start prints the password, later starts print nothing."""
    home = tmp_path / "home"
    # create_app itself is what is tested, in a process of its own (its connections end with it).
    start = [sys.executable, "-c", "from backend import create_app; create_app()"]
    env = {**os.environ, "RESERVIA_HOME": str(home), "RESERVIA_ADMIN_PASSWORD": "",
           "RESERVIA_PASSWORD_METHOD": FAST_HASH,
           "RESERVIA_DATABASE_URL": settings_for(home)["RESERVIA_DATABASE_URL"]}

    def console_of_a_start():
        controller, terminal = pty.openpty()
        try:
            subprocess.run(start, cwd=ROOT, env=env, stderr=terminal, stdout=subprocess.DEVNULL, check=True,
                           timeout=120)
            os.close(terminal)
            terminal = None
            chunks = []
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the terminal's other end is closed: all is read
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks).decode()
        finally:
            os.close(controller)
            if terminal is not None:
                os.close(terminal)

    first = console_of_a_start()
    password = (home / "initial-admin-password").read_text().strip()
    assert password in first and "initial-admin-password" in first
    assert password not in console_of_a_start()


def test_a_configured_password_is_used_and_nothing_is_written(tmp_path, capsys, new_app):
    home = tmp_path / "home"
    app = new_app(home, RESERVIA_ADMIN_PASSWORD="a-long-first-password")
    assert not (home / "initial-admin-password").exists()
    assert capsys.readouterr().err == ""
    assert _login(app, "admin", "a-long-first-password").status_code == 200


@pytest.mark.parametrize("weak", ["admin", "password", "12345678", "        "])
def test_a_weak_configured_password_stops_the_start(tmp_path, weak, new_app):
    with pytest.raises(ValueError, match="RESERVIA_ADMIN_PASSWORD"):
        new_app(tmp_path / "home", RESERVIA_ADMIN_PASSWORD=weak)


def test_the_kept_password_is_deleted_once_it_was_changed(tmp_path, new_app):
    home = tmp_path / "home"
    app = new_app(home)
    password = (home / "initial-admin-password").read_text().strip()
    new_app(home)  # a restart keeps it while it still works
    assert (home / "initial-admin-password").exists()
    admin = app.test_client()
    admin.post("/session/login", json={"name": "admin", "password": password})
    changed = admin.post("/session/password", json={"current_password": password,
                                                    "new_password": "my-own-chief-password"})
    assert changed.status_code == 200
    restarted = new_app(home)
    assert not (home / "initial-admin-password").exists()
    assert "initial-admin-password removed" in _log(restarted)


def _first_release_with_default_admin(engine):
    upgrade_schema(engine, FIRST_REVISION)
    with engine.begin() as connection:
        fill_first_schema(connection, users=(("admin", "admin", "admin"), ("carol", "user", "carol-password"),
                                             ("olga", "admin", "olga-password")))


@pytest.fixture(scope="module")
def upgraded_template(tmp_path_factory, _database_engine):
    """The first release's database, its administrator still on "admin", upgraded once for the module."""
    return MigratedTemplate(tmp_path_factory.mktemp("upgraded"), databases_under_test, name="reservia_upgraded",
                            prepare=_first_release_with_default_admin)


@pytest.fixture
def upgraded(tmp_path, make_app, upgraded_template):
    """An application on a copy of a database of the first release whose administrator kept
    "admin", with a second administrator (olga) and a user (carol); returns the app and a client
    logged in as admin."""
    upgraded_template.copy_to(tmp_path / "upgraded")
    app = make_app(home=tmp_path / "upgraded", migrated=False)
    admin = app.test_client()
    answer = admin.post("/session/login", json={"name": "admin", "password": "admin"})
    assert answer.status_code == 200
    assert answer.json["password_change_required"] is True
    return app, admin


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/reservation/active", None), ("GET", "/info/users", None), ("GET", "/info/get_version", None),
    ("POST", "/reservation/request", {"resource_id": 1}),
    ("POST", "/admin/user/add", {"name": "eve", "email": "eve@example.org", "password": "ember-password-1"}),
])
def test_json_calls_are_refused_until_the_default_password_is_changed(upgraded, method, path, body):
    app, admin = upgraded
    response = admin.open(path, method=method, json=body)
    assert response.status_code == 403
    assert response.json["code"] == "PASSWORD_CHANGE_REQUIRED"
    assert "/session/password" in response.json["error"]
    assert _login(app, "carol", "carol-password").status_code == 200  # nobody else is held up


def test_status_logout_and_the_password_change_still_answer(upgraded):
    app, admin = upgraded
    assert admin.get("/session/status").json["user_name"] == "admin"
    weak = admin.post("/session/password", json={"current_password": "admin", "new_password": "administrator"})
    assert weak.status_code == 400 and weak.json["code"] == "WEAK_PASSWORD"
    changed = admin.post("/session/password", json={"current_password": "admin",
                                                    "new_password": "a-password-of-my-own"})
    assert changed.status_code == 200
    assert admin.get("/reservation/active").status_code == 200
    assert admin.post("/admin/resource/add", json={"name": "bench-2"}).status_code == 201
    assert "password_change_required" not in _login(app, "admin", "a-password-of-my-own").json
    assert admin.post("/session/logout", json={}).status_code == 200


def test_every_page_leads_to_the_password_form(upgraded):
    _, admin = upgraded
    for path in ("/", "/reservation/mine", "/admin/users", "/admin/resources/1", "/admin/statistics"):
        response = admin.get(path, headers=HTML)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/session/password"
    page = text(admin.get("/session/password", headers=HTML))
    assert "You logged in with the old default password" in page
    form_post = admin.post("/reservation/request", headers=HTML, data={
        "csrf_token": csrf_token(admin, "/session/password"), "resource_id": "1"})
    assert form_post.headers["Location"] == "/session/password"


def test_logging_in_with_the_default_password_in_a_browser_opens_the_password_form(upgraded):
    app, _ = upgraded
    browser = app.test_client()
    response = browser.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(browser, "/session/login"), "name": "admin", "password": "admin",
        "next": "/admin/users"})
    assert response.headers["Location"] == "/session/password"


def test_other_administrators_are_told_and_the_log_warns(upgraded):
    app, _ = upgraded
    olga = app.test_client()
    olga.post("/session/login", json={"name": "olga", "password": "olga-password"})
    page = text(olga.get("/", headers=HTML))
    assert "The administrator “admin” still has the old default password “admin”." in page
    assert "flask --app app set-password admin" in page
    carol = app.test_client()
    carol.post("/session/login", json={"name": "carol", "password": "carol-password"})
    assert "default password" not in text(carol.get("/", headers=HTML))
    assert "the administrator 'admin' still has the old default password" in _log(app)


def test_an_administrator_resetting_the_password_lifts_the_requirement(upgraded):
    app, admin = upgraded
    olga = app.test_client()
    olga.post("/session/login", json={"name": "olga", "password": "olga-password"})
    assert olga.post("/admin/user/modify", json={"user_id": 1, "password": "reset-by-olga-1"}).status_code == 200
    fresh = _login(app, "admin", "reset-by-olga-1")
    assert "password_change_required" not in fresh.json
    assert "still has the old default password" not in text(olga.get("/", headers=HTML))


def test_the_command_line_can_reset_it_too(upgraded):
    app, _ = upgraded
    result = app.test_cli_runner().invoke(args=["set-password", "admin"], input="from-the-shell-1\nfrom-the-shell-1\n")
    assert result.exit_code == 0, result.output
    assert "password_change_required" not in _login(app, "admin", "from-the-shell-1").json


def test_users_with_other_passwords_are_never_held_up(upgraded):
    app, _ = upgraded
    carol = app.test_client()
    carol.post("/session/login", json={"name": "carol", "password": USER_PASSWORD})
    carol.post("/session/login", json={"name": "carol", "password": "carol-password"})
    assert carol.post("/reservation/release", json={"resource_id": 1}).status_code == 200
