"""The login form checks passwords with a real directory (RESERVIA_AUTH=ldap, a throwaway slapd):
accounts made at the first login, groups and roles from the directory, refusals that say why."""
from pathlib import Path

import pytest

from deploy.ports import free_loopback_port
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.ldap_server import GROUPS, PEOPLE, directory_password
from tests.pages import post_form, text

pytestmark = pytest.mark.slow


@pytest.fixture
def app_settings(slapd):
    return slapd.reservia_settings(RESERVIA_ADMIN_GROUPS="reservia-admins", RESERVIA_ALLOWED_GROUPS="staff")


def log_in(app, name, password=None, browser=None):
    """POST /session/login with the directory password of `name` unless another is given."""
    browser = browser or app.test_client()
    return browser.post("/session/login", json={"name": name, "password": password or directory_password(name.lower())})


def status_of(app, name):
    browser = app.test_client()
    assert log_in(app, name, browser=browser).status_code == 200
    return browser.get("/session/status").json


def test_first_login_with_the_directory_password_makes_the_account(app):
    status = status_of(app, "Alice")
    assert (status["user_name"], status["user_email"], status["role"], status["auth"], status["groups"]) == (
        "alice", "alice@example.org", "user", "ldap", ["staff"])
    assert status_of(app, "alice")["user_id"] == status["user_id"]


def test_a_member_of_the_admin_group_loses_the_role_when_taken_out(app, slapd):
    assert status_of(app, "dave")["role"] == "admin"
    slapd.set_members("reservia-admins", [])
    try:
        assert status_of(app, "dave")["role"] == "user"
    finally:
        slapd.set_members("reservia-admins", ["dave"])


def test_a_wrong_password_is_refused_and_counted(app):
    for _ in range(5):
        refused = log_in(app, "bob", "not-bobs-password")
        assert (refused.status_code, refused.json["code"]) == (401, "INVALID_CREDENTIALS")
    held_back = log_in(app, "bob")
    assert held_back.status_code == 429 and held_back.headers["Retry-After"]


def test_unknown_names_and_empty_passwords_are_refused_alike(app):
    assert log_in(app, "nobody", "whatever-it-is").json["code"] == "INVALID_CREDENTIALS"
    assert log_in(app, "bob*", directory_password("bob")).json["code"] == "INVALID_CREDENTIALS"
    assert log_in(app, "alice", " ").status_code == 401


def test_people_outside_the_allowed_groups_are_told_why(app):
    refused = log_in(app, "carol")
    assert (refused.status_code, refused.json["code"]) == (403, "NOT_IN_ALLOWED_GROUP")
    page = post_form(app.test_client(), "/session/login", "/session/login", name="carol",
                     password=directory_password("carol"))
    assert page.status_code == 403 and "only open to members of staff" in text(page)


def test_an_existing_account_is_taken_over_by_the_directory(app, accounts):
    user_id = accounts.add_user("bob")
    assert log_in(app, "bob", USER_PASSWORD).status_code == 401  # only administrators keep local passwords
    assert status_of(app, "bob")["user_id"] == user_id


def test_a_deactivated_user_is_refused_with_the_right_password(app, accounts):
    user_id = status_of(app, "alice")["user_id"]
    accounts.admin.post("/admin/user/modify", json={"user_id": user_id, "active": False})
    refused = log_in(app, "alice")
    assert (refused.status_code, refused.json["code"]) == (403, "USER_DEACTIVATED")


def test_passwords_never_reach_the_log(app):
    log_in(app, "alice")
    log_in(app, "alice", "alice-typed-this-wrong")
    text = Path(app.config["RESERVIA_LOG_FILE"]).read_text()
    assert "login user='alice'" in text
    assert directory_password("alice") not in text and "alice-typed-this-wrong" not in text


@pytest.mark.parametrize("app_settings", [{"RESERVIA_AUTH": "ldap", "RESERVIA_LDAP_TIMEOUT": 1,
                                           "RESERVIA_LDAP_URL": f"ldap://127.0.0.1:{free_loopback_port()}"}])
def test_the_directory_down_is_503_and_break_glass_administrators_still_sign_in(app):
    refused = log_in(app, "alice")
    assert (refused.status_code, refused.json["code"]) == (503, "DIRECTORY_UNAVAILABLE")
    page = post_form(app.test_client(), "/session/login", "/session/login", name="alice", password="anything-at-all")
    assert page.status_code == 503 and "directory that checks passwords does not answer" in text(page)
    # Both say when to try again.
    assert (refused.headers["Retry-After"], page.headers["Retry-After"]) == ("1", "1")
    assert log_in(app, "admin", ADMIN_PASSWORD).status_code == 200


def test_a_directory_that_hangs_is_503_after_the_timeout(app, slapd):
    app.config["RESERVIA_LDAP_TIMEOUT"] = 1
    slapd.pause()
    try:
        refused = log_in(app, "alice")
    finally:
        slapd.resume()
    assert (refused.status_code, refused.json["code"]) == (503, "DIRECTORY_UNAVAILABLE")


def test_starttls_with_the_configured_ca(app):
    app.config["RESERVIA_LDAP_STARTTLS"] = True
    assert status_of(app, "alice")["auth"] == "ldap"


def test_starttls_refuses_a_server_the_ca_did_not_sign(app):
    app.config.update(RESERVIA_LDAP_STARTTLS=True, RESERVIA_LDAP_CA_FILE="/etc/ssl/certs/ca-certificates.crt")
    assert log_in(app, "alice").json["code"] == "DIRECTORY_UNAVAILABLE"


def test_a_dn_template_and_a_group_search(app):
    app.config.update(RESERVIA_LDAP_BIND_DN=f"uid={{name}},{PEOPLE}", RESERVIA_LDAP_BIND_PASSWORD="",
                      RESERVIA_LDAP_GROUP_BASE=GROUPS)
    status = status_of(app, "dave")
    assert (status["role"], status["groups"]) == ("admin", ["reservia-admins", "staff"])
    assert log_in(app, "dave", "not-daves-password").status_code == 401
