"""Under a prefix (SCRIPT_NAME, set by Apache's WSGIScriptAlias /reservia), Reservia stays inside it."""
import pytest

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.once

PREFIX = "http://localhost/reservia"


def test_login_cookie_is_scoped_to_the_prefix(app):
    client = app.test_client()
    response = client.post("/session/login", base_url=PREFIX,
                           json={"name": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 200
    assert "Path=/reservia" in response.headers["Set-Cookie"]


def test_cookie_stays_at_the_root_without_a_prefix(app):
    response = app.test_client().post("/session/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    assert "Path=/;" in response.headers["Set-Cookie"] or response.headers["Set-Cookie"].endswith("Path=/")


def test_anonymous_page_goes_to_the_login_page_and_back_inside_the_prefix(app):
    client = app.test_client()
    response = client.get("/", base_url=PREFIX, headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/reservia/session/login?next=/reservia/"
    page = client.get("/session/login?next=/reservia/", base_url=PREFIX).get_data(as_text=True)
    assert 'href="/reservia/static/css/reservia.css"' in page
    assert 'action="/reservia/session/login"' in page
