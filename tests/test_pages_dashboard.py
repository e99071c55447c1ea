"""The dashboard: one card per resource, the one fitting button, flashes, its board, its cost."""
import html
import re

import pytest

from tests.pages import HTML, csrf_token, post_form

pytestmark = pytest.mark.once


def card(page, resource_id):
    """The HTML of one resource card on the dashboard."""
    match = re.search(rf'<article[^>]*id="resource-{resource_id}".*?</article>', page, re.S)
    assert match, f"no card for resource {resource_id}"
    return match.group(0)


def press_button(client, path, resource_id):
    """A card's button: a form post to `path` with the dashboard's CSRF token."""
    return post_form(client, path, "/", resource_id=resource_id)


def test_anonymous_visitor_is_sent_to_login_with_the_way_back(client):
    response = client.get("/", headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"] == "/session/login?next=/"


@pytest.mark.parametrize("path", ["/reservation/mine", "/reservation/board", "/admin/users",
                                  "/admin/resources"])
def test_every_page_needs_a_login(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/session/login?next=")


def test_cards_show_holder_queue_and_one_fitting_button_for_each_user(accounts):
    bench = accounts.add_resource("bench-1", "the fast one")
    accounts.add_resource("bench-2")
    alice, bob, carol = accounts.user("alice"), accounts.user("bob"), accounts.user("carol")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": bench})

    for client, button in ((alice, "Release"), (bob, "Cancel request"), (carol, "Request")):
        page = card(client.get("/", headers=HTML).get_data(as_text=True), bench)
        assert "the fast one" in page
        assert re.search(r"Held by <strong>alice</strong> since <time", page)
        assert re.search(r'<span class="position"[^>]*>1</span>\s*<span class="who">bob', page)
        buttons = re.findall(r"<button[^>]*>([^<]+)</button>", page)
        assert [b for b in buttons if b != "Keep alive"] == [button]
    assert "You are <strong>position 1</strong>" in card(bob.get("/", headers=HTML).get_data(as_text=True), bench)


def test_request_form_flashes_the_outcome_and_returns_to_the_dashboard(accounts):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")

    response = press_button(alice, "/reservation/request", bench)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Reservation approved: you hold bench-1." in alice.get("/", headers=HTML).get_data(as_text=True)

    press_button(bob, "/reservation/request", bench)
    assert "queued at position 1" in bob.get("/", headers=HTML).get_data(as_text=True)

    press_button(alice, "/reservation/release", bench)
    page = alice.get("/", headers=HTML).get_data(as_text=True)
    assert "Released — bob now holds it." in page
    assert "Approved — you hold it." in card(bob.get("/", headers=HTML).get_data(as_text=True), bench)


def test_refused_action_comes_back_as_an_error_flash(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    response = press_button(alice, "/reservation/release", bench)
    assert response.status_code == 302
    page = html.unescape(alice.get("/", headers=HTML).get_data(as_text=True))
    assert re.search(r'class="flash flash-error" role="alert">You do not hold .bench-1.', page)


def test_form_post_with_a_wrong_csrf_token_is_refused_and_changes_nothing(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    csrf_token(alice, "/")  # the session has a token; the form sends another one
    response = alice.post("/reservation/request", headers=HTML,
                          data={"resource_id": bench, "csrf_token": "forged"})
    assert response.status_code == 400
    assert "The form could not be accepted" in response.get_data(as_text=True)
    assert alice.get("/reservation/active").json["count"] == 0


def test_board_is_the_cards_without_the_layout(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    board = alice.get("/reservation/board", headers=HTML).get_data(as_text=True)
    assert "Approved — you hold it." in card(board, bench)
    assert "<html" not in board and "site-header" not in board


def test_dashboard_refreshes_itself_with_or_without_javascript(user_client, app):
    page = user_client.get("/", headers=HTML).get_data(as_text=True)
    seconds = app.config["RESERVIA_REFRESH_SECONDS"]
    assert f'data-refresh-seconds="{seconds}"' in page
    assert 'src="/static/js/dashboard.js"' in page
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', page)


def test_empty_dashboard_points_the_administrator_to_the_resources_page(admin_client):
    page = admin_client.get("/", headers=HTML).get_data(as_text=True)
    assert "There are no resources yet." in page
    assert 'href="/admin/resources">Add the first resource' in page


def _crowd(accounts, prefix, resources, queued):
    """Resources each with a holder and `queued` users waiting."""
    clients = [accounts.user(f"{prefix}{i}") for i in range(queued + 1)]
    for r in range(resources):
        resource_id = accounts.add_resource(f"{prefix}-bench-{r}")
        for client in clients:
            client.post("/reservation/request", json={"resource_id": resource_id})


@pytest.mark.parametrize("path", ["/", "/reservation/board", "/admin/resources"])
def test_dashboard_costs_the_same_statements_whatever_the_numbers(accounts, count_statements, path):
    viewer = accounts.admin
    _crowd(accounts, "few", resources=1, queued=1)
    few = count_statements(lambda: viewer.get(path, headers=HTML))
    _crowd(accounts, "many", resources=8, queued=5)
    many = count_statements(lambda: viewer.get(path, headers=HTML))
    page = viewer.get(path, headers=HTML).get_data(as_text=True)
    assert "many-bench-7" in page
    assert many == few
