"""The dashboard and admin pages over a working day, as the server answers them (no browser):
where each answer leads, what it says, and what it changes."""
import re

import pytest

from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.pages import HTML, csrf_token, refused_page, text

pytestmark = pytest.mark.once


def card(page, resource_id):
    match = re.search(rf'<article[^>]*id="resource-{resource_id}".*?</article>', page, re.S)
    assert match, f"no card for resource {resource_id}"
    return match.group(0)


def mine(page):
    """The reader's own section at the top of the dashboard."""
    match = re.search(r'<section class="mine panel" id="mine".*?</section>', page, re.S)
    assert match
    return match.group(0)


def post_form(client, path, page="/", **data):
    return client.post(path, headers=HTML, data={"csrf_token": csrf_token(client, page), **data})


def log_in_form(client, name, password, **hidden):
    return client.post("/session/login", headers=HTML, data={
        "csrf_token": csrf_token(client, "/session/login"), "name": name, "password": password, **hidden})


def test_own_holds_and_requests_come_first_with_their_buttons(accounts):
    benches = [accounts.add_resource(f"bench-{n:02}") for n in range(12)]
    alice, bob = accounts.user("alice"), accounts.user("bob")
    bob.post("/reservation/request", json={"resource_id": benches[3]})
    alice.post("/reservation/request", json={"resource_id": benches[3]})
    alice.post("/reservation/request", json={"resource_id": benches[11], "note": "flashing fw 2.3"})
    page = text(alice.get("/", headers=HTML))
    top = mine(page)
    assert page.index('id="mine"') < page.index('id="resource-')
    assert re.findall(r'<li class="mine-item" id="mine-(\d+)"', top) == [str(benches[11]), str(benches[3])]
    assert "flashing fw 2.3" in top and "Position 1" in top and "bob holds it" in top
    assert re.findall(r"<button[^>]*>([^<]+)</button>", top) == ["Release", "Keep alive", "Cancel request"]
    assert "flashing fw 2.3" in card(page, benches[11])
    assert "You hold nothing" in mine(text(accounts.user("carol").get("/", headers=HTML)))


def test_an_action_without_script_comes_back_to_the_card_it_was_made_on(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    page = alice.get("/", headers=HTML).get_data(as_text=True)
    anchor = f"/?at=resource-{bench}#resource-{bench}"
    assert f'name="next" value="{anchor}"' in card(page, bench)
    response = post_form(alice, "/reservation/request", resource_id=bench, next=anchor)
    assert response.headers["Location"] == anchor
    back = alice.get(f"/?at=resource-{bench}", headers=HTML).get_data(as_text=True)
    # Its self-refresh without script alternates the address: to the same one it would only scroll.
    assert f'url=/?at=resource-{bench}&amp;again=1#resource-{bench}"' in back
    again = alice.get(f"/?at=resource-{bench}&again=1", headers=HTML).get_data(as_text=True)
    assert f'url=/?at=resource-{bench}#resource-{bench}"' in again
    assert "; url=" not in alice.get("/?at=javascript:alert(1)", headers=HTML).get_data(as_text=True)


def test_the_pages_script_gets_json_and_the_message_as_the_page_shows_it(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    token = csrf_token(alice, "/")
    answer = alice.post("/reservation/request", headers={"Accept": "application/json"},
                        data={"csrf_token": token, "resource_id": bench, "hold_minutes": "5"})
    assert answer.status_code == 201 and answer.json["status"] == "approved"
    assert re.fullmatch(r"Reservation approved: you hold bench-1\. It is yours until \d\d:\d\d UTC\.",
                        answer.json["message"])
    assert re.search(r'until <time datetime="[^"]+\+00:00" data-show="clock">\d\d:\d\d UTC</time>',
                     answer.json["message_html"])
    refused = alice.post("/reservation/request", headers={"Accept": "application/json"},
                         data={"csrf_token": token, "resource_id": bench})
    assert refused.status_code == 409 and refused.json["code"] == "ALREADY_ACTIVE"


def test_a_free_card_says_free_once(accounts):
    bench = accounts.add_resource("bench-1")
    page = card(text(accounts.user("alice").get("/", headers=HTML)), bench)
    visible = re.sub(r"<[^>]+>", " ", page)
    assert len(re.findall(r"\bFree\b", visible)) == 1
    assert "Nobody holds it" not in visible and "You would get it at once." in visible


def test_the_card_offers_hold_lengths_up_to_the_resources_maximum(accounts):
    bench = accounts.admin.post("/admin/resource/add", json={"name": "bench-1", "max_hold_minutes": 120}).json[
        "resource_id"]
    alice = accounts.user("alice")
    shown = card(text(alice.get("/", headers=HTML)), bench)
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]+)</option>', shown)
    values = [v for v, _ in options]
    assert options[0] == ("", "10 min (usual)")
    assert {"30", "60", "120"} <= set(values) and "240" not in values
    response = post_form(alice, "/reservation/request", resource_id=bench, hold_minutes="240", next="/")
    assert "bench-1 can be held for at most 2 h." in text(alice.get(response.headers["Location"], headers=HTML))
    assert alice.get("/reservation/active").json["count"] == 0


