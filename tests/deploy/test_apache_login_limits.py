"""Behind Apache, failed logins are counted per name and per the client's real address, in the
database every mod_wsgi process shares; a forged X-Forwarded-For changes nothing."""
import pytest

from deploy.apache_site import ADMIN_PASSWORD
from tests.deploy.conftest import ADDRESS_LIMIT

pytestmark = pytest.mark.deploy

# The guesses come from a loopback address of their own: the block they earn holds up no other
# test on the shared site, whose clients come from 127.0.0.1.
GUESSER = "127.0.0.7"


@pytest.fixture(scope="module")
def site(apache):
    """The shared site: two mod_wsgi processes, at most ADDRESS_LIMIT failed logins an address a minute."""
    return apache


def login(site, name, password, **headers):
    return site.session(GUESSER).post(site.url("/session/login"), json={"name": name, "password": password},
                                      headers=headers)


def test_guesses_are_held_back_by_name_and_by_real_address(site):
    admin = site.session(GUESSER)
    assert admin.post(site.url("/session/login"), json={"name": "admin", "password": ADMIN_PASSWORD}).ok
    added = admin.post(site.url("/admin/user/add"), json={
        "name": "gwen", "email": "gwen@corp.local", "password": "river-password-1"})
    assert added.status_code == 201, added.text

    # Each request may land in either process: the count is the database's, not a process's.
    for guess in range(5):
        assert login(site, "gwen", f"guess-{guess}").status_code == 401
    locked = login(site, "gwen", "river-password-1")
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "30"
    assert locked.json()["code"] == "LOGIN_THROTTLED"

    # Other names, each with a made-up X-Forwarded-For: Apache's REMOTE_ADDR is what counts.
    answers = [login(site, f"spray-{n}", "guess", **{"X-Forwarded-For": f"203.0.113.{n}"})
               for n in range(ADDRESS_LIMIT - 5 + 1)]
    assert [a.status_code for a in answers] == [401] * (ADDRESS_LIMIT - 5) + [429]
    assert "from your network address" in answers[-1].json()["error"]
    # The block is the guesser's alone: the same name from another address is only refused.
    elsewhere = site.session().post(site.url("/session/login"), json={"name": "spray-0", "password": "guess"})
    assert elsewhere.status_code == 401

    log = site.reservia_log.read_text()
    assert "login locked name='gwen' for 30s after 5 failures" in log
    assert f"login blocked address={GUESSER} for" in log and "203.0.113." not in log
    assert "river-password-1" not in log


def test_pages_through_apache_carry_the_security_headers(site):
    response = site.session().get(site.url("/session/login"), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
