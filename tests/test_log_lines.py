"""Every log line is one event: what people send (paths, names) cannot start a line of its own."""
from pathlib import Path

import pytest

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.once


@pytest.fixture
def log_lines(app):
    def read():
        return Path(app.config["RESERVIA_LOG_FILE"]).read_text(encoding="utf-8").splitlines()

    return read


def test_a_path_with_cr_lf_cannot_forge_a_login_line(client, log_lines):
    forged = "/x%0D%0A2026-11-29 10:00:00,000 INFO pid=1 [session] login user='admin'"
    assert client.get(forged).status_code == 404
    [line] = [line for line in log_lines() if "[access]" in line and "/x" in line]
    assert "/x\\r\\n2026-11-29 10:00:00,000 INFO pid=1 [session] login user='admin'" in line
    assert not [line for line in log_lines() if line.startswith("2026-11-29 10:00:00")]


@pytest.mark.parametrize("sent, written", [("%1B%5B31m", "\\x1b[31m"), ("%E2%80%A8", "\\u2028"),
                                           ("%C2%85", "\\x85"), ("%00", "\\x00"), ("%09", "\\t")])
def test_control_characters_in_paths_are_escaped(client, log_lines, sent, written):
    client.get(f"/nothing-{sent}-here")
    [line] = [line for line in log_lines() if "/nothing-" in line]
    assert f"/nothing-{written}-here" in line


def test_tracebacks_keep_their_lines(app, accounts, log_lines, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nwith two lines")

    monkeypatch.setattr(app.extensions["reservia_database"].boards, "all", broken)
    assert accounts.admin.get("/", headers={"Accept": "text/html"}).status_code == 500
    lines = log_lines()
    assert any(line.startswith("Traceback") for line in lines)
    assert "with two lines" in lines
    assert any(line.endswith("unhandled error on GET /") for line in lines)


def test_the_password_never_reaches_the_log(accounts, log_lines):
    accounts.admin.get("/")
    assert not [line for line in log_lines() if ADMIN_PASSWORD in line]
