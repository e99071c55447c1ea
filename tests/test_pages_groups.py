"""The groups and rules pages, the restricted card on the dashboard, limits on the account page
and quota refusals in words."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.pages import HTML, post_form, refused_page, text

pytestmark = pytest.mark.once

START = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)


def test_an_administrator_makes_a_group_adds_a_member_and_a_rule_on_the_pages(accounts):
    admin = accounts.admin
    alice = accounts.add_user("alice")
    made = post_form(admin, "/admin/group/add", "/admin/groups", name="HIL team", description="rigs",
                     next="/admin/groups")
    assert made.status_code == 302
    group_id = admin.get("/admin/groups").json["groups"][0]["group_id"]
    post_form(admin, "/admin/group/members", "/admin/groups", group_id=str(group_id), add=str(alice),
              next="/admin/groups")
    page = text(admin.get("/admin/groups", headers=HTML))
    assert "HIL team" in page and "alice" in page and "The group has 1 member." in page
    bench = accounts.add_resource("bench-1")
    added = post_form(admin, "/admin/rule/add", "/admin/rules", group_id=str(group_id), resource_id=str(bench),
                      max_open_requests="2", priority="80", next="/admin/rules")
    assert added.status_code == 302
    page = text(admin.get("/admin/rules", headers=HTML))
    assert "Rule added." in page and "HIL team" in page and "bench-1" in page


def test_a_refused_rule_is_shown_at_its_field(accounts):
    admin = accounts.admin
    refused = post_form(admin, "/admin/rule/add", "/admin/rules", priority="500", next="/admin/rules")
    page = text(refused_page(admin, refused))
    assert "Must be a whole number from 0 to 100." in page
    assert admin.get("/admin/rules").json["count"] == 0


def test_a_restricted_resource_shows_as_such_without_buttons_to_those_outside_its_groups(accounts):
    admin = accounts.admin
    group_id = admin.post("/admin/group/add", json={"name": "hil"}).json["group_id"]
    rig = admin.post("/admin/resource/add", json={"name": "rig-1", "allowed_groups": [group_id]}).json["resource_id"]
    bob = accounts.user("bob")
    page = text(bob.get("/", headers=HTML))
    card = page.split(f'id="resource-{rig}"', 1)[1].split("</article>", 1)[0]
    assert "Restricted" in card and "you are in none of them" in card
    assert 'action="/reservation/request"' not in card
    admin_card = text(admin.get("/", headers=HTML)).split(f'id="resource-{rig}"', 1)[1].split("</article>", 1)[0]
    assert 'action="/reservation/request"' in admin_card and "Restricted" not in admin_card


def test_the_account_page_lists_ones_limits(accounts):
    admin = accounts.admin
    bench = accounts.add_resource("scope-1")
    admin.post("/admin/rule/add", json={"group_id": None, "resource_id": bench, "max_booked_hours_per_week": 10,
                                        "priority": 70})
    alice = accounts.user("alice")
    page = text(alice.get("/session/password", headers=HTML))
    limits = page.split('id="limits"', 1)[1]
    assert "scope-1" in limits and "0 h of 10 h" in limits and "all resources" in limits


def test_a_booking_over_ones_weekly_hours_is_refused_in_words_on_the_page(clock, accounts):
    admin = accounts.admin
    scope = accounts.add_resource("scope-1")
    admin.post("/admin/rule/add", json={"group_id": None, "resource_id": scope, "max_booked_hours_per_week": 10})
    alice = accounts.user("alice")
    start = START + timedelta(days=1)
    alice.post("/reservation/book", json={"resource_id": scope, "start": start.isoformat(),
                                          "end": (start + timedelta(hours=9, minutes=30)).isoformat()})
    later = start + timedelta(hours=12)
    refused = post_form(alice, "/reservation/book", "/reservation/book", resource_id=str(scope),
                        date=later.date().isoformat(), start_time=f"{later:%H:%M}",
                        end_time=f"{later + timedelta(hours=1):%H:%M}", time_zone="UTC")
    page = text(refused_page(alice, refused) if refused.status_code == 302 else refused)
    assert "You have booked 9 h 30 of your 10 h this week on scope-1." in page
