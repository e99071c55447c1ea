"""Labels on the pages: tags on cards, chips that filter and ask for any, a search, pages of cards,
label requests among the user's own, and the administrators' label fields."""
import re

import pytest

from tests.pages import HTML, csrf_token, text
from tests.test_pages_dashboard import card

pytestmark = pytest.mark.once


@pytest.fixture
def lab(accounts):
    admin = accounts.admin
    ids = {}
    for name, labels, comment in (("scope-1", ["scope", "usb3"], "by the window"), ("scope-2", ["scope"], ""),
                                  ("plain", [], "no labels")):
        ids[name] = admin.post("/admin/resource/add", json={"name": name, "labels": labels, "comment": comment}
                               ).json["resource_id"]
    return {"ids": ids, "admin": admin, "alice": accounts.user("alice"), "bob": accounts.user("bob")}


def dashboard(client, **query):
    response = client.get("/", query_string=query, headers=HTML)
    assert response.status_code == 200, response.status_code
    return text(response)


def card_names(page):
    return re.findall(r'<article[^>]*data-name="([^"]+)"', page)


def form_post(client, path, **fields):
    return client.post(path, data={**fields, "csrf_token": csrf_token(client, "/")}, headers=HTML)


def test_cards_carry_their_labels_and_chips_count_what_is_free(lab):
    lab["bob"].post("/reservation/request", json={"resource_id": lab["ids"]["scope-1"]})
    page = dashboard(lab["alice"])
    assert '<span class="tag">scope</span><span class="tag">usb3</span>' in card(page, lab["ids"]["scope-1"])
    chips = dict(re.findall(r'<li class="chip[^"]*" id="label-([^"]+)">.*?<span class="chip-count">([^<]+)</span>',
                            page, re.S))
    assert chips == {"scope": "1/2 free", "usb3": "0/1 free"}


def test_a_chip_and_a_search_narrow_the_cards_and_the_refresh_keeps_them(lab):
    assert card_names(dashboard(lab["alice"], label="scope")) == ["scope-1", "scope-2"]
    assert card_names(dashboard(lab["alice"], label=["scope", "usb3"])) == ["scope-1"]
    assert card_names(dashboard(lab["alice"], q="WINDOW")) == ["scope-1"]
    assert card_names(dashboard(lab["alice"], q="usb")) == ["scope-1"]
    page = dashboard(lab["alice"], q="no such thing")
    assert card_names(page) == [] and "0 of 3 resources match" in page
    page = dashboard(lab["alice"], label="scope")
    assert 'data-refresh-url="/reservation/board?label=scope"' in page
    board = text(lab["alice"].get("/reservation/board?label=scope", headers=HTML))
    assert card_names(board) == ["scope-1", "scope-2"]


def test_bad_filters_are_a_clear_400(lab):
    for query in ({"label": "no spaces"}, {"q": "x" * 101}, {"page": "²"}):
        response = lab["alice"].get("/", query_string=query, headers=HTML)
        assert response.status_code == 400


def test_request_any_from_a_chip_keeps_a_resource_and_the_request_shows_among_yours(lab):
    ids = lab["ids"]
    lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-1"]})
    lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-2"]})
    answer = form_post(lab["alice"], "/reservation/request", labels="usb3")
    assert answer.status_code == 302
    page = dashboard(lab["alice"])
    mine = re.search(r'<section class="mine.*?</section>', page, re.S).group(0)
    assert "1 × usb3" in mine and "Position 1" in mine and "Cancel request" in mine
    request_id = int(re.search(r'id="request-(\d+)"', mine).group(1))
    lab["bob"].post("/reservation/release", json={"resource_id": ids["scope-1"]})
    page = dashboard(lab["alice"])
    assert "You hold them" in page and "Release all" in page
    assert "Held by <strong>alice</strong>" in card(page, ids["scope-1"])
    assert "Yours with your request" in card(page, ids["scope-1"])
    released = form_post(lab["alice"], "/reservation/release", request_id=request_id)
    assert released.status_code == 302
    assert "You hold nothing and wait for nothing" in dashboard(lab["alice"])


def test_a_resource_kept_for_a_label_request_says_so(lab):
    ids = lab["ids"]
    lab["bob"].post("/reservation/request", json={"resource_id": ids["scope-1"]})
    lab["alice"].post("/reservation/request", json={"labels": ["scope"], "count": 2})
    page = dashboard(lab["bob"])
    kept = card(page, ids["scope-2"])
    assert '<span class="pill pill-kept">Kept</span>' in kept and "Kept for <strong>alice</strong>, 1 of 2" in kept
    assert "Kept" in text(lab["admin"].get(f"/admin/resources/{ids['scope-2']}", headers=HTML))


def test_cards_come_a_page_at_a_time_and_your_own_stay_on_top(accounts):
    admin = accounts.admin
    ids = [admin.post("/admin/resource/add", json={"name": f"bench-{i:03}"}).json["resource_id"] for i in range(60)]
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": ids[-1]})
    first = dashboard(alice)
    assert len(card_names(first)) == 48 and "page 1 of 2" in first
    assert 'href="#resource-%d"' % ids[-1] in first  # bench-059, on page 2, is listed among hers
    second = dashboard(alice, page=2)
    assert card_names(second)[0] == "bench-048" and len(card_names(second)) == 12
    assert dashboard(alice, page=9).count("<article") == 12  # past the end: the last page


def test_the_history_page_names_label_requests_and_what_they_held(lab):
    request = lab["alice"].post("/reservation/request", json={"labels": ["scope"], "count": 2}).json
    lab["alice"].post("/reservation/release", json={"request_id": request["request_id"]})
    page = text(lab["alice"].get("/reservation/mine", headers=HTML))
    assert f"2 × scope <span class=\"muted\">(request {request['request_id']})</span>" in page
    assert f"scope-1 <span class=\"muted\">(request {request['request_id']})</span>" in page
    assert "None" not in page


def test_administrators_give_labels_on_the_resource_pages(lab):
    admin, ids = lab["admin"], lab["ids"]
    page = text(admin.get(f"/admin/resources/{ids['scope-1']}", headers=HTML))
    assert 'name="labels"' in page and 'value="scope, usb3"' in page
    changed = form_post(admin, "/admin/resource/modify", resource_id=ids["plain"], labels="GPU, lab-2",
                        next=f"/admin/resources/{ids['plain']}")
    assert changed.status_code == 302
    assert admin.get("/info/resources").json["resources"][0]["labels"] == ["gpu", "lab-2"]
    refused = form_post(admin, "/admin/resource/add", name="new", labels="bad label!", next="/admin/resources")
    assert "is not a label" in text(admin.get(refused.headers["Location"], headers=HTML))
    listing = text(admin.get("/admin/resources", headers=HTML))
    assert '<span class="tag">gpu</span>' in listing
