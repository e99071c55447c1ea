"""Apache signs people in (RESERVIA_AUTH=remote_user): REMOTE_USER in the WSGI environ is the
person, made an account at the first visit; headers never sign anyone in."""
import pytest

from backend import create_app
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, settings_for

pytestmark = pytest.mark.once

APP_SETTINGS = {"RESERVIA_AUTH": "remote_user", "RESERVIA_ADMIN_GROUPS": "reservia-admins",
                "RESERVIA_REMOTE_USER_LOGOUT_URL": "https://sso.example.org/logout"}

ALICE = {"REMOTE_USER": "alice@CORP.EXAMPLE", "AUTHENTICATE_MAIL": "Alice@Example.org",
         "AUTHENTICATE_CN": "Alice Martin", "AUTHENTICATE_MEMBEROF": "cn=staff,ou=groups,dc=example,dc=org"}
DAVE_AS_ADMIN = {"REMOTE_USER": "DAVE", "AUTHENTICATE_MEMBEROF": "cn=staff,ou=groups,dc=example,dc=org; "
                 "cn=reservia-admins,ou=groups,dc=example,dc=org"}
POSING = {"Remote-User": "admin", "X-Remote-User": "admin", "X-Forwarded-User": "admin"}


def intranet(app, **environ):
    """A browser that Apache signed in: every request carries these environ variables."""
    browser = app.test_client()
    browser.environ_base.update(environ)
    return browser


def test_first_visit_makes_the_account_from_apaches_variables(app):
    status = intranet(app, **ALICE).get("/session/status").json
    assert status["logged_in"] and status["user_name"] == "alice"  # realm stripped, case folded
    assert (status["user_email"], status["role"], status["auth"], status["groups"]) == (
        "alice@example.org", "user", "remote_user", ["staff"])
    # The next visit is the same account, not a second one.
    assert intranet(app, **ALICE).get("/session/status").json["user_id"] == status["user_id"]


def test_the_session_cookie_keeps_the_person_signed_in(app):
    browser = intranet(app, **ALICE)
    assert browser.get("/").status_code == 200
    assert browser.get("/session/status").json["user_name"] == "alice"


@pytest.mark.parametrize("app_settings", [APP_SETTINGS, {}], ids=["remote_user", "local"])
def test_no_header_poses_as_a_user(app, app_settings):
    anonymous = app.test_client()
    assert anonymous.get("/session/status", headers=POSING).json == {"logged_in": False}
    assert anonymous.get("/reservation/active", headers=POSING).status_code == 401
    if app_settings:
        # Signed in through Apache as alice, a header naming the administrator changes nothing.
        assert intranet(app, **ALICE).get("/session/status", headers=POSING).json["user_name"] == "alice"


@pytest.mark.parametrize("app_settings", [{}], ids=["local"])
def test_remote_user_signs_nobody_in_with_local_sign_in(app, app_settings):
    assert intranet(app, **ALICE).get("/session/status").json == {"logged_in": False}


def test_the_admin_group_decides_the_role_at_every_sign_in(app):
    assert intranet(app, **DAVE_AS_ADMIN).get("/session/status").json["role"] == "admin"
    assert intranet(app, **DAVE_AS_ADMIN).get("/admin/users").status_code == 200
    # Taken out of the group in the directory: at the next sign-in dave is no longer an administrator.
    dave = intranet(app, REMOTE_USER="dave", AUTHENTICATE_MEMBEROF="cn=staff,ou=groups,dc=example,dc=org")
    assert dave.get("/session/status").json["role"] == "user"
    assert dave.get("/admin/users").status_code == 403


@pytest.mark.parametrize("app_settings", [{**APP_SETTINGS, "RESERVIA_ALLOWED_GROUPS": "staff, Lab"}])
def test_people_outside_the_allowed_groups_are_told_why(app, accounts):
    visitor = intranet(app, REMOTE_USER="carol", AUTHENTICATE_MEMBEROF="cn=visitors,ou=groups,dc=example,dc=org")
    page = visitor.get("/")
    assert page.status_code == 403
    assert "only open to members of staff, Lab" in page.get_data(as_text=True)
    refused = visitor.get("/reservation/active")
    assert (refused.status_code, refused.json["code"]) == (403, "NOT_IN_ALLOWED_GROUP")
    assert "carol" not in [u["name"] for u in accounts.admin.get("/info/users").json["users"]]
    assert intranet(app, REMOTE_USER="lab-member", AUTHENTICATE_MEMBEROF="LAB").get("/").status_code == 200


