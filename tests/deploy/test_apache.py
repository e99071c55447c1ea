"""Reservia served by a real Apache with mod_wsgi, under the /reservia prefix, over HTTPS."""
import subprocess

import pytest

from backend.version import __version__
from deploy.apache_site import ADMIN_PASSWORD, MOUNT, REPO
from tests.deploy.pages import read_page

pytestmark = pytest.mark.deploy


def login(site, name, password):
    client = site.session()
    response = client.post(site.url("/session/login"), json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return client


def test_health_and_version_through_apache(apache):
    client = apache.session()
    assert client.get(apache.url("/info/is_alive")).json() == {"status": "alive", "service": "Reservia"}
    assert client.get(apache.url("/info/get_version")).json() == {"version": __version__}


def test_plain_http_is_sent_to_https(apache):
    response = apache.session().get(apache.http_url("/info/is_alive"), allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == apache.url("/info/is_alive")


def test_json_login_sets_a_secure_cookie_scoped_to_the_prefix(apache):
    response = apache.session().post(apache.url("/session/login"),
                                     json={"name": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "reservia_session=" in cookie
    assert f"Path={MOUNT};" in cookie or cookie.endswith(f"Path={MOUNT}")
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_is_refused(apache):
    response = apache.session().post(apache.url("/session/login"),
                                     json={"name": "admin", "password": "not-it"})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_CREDENTIALS"


def test_full_queue_over_json(apache):
    admin = login(apache, "admin", ADMIN_PASSWORD)
    resource = admin.post(apache.url("/admin/resource/add"), json={"name": "deploy-bench"})
    assert resource.status_code == 201, resource.text
    resource_id = resource.json()["resource_id"]
    clients = {}
    for name in ("dora", "emil", "fay"):
        added = admin.post(apache.url("/admin/user/add"), json={
            "name": name, "email": f"{name}@example.org", "password": f"{name[::-1]}-password-1"})
        assert added.status_code == 201, added.text
        clients[name] = login(apache, name, f"{name[::-1]}-password-1")

    def request(name):
        return clients[name].post(apache.url("/reservation/request"), json={"resource_id": resource_id})

    first = request("dora")
    assert (first.status_code, first.json()["status"], first.json()["position"]) == (201, "approved", 0)
    assert request("emil").json()["position"] == 1
    assert request("fay").json()["position"] == 2
    assert request("fay").status_code == 409

    cancelled = clients["emil"].post(apache.url("/reservation/cancel"), json={"resource_id": resource_id})
    assert cancelled.status_code == 200
    kept = clients["dora"].post(apache.url("/reservation/keep_alive"), json={"resource_id": resource_id})
    assert kept.status_code == 200 and kept.json()["valid_until_date"]
    released = clients["dora"].post(apache.url("/reservation/release"), json={"resource_id": resource_id})
    assert released.status_code == 200

    queue = clients["emil"].get(apache.url(f"/reservation/active?resource_id={resource_id}")).json()
    assert [(r["user_name"], r["status"], r["position"]) for r in queue["reservations"]] == [
        ("fay", "approved", 0)]
    mine = clients["fay"].get(apache.url(f"/reservation/active/user?resource_id={resource_id}")).json()
    assert mine["reservation"]["status"] == "approved"
    assert clients["fay"].post(apache.url("/reservation/release"),
                               json={"resource_id": resource_id}).json()["next_reservation_id"] is None


def test_browser_form_login_follows_the_prefix(apache):
    browser = apache.session()
    to_login = browser.get(apache.url("/"), headers={"Accept": "text/html"}, allow_redirects=False)
    assert to_login.status_code == 302
    assert to_login.headers["Location"].startswith(f"{MOUNT}/session/login?next={MOUNT}/")

    login_page = apache.url("/session/login") + f"?next={MOUNT}/"
    _, links = read_page(browser, login_page)
    assert links.csrf_token
    assert links.urls and all(url.startswith(f"{MOUNT}/") for url in links.urls), links.urls
    assert f"{MOUNT}/session/login" in links.urls
    # Over HTTPS the CSRF check also wants the Referer a browser sends: the login page itself.
    response = browser.post(apache.url("/session/login"), headers={"Referer": login_page}, data={
        "csrf_token": links.csrf_token, "name": "admin", "password": ADMIN_PASSWORD,
        "next": f"{MOUNT}/"}, allow_redirects=False)
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == f"{MOUNT}/"

    dashboard, links = read_page(browser, apache.url("/"))
    assert "admin" in dashboard.text
    assert links.urls and all(url.startswith(f"{MOUNT}/") for url in links.urls), links.urls
    for url in links.fetchable:
        assert browser.get(f"https://127.0.0.1:{apache.https_port}{url}").status_code == 200, url


def test_form_post_without_csrf_token_is_refused(apache):
    response = apache.session().post(apache.url("/session/login"),
                                     data={"name": "admin", "password": ADMIN_PASSWORD},
                                     headers={"Accept": "text/html"}, allow_redirects=False)
    assert response.status_code == 400


def test_style_sheet_is_served_by_apache_not_python(apache):
    response = apache.session().get(apache.url("/static/css/reservia.css"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert response.content == (REPO / "frontend/static/css/reservia.css").read_bytes()
    assert "/static/css/reservia.css" in apache.access_log.read_text()
    assert "/static/" not in apache.reservia_log.read_text()


def test_requests_beyond_the_daemons_threads_wait_their_turn(apache):
    """While every daemon thread is busy (a thousand people opening their dashboards at nine), the
    requests Apache's workers hand over wait on the daemons' socket; with mod_wsgi's queue of 100
    the rest were answered with Apache's own 503. The queue must hold what Debian's mpm_event can
    hand over at once (MaxRequestWorkers 150) beyond the daemons' threads."""
    assert apache.session().get(apache.url("/info/is_alive")).status_code == 200  # the daemons listen
    listening = subprocess.run(["ss", "--unix", "--listening", "--numeric", "--no-header"],
                               capture_output=True, text=True, check=True).stdout
    queues = [int(line.split()[3]) for line in listening.splitlines() if f"{apache.run}/wsgi" in line]
    assert queues, listening
    assert min(queues) >= 150
