"""An API token never gets a page: a page's URL answers it 403 TOKEN_NOT_FOR_PAGES in JSON, whatever
the Accept header, while every JSON endpoint, those that are also pages for browsers included,
answers it JSON."""
import pytest

from tests.test_tokens import bearer, make_token

pytestmark = pytest.mark.once

ACCEPT = ["text/html", "*/*", "application/json", "text/html,application/xhtml+xml,*/*;q=0.8", None]
PAGES = ["/", "/reservation/board", "/reservation/mine", "/session/login", "/session/password", "/admin/users",
         "/admin/users/1", "/admin/resources", "/admin/resources/{resource}"]
# JSON for scripts, a page for browsers: with a token, the JSON.
BOTH = {"/session/tokens": "tokens", "/session/notifications": "preferences", "/admin/statistics": "resources",
        "/session/webhooks": "webhooks"}


def headers(secret, accept):
    return {**bearer(secret), **({"Accept": accept} if accept else {})}


@pytest.fixture
def admin_token(accounts):
    return make_token(accounts.admin, "admin-ci")["token"]


@pytest.mark.parametrize("accept", ACCEPT)
def test_a_token_on_a_page_is_refused_in_json_whatever_it_accepts(accounts, client, admin_token, accept):
    resource = accounts.add_resource("bench-1")
    for path in PAGES:
        answer = client.get(path.format(resource=resource), headers=headers(admin_token, accept))
        assert (answer.status_code, answer.mimetype) == (403, "application/json"), (path, answer.data[:200])
        assert answer.json["code"] == "TOKEN_NOT_FOR_PAGES"


def test_a_token_that_signs_in_nobody_is_refused_on_a_page_all_the_same(client):
    answer = client.get("/", headers=headers("rsv_no-such-token", "text/html"))
    assert (answer.status_code, answer.json["code"]) == (403, "TOKEN_NOT_FOR_PAGES")


@pytest.mark.parametrize("accept", ACCEPT)
def test_a_token_gets_json_from_the_json_endpoints_whatever_it_accepts(accounts, client, admin_token, accept):
    for path, key in {"/reservation/active": "reservations", "/session/status": "logged_in", **BOTH}.items():
        answer = client.get(path, headers=headers(admin_token, accept))
        assert (answer.status_code, answer.mimetype) == (200, "application/json"), (path, answer.data[:200])
        assert key in answer.json
    requested = client.post("/reservation/request", json={"resource_id": accounts.add_resource("bench-2")},
                            headers=headers(admin_token, accept))
    assert (requested.status_code, requested.json["status"]) == (201, "approved")


def test_a_token_with_a_browser_form_still_signs_in_nobody(accounts, client):
    secret = make_token(accounts.user("alice"))["token"]
    form = client.post("/reservation/request", data={"resource_id": "1"}, headers=headers(secret, "text/html"))
    assert (form.status_code, form.json["code"]) == (400, "CSRF_FAILED")


def test_pages_still_open_for_people_signed_in_with_a_browser(accounts):
    page = accounts.user("alice").get("/", headers={"Accept": "text/html"})
    assert (page.status_code, page.mimetype) == (200, "text/html")
