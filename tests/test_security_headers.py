"""Headers every answer carries, and a session cookie that follows HTTPS wherever it is seen."""
import pytest

from tests.conftest import ADMIN_PASSWORD, Accounts
from tests.pages import HTML

pytestmark = pytest.mark.once

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.fixture(scope="module")
def world(module_app):
    """An administrator holding a resource; the cases only read."""
    accounts = Accounts(module_app)
    _, admin = accounts.queue_of("bench-1", accounts.admin)
    return module_app, admin


SIGNED_IN = [("/", HTML), ("/reservation/mine", HTML), ("/admin/users", HTML), ("/admin/resources/1", HTML),
             ("/reservation/active", {}), ("/session/status", {}), ("/reservation/history", {}),
             ("/reservation/history/export", {}), ("/no/such/page", HTML), ("/no/such/page", {})]


@pytest.mark.parametrize("path, headers", SIGNED_IN, ids=[f"{p} {h.get('Accept', 'json')}" for p, h in SIGNED_IN])
def test_signed_in_answers_are_never_framed_sniffed_or_stored(world, path, headers):
    _, admin = world
    response = admin.get(path, headers=headers)
    assert response.status_code in (200, 404)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["Cache-Control"] == "no-store"


def test_login_page_and_refusals_carry_the_headers_too(world):
    app, _ = world
    client = app.test_client()
    for response in (client.get("/session/login", headers=HTML),
                     client.post("/session/login", json={"name": "admin"}),
                     client.get("/reservation/active")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_the_policy_would_block(world):
    """The policy allows only script files: a page with inline script would break in browsers."""
    _, admin = world
    for path in ("/", "/reservation/mine", "/admin/users", "/admin/resources", "/admin/statistics",
                 "/session/password"):
        page = admin.get(path, headers=HTML).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page and " style=" not in page


def test_style_sheets_keep_their_caching(world):
    app, _ = world
    response = app.test_client().get("/static/css/reservia.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def _login(app, **options):
    return app.test_client().post("/session/login", json={"name": "admin", "password": ADMIN_PASSWORD},
                                  **options)


def test_cookie_is_secure_when_the_request_came_over_https(world):
    app, _ = world
    assert "Secure" in _login(app, base_url="https://reservia.example").headers["Set-Cookie"]
    assert "Secure" not in _login(app, base_url="http://reservia.example").headers["Set-Cookie"]


def test_forwarded_proto_is_ignored_unless_a_proxy_is_trusted(world):
    """Without RESERVIA_PROXIES anyone could send the header; it must not change anything."""
    app, _ = world
    response = _login(app, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in response.headers["Set-Cookie"]


def test_cookie_is_secure_behind_a_trusted_proxy_that_says_https(make_app):
    app = make_app(RESERVIA_PROXIES=1)
    assert "Secure" in _login(app, headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
    assert "Secure" not in _login(app, headers={"X-Forwarded-Proto": "http"}).headers["Set-Cookie"]


def test_secure_cookies_setting_still_forces_secure(make_app):
    app = make_app(RESERVIA_SECURE_COOKIES=True)
    assert "Secure" in _login(app).headers["Set-Cookie"]
