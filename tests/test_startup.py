"""What an operator meets on first start: generated secret key, default administrator, log, settings."""
import stat
from pathlib import Path

import pytest

from backend import create_app
from config import load_settings
from tests.conftest import FAST_HASH, dispose


@pytest.fixture
def fresh_app():
    """Call with a home: create_app itself is under test here, so it is called directly with the
    bare settings an operator might give (not conftest's `make_app`, which adds the tests' own);
    what it builds is disposed when the test ends."""
    made = []

    def build(home, **overrides):
        settings = {"TESTING": True, "RESERVIA_HOME": str(home), "RESERVIA_PASSWORD_METHOD": FAST_HASH}
        settings.update(overrides)
        made.append(create_app(settings))
        return made[-1]

    yield build
    for app in made:
        dispose(app)


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch, fresh_app):
    monkeypatch.delenv("RESERVIA_SECRET_KEY", raising=False)
    first = fresh_app(tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert fresh_app(tmp_path).config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_data_folder_and_its_files_are_private(tmp_path, monkeypatch, fresh_app):
    """The folder Reservia makes is 0700; the database, its WAL and shared-memory files and the
    log are 0600, whatever the umask: they hold password hashes and who did what."""
    monkeypatch.delenv("RESERVIA_SECRET_KEY", raising=False)
    home = tmp_path / "home"
    app = fresh_app(home, RESERVIA_DATABASE_URL="", RESERVIA_ADMIN_PASSWORD="a-better-password")
    app.test_client().post("/session/login", json={"name": "admin", "password": "a-better-password"})
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = {path.name: stat.S_IMODE(path.stat().st_mode) for path in home.iterdir()}
    assert {"reservia.sqlite3", "reservia.sqlite3-wal", "reservia.sqlite3-shm", "reservia.log",
            "secret_key"} <= set(files)
    assert set(files.values()) == {0o600}, files


def test_a_data_folder_the_operator_made_keeps_its_mode(tmp_path, fresh_app):
    home = tmp_path / "home"
    home.mkdir(mode=0o750)
    home.chmod(0o750)
    fresh_app(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o750


def test_rotated_logs_are_private_too(tmp_path, fresh_app):
    app = fresh_app(tmp_path, RESERVIA_LOG_MAX_BYTES=300, RESERVIA_ADMIN_PASSWORD="a-better-password")
    client = app.test_client()
    for _ in range(5):
        client.get("/info/get_version")
    logs = sorted(tmp_path.glob("reservia.log*"))
    assert len(logs) > 1
    assert {stat.S_IMODE(log.stat().st_mode) for log in logs} == {0o600}


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch, fresh_app):
    monkeypatch.setenv("RESERVIA_SECRET_KEY", "from-the-environment")
    assert fresh_app(tmp_path).config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_log_records_access_and_lifecycle(tmp_path, fresh_app):
    app = fresh_app(tmp_path, RESERVIA_ADMIN_PASSWORD="a-better-password")
    client = app.test_client()
    client.post("/session/login", json={"name": "admin", "password": "a-better-password"})
    resource_id = client.post("/admin/resource/add", json={"name": "bench-1"}).json["resource_id"]
    client.post("/reservation/request", json={"resource_id": resource_id})
    log_text = Path(app.config["RESERVIA_LOG_FILE"]).read_text(encoding="utf-8")
    assert "[access] POST /reservation/request 201 user=admin" in log_text
    assert "[reservation] approved reservation=1" in log_text
    assert "[session] login user='admin'" in log_text
    assert "a-better-password" not in log_text


def test_settings_come_from_the_environment(tmp_path):
    settings = load_settings(environ={
        "RESERVIA_HOME": str(tmp_path), "RESERVIA_HOLD_MINUTES": "25",
        "RESERVIA_SECURE_COOKIES": "true", "RESERVIA_LOG_FILE": ""})
    assert settings["RESERVIA_HOLD_MINUTES"] == 25
    assert settings["RESERVIA_SECURE_COOKIES"] is True
    assert settings["RESERVIA_DATABASE_URL"] == f"sqlite:///{tmp_path / 'reservia.sqlite3'}"
    assert settings["RESERVIA_LOG_FILE"] == ""


def test_database_url_is_one_setting(tmp_path, fresh_app):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    app = fresh_app(tmp_path / "home", RESERVIA_DATABASE_URL=url)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert (tmp_path / "elsewhere.db").exists()


@pytest.mark.parametrize("name, value", [("RESERVIA_HOLD_MINUTES", "ten"),
                                         ("RESERVIA_SECURE_COOKIES", "maybe"),
                                         ("RESERVIA_TIME_ZONE", "Mars/Olympus_Mons")])
def test_nonsense_settings_stop_the_start_with_a_clear_message(tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        load_settings(environ={"RESERVIA_HOME": str(tmp_path), name: value})
