"""The same site configuration with Reservia owning the whole host: mounted at / instead of /reservia."""
import pytest

from config.defaults import DEFAULTS
from deploy.apache_site import ADMIN_PASSWORD
from tests.deploy.conftest import running_site
from tests.deploy.pages import read_page

# The mount point is Apache's and the cookie's business, not the engine's: run once (on SQLite).
pytestmark = [pytest.mark.deploy, pytest.mark.slow, pytest.mark.once]


@pytest.fixture(scope="module")
def root_site(_database_engine):
    """Passwords hashed as in production (the other sites hash the cheap way): its admin signs in
    through the form with the default method under mod_wsgi."""
    with running_site(mount="/", processes=1, threads=2,
                      extra_settings={"RESERVIA_PASSWORD_METHOD": DEFAULTS["RESERVIA_PASSWORD_METHOD"]}) as site:
        yield site


def test_form_login_and_cookie_at_the_root(root_site):
    browser = root_site.session()
    to_login = browser.get(root_site.url("/"), headers={"Accept": "text/html"}, allow_redirects=False)
    assert to_login.headers["Location"].startswith("/session/login?next=/")
    _, links = read_page(browser, root_site.url("/session/login"))
    logged_in = browser.post(root_site.url("/session/login"), allow_redirects=False,
                             headers={"Referer": root_site.url("/session/login")},
                             data={"csrf_token": links.csrf_token, "name": "admin",
                                   "password": ADMIN_PASSWORD})
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"] == "/"
    assert "Path=/;" in logged_in.headers["Set-Cookie"] or logged_in.headers["Set-Cookie"].endswith("Path=/")
    dashboard = browser.get(root_site.url("/"), headers={"Accept": "text/html"})
    assert dashboard.status_code == 200 and 'href="/static/css/reservia.css"' in dashboard.text


def test_style_sheet_is_served_at_the_root(root_site):
    response = root_site.session().get(root_site.url("/static/css/reservia.css"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert "/static/" not in root_site.reservia_log.read_text()
