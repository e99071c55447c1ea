"""API tokens and the CI client through a real Apache: mod_wsgi must pass the Authorization header on."""
import os
import subprocess
import sys

import pytest

from deploy.apache_site import ADMIN_PASSWORD, REPO

# What is tested is mod_wsgi passing the header on, whatever the engine: run once (on SQLite).
pytestmark = [pytest.mark.deploy, pytest.mark.slow, pytest.mark.once]

CLIENT = REPO / "client" / "reservia.py"


@pytest.fixture(scope="module")
def ci_token(apache):
    admin = apache.session()
    admin.post(apache.url("/session/login"), json={"name": "admin", "password": ADMIN_PASSWORD}).raise_for_status()
    admin.post(apache.url("/admin/user/add"), json={
        "name": "apache-ci", "email": "apache-ci@example.org", "password": "relay-runner-password"}).raise_for_status()
    admin.post(apache.url("/admin/resource/add"), json={"name": "apache-bench"}).raise_for_status()
    person = apache.session()
    person.post(apache.url("/session/login"), json={"name": "apache-ci", "password": "relay-runner-password"})
    return person.post(apache.url("/session/tokens"), json={"name": "runner"}).json()["token"]


def test_a_bearer_token_signs_in_through_apache_and_gets_no_cookie(apache, ci_token):
    answer = apache.session().get(apache.url("/session/status"), headers={"Authorization": f"Bearer {ci_token}"})
    assert answer.json()["user_name"] == "apache-ci"
    assert "Set-Cookie" not in answer.headers
    assert ci_token not in apache.access_log.read_text() + apache.reservia_log.read_text()


@pytest.mark.parametrize("accept", ["text/html", "*/*"])
def test_a_bearer_token_gets_no_page_through_apache(apache, ci_token, accept):
    headers = {"Authorization": f"Bearer {ci_token}", "Accept": accept}
    page = apache.session().get(apache.url("/"), headers=headers, allow_redirects=False)
    assert (page.status_code, page.json()["code"]) == (403, "TOKEN_NOT_FOR_PAGES")
    tokens = apache.session().get(apache.url("/session/tokens"), headers=headers)
    assert (tokens.status_code, tokens.json()["count"]) == (200, 1)


def test_the_client_locks_runs_and_releases_through_apache(apache, ci_token, tmp_path):
    out = tmp_path / "held"
    env = {**os.environ, "RESERVIA_URL": apache.url(), "RESERVIA_TOKEN": ci_token,
           "SSL_CERT_FILE": str(apache.certificate)}
    done = subprocess.run([sys.executable, str(CLIENT), "lock", "--resource", "apache-bench", "--",
                           "sh", "-c", f'echo "$RESERVIA_RESOURCES" > {out}; exit 3'],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert out.read_text().strip() == "apache-bench"
    listed = subprocess.run([sys.executable, str(CLIENT), "list"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert listed.stdout.strip() == "No active reservations."