def test_keep_alive_message_names_its_time_for_the_readers_zone(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    post_form(alice, "/reservation/keep_alive", resource_id=bench, next="/")
    page = text(alice.get("/", headers=HTML))
    assert re.search(r'role="status">bench-1 is kept until <time datetime="[^"]+" data-show="clock">', page)


def test_signed_out_meanwhile_the_action_is_not_done_and_the_way_back_is_the_page(accounts):
    bench = accounts.add_resource("bench-1")
    alice_id = accounts.add_user("alice")
    alice = accounts.login("alice")
    token = csrf_token(alice, "/")
    accounts.admin.post("/admin/user/modify", json={"user_id": alice_id, "password": "a-new-password-1"})
    anchor = f"/?at=resource-{bench}#resource-{bench}"
    response = alice.post("/reservation/request", headers=HTML,
                          data={"csrf_token": token, "resource_id": bench, "next": anchor})
    login = response.headers["Location"]
    assert login.startswith("/session/login?") and "undone=reservation.request" in login
    page = text(alice.get(login, headers=HTML))
    assert "You had been logged out, so “Request” was not done." in page
    undone = re.search(r'id="undone" name="undone" type="hidden" value="([^"]*)"', page).group(1)
    nxt = re.search(r'id="next" name="next" type="hidden" value="([^"]*)"', page).group(1)
    landed = log_in_form(alice, "alice", "a-new-password-1", next=nxt, undone=undone)
    assert landed.headers["Location"] == anchor
    back = text(alice.get(anchor, headers=HTML))
    assert "“Request” was not done: you had been logged out. Try it again now." in back
    assert accounts.admin.get("/reservation/active").json["count"] == 0


def test_logged_out_in_another_tab_a_form_leads_to_login_not_an_error(accounts):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    token = csrf_token(alice, "/")
    alice.post("/session/logout", headers=HTML, data={"csrf_token": token})
    response = alice.post("/reservation/release", headers=HTML,
                          data={"csrf_token": token, "resource_id": bench, "next": "/"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/session/login?next=/&undone=reservation.release")


@pytest.mark.parametrize("target", ["/reservation/request", "/admin/user/add", "/session/logout"])
def test_login_never_lands_on_an_address_that_only_takes_posts(accounts, client, target):
    accounts.add_user("alice")
    page = text(client.get(f"/session/login?next={target}", headers=HTML))
    assert 'name="next" type="hidden" value=""' in page
    response = log_in_form(client, "alice", USER_PASSWORD, next=target)
    assert response.headers["Location"] == "/"


def test_a_refused_history_filter_lists_nothing_under_its_message(accounts):
    alice = accounts.user("alice")
    bench = accounts.add_resource("bench-1")
    alice.post("/reservation/request", json={"resource_id": bench})
    page = text(alice.get("/reservation/mine?since=2026-11-20&until=2026-11-10", headers=HTML))
    assert "Must not be before the start date." in page
    assert 'data-label="Resource">bench-1' not in page and "Download as CSV" not in page


def test_history_days_start_at_the_readers_midnight(accounts):
    alice = accounts.user("alice")
    page = text(alice.get("/reservation/mine?since=2026-11-20&until=2026-11-21&tz=Europe/Berlin", headers=HTML))
    export = re.search(r'href="(/reservation/history/export[^"]*)"', page)
    assert export is None  # nothing yet; the page still knows the zone
    assert 'name="tz" type="hidden" value="Europe/Berlin"' in page


def test_the_built_in_administrator_edits_its_own_account(accounts):
    admin = accounts.admin
    page = "/admin/users/1"
    assert "Change password" in text(admin.get(page, headers=HTML))
    response = post_form(admin, "/admin/user/modify", page, user_id=1, name="root",
                         email="admin@localhost", password="", role="admin", next=page)
    assert response.headers["Location"] == page
    assert "User modified successfully" in text(admin.get(page, headers=HTML))
    assert admin.get("/session/status").json["user_name"] == "root"
    # Its own page offers neither deactivation nor deletion.
    own = text(admin.get(page, headers=HTML))
    assert 'name="active"' not in own and "Delete root" not in own


def test_changing_ones_own_password_on_the_users_page_keeps_this_session(accounts):
    admin = accounts.admin
    other = accounts.login("admin", ADMIN_PASSWORD)
    post_form(admin, "/admin/user/modify", "/admin/users/1", user_id=1, password="a-new-chief-pass", next="/")
    assert admin.get("/session/status").json["logged_in"] is True
    assert other.get("/session/status").json["logged_in"] is False
    refused = admin.post("/admin/user/modify", json={"user_id": 1, "active": False})
    assert refused.status_code == 409 and refused.json["code"] == "SELF_DEACTIVATE"


def test_a_change_that_changes_nothing_says_so(accounts):
    bench = accounts.add_resource("bench-1", "by the door")
    admin = accounts.admin
    page = f"/admin/resources/{bench}"
    post_form(admin, "/admin/resource/modify", page, resource_id=bench, name="bench-1",
              comment="by the door", max_hold_minutes="", maintenance="false", active="y", next=page)
    assert "Nothing changed: bench-1 already had these settings." in text(admin.get(page, headers=HTML))
    alice_id = accounts.add_user("alice")
    same = admin.post("/admin/user/modify", json={"user_id": alice_id, "name": "alice"})
    assert same.json["message"] == "Nothing changed: alice already had these settings."


def test_deactivating_a_user_says_which_holds_ended_and_who_got_them(accounts):
    bench, scope = accounts.add_resource("bench-1"), accounts.add_resource("scope")
    alice_id = accounts.add_user("alice")
    alice, bob = accounts.login("alice"), accounts.user("bob")
    alice.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": bench})
    bob.post("/reservation/request", json={"resource_id": scope})
    alice.post("/reservation/request", json={"resource_id": scope})
    page = f"/admin/users/{alice_id}"
    post_form(accounts.admin, "/admin/user/modify", page, user_id=alice_id, name="alice",
              email="alice@example.org", role="user", active="false", next=page)
    shown = text(accounts.admin.get(page, headers=HTML))
    assert ("User modified successfully Their hold on bench-1 ended; bob now holds it. "
            "Their request for scope was withdrawn.") in shown


def test_destructive_buttons_say_what_will_happen(accounts):
    bench = accounts.add_resource("bench-1")
    dave_id = accounts.add_user("dave")
    dave, alice, carol = accounts.login("dave"), accounts.user("alice"), accounts.user("carol")
    dave.post("/reservation/request", json={"resource_id": bench})
    alice.post("/reservation/request", json={"resource_id": bench})
    carol.post("/reservation/request", json={"resource_id": bench})
    resource_page = text(accounts.admin.get(f"/admin/resources/{bench}", headers=HTML))
    assert '<p class="confirm-what">dave holds bench-1; it passes to alice.</p>' in resource_page
    assert "alice leaves the queue of bench-1 (position 1); carol moves up to position 1." in resource_page
    assert "bench-1 is held or has a queue: end those reservations first." in resource_page
    user_page = text(accounts.admin.get(f"/admin/users/{dave_id}", headers=HTML))
    assert ("dave holds bench-1; it passes to alice. dave has 1 reservation in the history, so the "
            "account is deactivated instead") in user_page
    newbie = accounts.add_user("newbie")
    assert "newbie has no history: the account is deleted for good." in text(
        accounts.admin.get(f"/admin/users/{newbie}", headers=HTML))


def test_a_resource_in_use_is_in_use_on_every_page(accounts):
    bench = accounts.add_resource("bench-1")
    accounts.user("alice").post("/reservation/request", json={"resource_id": bench})
    admin = accounts.admin
    for path in ("/", "/admin/resources", f"/admin/resources/{bench}"):
        page = text(admin.get(path, headers=HTML))
        assert "In use" in page and "pill-free" not in page, path  # never shown as Free


def test_the_menu_has_a_visible_password_link(user_client):
    page = text(user_client.get("/", headers=HTML))
    assert re.search(r'<a class="account-link" href="/session/password">Change password</a>', page)


def test_repeating_the_new_password_is_checked_when_sent(accounts):
    alice = accounts.user("alice")
    refused = alice.post("/session/password", json={"current_password": USER_PASSWORD,
                                                    "new_password": "one-new-password",
                                                    "new_password_again": "another-password"})
    assert refused.status_code == 400 and refused.json["fields"]["new_password_again"]
    page = text(refused_page(alice, post_form(alice, "/session/password", "/session/password",
                                              current_password=USER_PASSWORD, new_password="one-new-password",
                                              new_password_again="", next="/")))
    assert 'id="new_password_again-error">Type the new password a second time.</p>' in page


def test_a_login_form_without_its_token_is_refused_not_sent_round(client):
    response = client.post("/session/login", headers=HTML, data={"name": "admin", "password": "x"})
    assert response.status_code == 400
