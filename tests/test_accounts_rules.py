"""Who can have an account: names compared as people read them, intranet addresses, and passwords
that are not guessed first."""
import hashlib

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.models import User
from tests.conftest import USER_PASSWORD, Accounts
from tests.pages import HTML, csrf_token, refused_page
from tests.pages import text as page_text

pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def shared_admin(module_app):
    """An administrator on a database the cases below share: they are refusals, which change
    nothing, or each adds a user of its own."""
    return Accounts(module_app).admin


def add_user(admin, name, email=None, password="a-fine-password-1"):
    email = email or f"u{hashlib.sha256(name.encode()).hexdigest()[:12]}@example.org"
    return admin.post("/admin/user/add", json={"name": name, "email": email, "password": password})


def names(admin):
    return sorted(u["name"] for u in admin.get("/info/users").json["users"])


@pytest.mark.parametrize("taken_by", ["Admin", "ADMIN", "ＡＤＭＩＮ", "admin ", "ａｄｍｉｎ"])
def test_names_that_differ_only_by_case_or_width_are_one_name(shared_admin, taken_by):
    before = names(shared_admin)
    response = add_user(shared_admin, taken_by)
    assert response.status_code == 409
    assert response.json == {"error": "A user named 'admin' already exists.", "code": "USER_EXISTS"}
    assert names(shared_admin) == before


def test_case_folding_goes_beyond_ascii(admin_client):
    assert add_user(admin_client, "Straße").status_code == 201
    assert add_user(admin_client, "STRASSE").json["code"] == "USER_EXISTS"
    assert add_user(admin_client, "Ǆemal").status_code == 201
    assert add_user(admin_client, "ǆemal").json["code"] == "USER_EXISTS"


def test_names_are_kept_as_people_read_them(admin_client, app):
    """Full-width letters and ligatures become the plain ones; case stays as typed."""
    assert add_user(admin_client, "Ｂｏｂ").status_code == 201
    assert add_user(admin_client, "ﬁona").status_code == 201
    assert names(admin_client) == ["Bob", "admin", "fiona"]


def test_logins_match_names_the_same_way(accounts, app):
    accounts.add_user("alice")
    for typed in ("alice", "ALICE", "Ａｌｉｃｅ"):
        answer = app.test_client().post("/session/login", json={"name": typed, "password": USER_PASSWORD})
        assert answer.status_code == 200 and answer.json["user_name"] == "alice"


@pytest.mark.parametrize("name", ["аdmin", "pаypal", "Ꭺlice", "Ολga", "bоb-2"])
def test_names_mixing_look_alike_scripts_are_refused(shared_admin, name):
    before = names(shared_admin)
    response = add_user(shared_admin, name)
    assert response.status_code == 400
    assert response.json["code"] == "INVALID_INPUT"
    assert "Use letters of one script" in response.json["error"]
    assert names(shared_admin) == before


@pytest.mark.parametrize("name", ["Дмитрий", "Ολγα", "山田たろう", "김민준", "Müller", "José García",
                                  "ahmed-أحمد", "tanaka-田中", "user_2"])
def test_names_in_one_script_or_usual_mixes_are_welcome(shared_admin, name):
    assert add_user(shared_admin, name).status_code == 201, name


def test_renaming_follows_the_same_rules(accounts):
    admin = accounts.admin
    alice, bob = accounts.add_user("alice"), accounts.add_user("bob")
    assert admin.post("/admin/user/modify", json={"user_id": bob, "name": "ALICE"}).json["code"] == "USER_EXISTS"
    assert admin.post("/admin/user/modify", json={"user_id": bob, "name": "bоb"}).status_code == 400
    assert admin.post("/admin/user/modify", json={"user_id": alice, "name": "Alice"}).status_code == 200
    assert "Alice" in names(admin)


def test_the_database_itself_refuses_a_second_account_by_name_key(app, accounts):
    """Whatever the code does, under many processes: the unique name_key."""
    accounts.add_user("alice")
    with app.app_context():
        alice = db.session.scalars(select(User).where(User.name == "alice")).one()
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO users (name, name_key, email, password_hash, role, active, password_change_required,"
                " created_at) VALUES ('ALICE', :key, 'x@example.org', 'x', 'user', :yes, :no, :now)"),
                {"key": alice.name_key, "yes": True, "no": False, "now": alice.created_at.replace(tzinfo=None)})
        db.session.rollback()


@pytest.mark.parametrize("email", ["name@corp.local", "name@lab.internal", "name@mailhost", "x@localhost",
                                   "first.last@eu.corp.local", "José@corp.local"])