def test_a_deactivated_user_is_refused_although_apache_signed_them_in(app, accounts):
    alice = intranet(app, **ALICE)
    user_id = alice.get("/session/status").json["user_id"]
    answer = accounts.admin.post("/admin/user/modify", json={"user_id": user_id, "active": False})
    assert answer.status_code == 200, answer.json
    refused = alice.get("/reservation/active")
    assert (refused.status_code, refused.json["code"]) == (403, "USER_DEACTIVATED")
    assert "deactivated" in intranet(app, **ALICE).get("/").get_data(as_text=True)


def test_logout_says_the_intranet_sign_in_may_still_be_active(app):
    alice = intranet(app, **ALICE)
    alice.get("/session/status")
    answer = alice.post("/session/logout", json={}).json
    assert answer["sso_logout_url"] == "https://sso.example.org/logout"
    assert "intranet sign-in may still be active" in answer["note"]
    # The login page offers to go on as the intranet's user rather than signing in by itself.
    page = alice.get("/session/login").get_data(as_text=True)
    assert "Continue to Reservia as alice" in page


def test_break_glass_administrator_signs_in_with_their_password(app):
    admin = app.test_client()
    assert admin.post("/session/login", json={"name": "admin", "password": ADMIN_PASSWORD}).status_code == 200
    assert admin.get("/session/status").json["auth"] == "local"


def test_local_users_who_are_not_administrators_cannot_use_the_form(app, accounts):
    accounts.add_user("erin")
    refused = app.test_client().post("/session/login", json={"name": "erin", "password": USER_PASSWORD})
    assert (refused.status_code, refused.json["code"]) == (401, "INVALID_CREDENTIALS")


@pytest.mark.parametrize("app_settings", [{**APP_SETTINGS, "RESERVIA_LOCAL_LOGIN": "off"}])
def test_local_login_off_refuses_even_administrators(app):
    refused = app.test_client().post("/session/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    assert refused.status_code == 401
    assert "Local administrator login" not in app.test_client().get("/session/login").get_data(as_text=True)


def test_a_provisioned_user_gets_no_reservia_password(app, accounts):
    alice = intranet(app, **ALICE)
    user_id = alice.get("/session/status").json["user_id"]
    refused = accounts.admin.post("/admin/user/modify", json={"user_id": user_id, "password": "quiet-harbour-lamp-7"})
    assert (refused.status_code, refused.json["code"]) == (409, "LOCAL_LOGIN_NOT_ALLOWED")
    own = alice.post("/session/password", json={"current_password": "x", "new_password": "quiet-harbour-lamp-7"})
    assert (own.status_code, own.json["code"]) == (409, "NO_LOCAL_PASSWORD")
    [listed] = [u for u in accounts.admin.get("/info/users").json["users"] if u["id"] == user_id]
    assert (listed["auth"], listed["groups"]) == ("remote_user", ["staff"])
    page = accounts.admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "through the intranet (Apache)" in page and "groups: staff" in page
    assert "No Reservia password" in page
    listing = accounts.admin.get("/admin/users").get_data(as_text=True)
    assert "Intranet (Apache)" in listing and "Reservia password" in listing


def test_scripts_keep_their_api_tokens(app):
    alice = intranet(app, **ALICE)
    secret = alice.post("/session/tokens", json={"name": "ci"}).json["token"]
    script = app.test_client()
    answer = script.get("/session/status", headers={"Authorization": f"Bearer {secret}"})
    assert answer.json["user_name"] == "alice"


def test_a_header_variable_cannot_be_configured_as_a_source(tmp_path):
    with pytest.raises(ValueError, match="HTTP_X_GROUPS"):
        create_app(settings_for(tmp_path, RESERVIA_AUTH="remote_user", RESERVIA_REMOTE_USER_GROUPS_VAR="HTTP_X_GROUPS"))
