"""The intranet sign-in through a real Apache: mod_authnz_ldap against a real slapd, set up as
docs/sign-in.md's walkthrough says (deploy/sign-in/authnz_ldap.conf), Reservia on REMOTE_USER."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import running_site
from tests.ldap_server import PEOPLE, ROOT_DN, ROOT_PASSWORD, SERVICE_DN, SERVICE_PASSWORD, directory_password
from tests.test_docs_walkthrough import contains, shell_steps

WALKTHROUGH = Path(__file__).resolve().parents[2] / "docs" / "sign-in.md"

# Apache's and the directory's part: the accounts it makes are the engine runs' business
# (tests/test_remote_user.py, tests/test_ldap_sign_in.py). Run once (on SQLite).
pytestmark = [pytest.mark.deploy, pytest.mark.slow, pytest.mark.once]

POSING = {"Remote-User": "dave", "X-Remote-User": "dave", "X-Forwarded-User": "dave"}


@pytest.fixture(scope="module")
def site(slapd, _database_engine):
    """Reservia behind Apache, which signs people in with the directory; nobody made any account.
    One mod_wsgi process: how requests spread over processes is test_apache_concurrency.py's."""
    password_file = slapd.folder / "bind-password"
    password_file.write_text(SERVICE_PASSWORD)
    password_file.chmod(0o600)
    url = f"{slapd.url}/{PEOPLE}?uid,mail,cn,memberOf?sub?(objectClass=inetOrgPerson)"
    with running_site(
            processes=1,
            sign_in="authnz_ldap.conf", modules=("ldap", "authnz_ldap", "auth_basic", "authn_core", "authz_user"),
            defines={"RESERVIA_DIRECTORY_URL": f'"{url}"', "RESERVIA_DIRECTORY_BIND_DN": SERVICE_DN,
                     "RESERVIA_DIRECTORY_BIND_PASSWORD_FILE": password_file},
            # mod_ldap remembers searches for 10 minutes by default: a group change would wait that long.
            server_config=("LDAPCacheEntries 0", "LDAPOpCacheEntries 0"),
            extra_settings={"RESERVIA_AUTH": "remote_user", "RESERVIA_ADMIN_GROUPS": "reservia-admins",
                            "RESERVIA_ALLOWED_GROUPS": "staff"}) as site:
        yield site


def signed_in(site, name):
    """A browser that gives Apache the directory password of `name`."""
    browser = site.session()
    browser.auth = (name, directory_password(name))
    return browser


def test_directory_users_sign_in_with_no_account_made_for_them(site):
    status = signed_in(site, "alice").get(site.url("/session/status")).json()
    assert (status["user_name"], status["user_email"], status["auth"], status["groups"], status["role"]) == (
        "alice", "alice@example.org", "remote_user", ["staff"], "user")
    assert site.session().get(site.url("/")).status_code == 401  # Apache asks for the intranet sign-in


def test_taken_out_of_the_admin_group_dave_is_no_longer_an_administrator(site, slapd):
    assert signed_in(site, "dave").get(site.url("/admin/users")).status_code == 200
    slapd.set_members("reservia-admins", [])
    try:
        dave = signed_in(site, "dave")
        assert dave.get(site.url("/session/status")).json()["role"] == "user"
        assert dave.get(site.url("/admin/users")).status_code == 403
    finally:
        slapd.set_members("reservia-admins", ["dave"])


def test_people_outside_the_allowed_groups_are_told_why(site):
    page = signed_in(site, "carol").get(site.url("/"))
    assert page.status_code == 403 and "only open to members of staff" in page.text


def test_no_header_poses_as_a_user_through_apache(site):
    assert site.session().get(site.url("/session/status"), headers=POSING).status_code == 401
    through = site.session().get(site.url("/session/status"), headers={**POSING, "Authorization": "Bearer forged"})
    assert (through.status_code, through.json()["code"]) == (401, "INVALID_TOKEN")
    alice = signed_in(site, "alice").get(site.url("/session/status"), headers=POSING)
    assert alice.json()["user_name"] == "alice"


def test_api_tokens_work_on_the_sso_location(site):
    secret = signed_in(site, "bob").post(site.url("/session/tokens"), json={"name": "ci"}).json()["token"]
    script = site.session()
    script.headers["Authorization"] = f"Bearer {secret}"
    assert script.get(site.url("/session/status")).json()["user_name"] == "bob"
    assert script.get(site.url("/reservation/active")).status_code == 200
    assert script.get(site.url("/")).json()["code"] == "TOKEN_NOT_FOR_PAGES"


def test_the_documented_walkthrough_answers_as_documented(site, slapd, tmp_path):
    steps = shell_steps(WALKTHROUGH.read_text(encoding="utf-8"))
    assert len(steps) >= 4
    environment = {**os.environ, "BASE": site.url(), "CURL_CA_BUNDLE": str(site.certificate),
                   "LDAP_URL": slapd.url, "LDAP_ADMIN_DN": ROOT_DN, "LDAP_ADMIN_PASSWORD": ROOT_PASSWORD}
    try:
        for commands, expected in steps:
            answer = subprocess.run(["bash", "-euc", commands], cwd=tmp_path, capture_output=True, text=True,
                                    timeout=60, env=environment)
            assert answer.returncode == 0, f"{commands}\n{answer.stderr}"
            assert contains(json.loads(answer.stdout), expected), f"{commands}\n  answered {answer.stdout}"
    finally:
        slapd.set_members("reservia-admins", ["dave"])