def test_intranet_addresses_are_accepted(shared_admin, email):
    response = add_user(shared_admin, f"user-{hashlib.sha256(email.encode()).hexdigest()[:8]}", email=email)
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("email", ["not-an-email", "a@b..local", "@corp.local", "a b@corp.local", "a@-corp.local"])
def test_addresses_that_are_not_addresses_are_still_refused(shared_admin, email):
    assert add_user(shared_admin, "eve", email=email).status_code == 400


def test_the_users_page_takes_an_intranet_address(accounts):
    admin = accounts.admin
    response = admin.post("/admin/user/add", headers=HTML, data={
        "csrf_token": csrf_token(admin, "/admin/users"), "name": "dora", "email": "dora@corp.local",
        "password": "a-long-password", "role": "user", "next": "/admin/users"})
    assert response.status_code == 302
    assert "dora@corp.local" in page_text(admin.get("/admin/users", headers=HTML))


SITE_YEAR = "Too easy to guess: the site's name with a year or digits is among the first passwords tried."


@pytest.mark.parametrize("password, message", [
    ("password", "Too easy to guess: this is a top-10 common password."),
    ("Password1!", "Too easy to guess: this is similar to a commonly used password."),
    ("qwertyuiop", "Too easy to guess: this is a top-100 common password."),
    ("aaaaaaaaaaaa", 'Too easy to guess: repeats like "aaa" are easy to guess.'),
    ("            ", "A password of spaces only is too easy to guess."),
    ("Carol-Smith", "The password must not be the user name."),
    ("my-CAROL-SMITH-9x", "The password must not contain the user name."),
    ("Reservia2026", SITE_YEAR),
    ("reservia-2025!", SITE_YEAR),
    ("2026 RESERVIA", SITE_YEAR),
])
def test_weak_passwords_are_refused_with_the_reason(shared_admin, password, message):
    response = add_user(shared_admin, "carol-smith", password=password)
    assert response.status_code == 400
    assert response.json == {"error": message, "code": "WEAK_PASSWORD", "fields": {"password": [message]}}
    assert "carol-smith" not in names(shared_admin)


def test_a_password_may_hold_a_short_name_or_the_sites_name_among_words(shared_admin):
    """Names under three letters turn up in words by chance ("al" in "totally")."""
    assert add_user(shared_admin, "al", password="totally-fine-words").status_code == 201
    assert add_user(shared_admin, "zed", password="reservia-lamp-harbour").status_code == 201


def test_ones_own_new_password_must_not_contain_ones_name(accounts):
    accounts.add_user("alice")
    refused = accounts.login("alice").post("/session/password", json={
        "current_password": USER_PASSWORD, "new_password": "Alice-forever-99"})
    message = "The password must not contain the user name."
    assert refused.status_code == 400
    assert refused.json == {"error": message, "code": "WEAK_PASSWORD", "fields": {"new_password": [message]}}
    accounts.login("alice")


def test_a_new_password_must_differ_from_the_old(accounts):
    admin, alice = accounts.admin, accounts.add_user("alice")
    same = admin.post("/admin/user/modify", json={"user_id": alice, "password": USER_PASSWORD})
    assert same.status_code == 400 and same.json["code"] == "SAME_PASSWORD"
    client = accounts.login("alice")
    own = client.post("/session/password", json={"current_password": USER_PASSWORD, "new_password": USER_PASSWORD})
    assert own.json["code"] == "SAME_PASSWORD"
    weak = admin.post("/admin/user/modify", json={"user_id": alice, "password": "iloveyou1"})
    assert weak.json["code"] == "WEAK_PASSWORD"
    accounts.login("alice")


def test_the_command_line_follows_the_password_rules(app):
    cli = app.test_cli_runner()
    weak = cli.invoke(args=["create-user", "eve", "--email", "eve@corp.local", "--password", "password123"])
    assert weak.exit_code == 1 and "Error: Too easy to guess" in weak.output
    named = cli.invoke(args=["set-password", "admin", "--password", "Admin123"])
    assert named.exit_code == 1
    fine = cli.invoke(args=["create-user", "eve", "--email", "eve@corp.local", "--password", "ember-long-pass"])
    assert fine.exit_code == 0, fine.output


def test_the_users_page_shows_a_weak_password_at_its_field(accounts):
    admin = accounts.admin
    response = admin.post("/admin/user/add", headers=HTML, data={
        "csrf_token": csrf_token(admin, "/admin/users"), "name": "erin", "email": "erin@example.org",
        "password": "football1", "role": "user", "next": "/admin/users"})
    page = refused_page(admin, response)
    assert 'id="password-error">Too easy to guess: this is a very common password.</p>' in page_text(page)
