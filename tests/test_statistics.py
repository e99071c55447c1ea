"""Per-resource figures for a period, checked against a morning whose every minute is known."""
import re
from datetime import datetime, timezone

import pytest

from tests.conftest import post_action

START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
MINUTE = 60
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 60}


@pytest.fixture
def morning(accounts, clock):
    """The bench passes from Alice to Bob to Carol, whose hold expires; Alice then holds the scope
    while Bob waits for it; nobody touches the idle rig. The clock stops at 10:15.

    bench  alice 08:00-08:40 (asked 08:00)  bob 08:40-09:00 (asked 08:10)
           carol 09:00-10:00 expired (asked 08:20)
    scope  alice 09:30- still holding        bob asked 10:00, still waiting
    """
    bench, scope = accounts.add_resource("bench"), accounts.add_resource("scope")
    accounts.add_resource("rig")
    alice, bob, carol = accounts.user("alice"), accounts.user("bob"), accounts.user("carol")
    admin = accounts.admin
    steps = [(0, alice, "request", bench), (10, bob, "request", bench),
             (20, carol, "request", bench), (40, alice, "release", bench),
             (60, bob, "release", bench), (90, alice, "request", scope),
             (120, bob, "request", scope)]
    for minutes, client, action, resource in steps:
        clock.set(START)
        clock.advance(minutes=minutes)
        post_action(client, action, resource)
    clock.set(START)
    clock.advance(minutes=135)
    return admin


def figures(client, query=""):
    response = client.get(f"/admin/statistics{query}")
    assert response.status_code == 200, response.json
    return response.json


def by_name(body):
    """Hold and wait figures by resource name (the booking counts are tested in test_booking_outcomes.py)."""
    return {r["resource_name"]: {k: v for k, v in r.items() if k not in ("resource_id", "resource_name", "bookings")}
            for r in body["resources"]}


def test_figures_for_the_whole_morning(morning):
    body = figures(morning, "?since=2026-11-02T08:00:00Z&until=2026-11-02T12:00:00Z")
    assert (body["since"], body["until"]) == ("2026-11-02T08:00:00+00:00", "2026-11-02T12:00:00+00:00")
    assert by_name(body) == {
        # 40 + 20 + 60 minutes held; waits 0, 30 and 40 minutes.
        "bench": {"holds": 3, "total_hold_seconds": 120 * MINUTE, "median_hold_seconds": 40 * MINUTE,
                  "median_wait_seconds": 30 * MINUTE, "longest_wait_seconds": 40 * MINUTE},
        "rig": {"holds": 0, "total_hold_seconds": 0, "median_hold_seconds": None,
                "median_wait_seconds": None, "longest_wait_seconds": None},
        # Alice's hold is still running: it counts up to now, 10:15. Bob, still waiting, has no wait yet.
        "scope": {"holds": 1, "total_hold_seconds": 45 * MINUTE, "median_hold_seconds": 45 * MINUTE,
                  "median_wait_seconds": 0, "longest_wait_seconds": 0},
    }
    assert [r["resource_name"] for r in body["resources"]] == ["bench", "rig", "scope"]


def test_holds_are_clipped_to_the_period(morning):
    # 08:30 to 09:30 UTC, given with an offset: alice's last 10 minutes, bob's 20, carol's first 30.
    body = by_name(figures(morning, "?since=2026-11-02T09:30:00%2B01:00&until=2026-11-02T09:30:00Z"))
    assert body["bench"] == {"holds": 3, "total_hold_seconds": 60 * MINUTE,
                             "median_hold_seconds": 20 * MINUTE,
                             # Only bob (30 min) and carol (40 min) were approved in the period.
                             "median_wait_seconds": 35 * MINUTE, "longest_wait_seconds": 40 * MINUTE}
    # The scope was taken at 09:30, the very end of the period: not in it.
    assert body["scope"]["holds"] == 0


def test_a_period_after_every_hold_ended_has_none(morning):
    body = by_name(figures(morning, "?since=2026-11-02T10:00:00Z&until=2026-11-02T10:10:00Z"))
    assert body["bench"]["holds"] == 0 and body["bench"]["total_hold_seconds"] == 0
    assert body["scope"] == {"holds": 1, "total_hold_seconds": 10 * MINUTE,
                             "median_hold_seconds": 10 * MINUTE,
                             "median_wait_seconds": None, "longest_wait_seconds": None}


def test_a_period_in_the_future_has_no_holds_yet(morning):
    body = by_name(figures(morning, "?since=2026-11-03&until=2026-11-04"))
    assert all(r["holds"] == 0 and r["total_hold_seconds"] == 0 for r in body.values())


def test_the_default_period_is_the_last_30_days(morning):
    body = figures(morning)
    assert (body["since"], body["until"]) == ("2026-10-03T10:15:00+00:00", "2026-11-02T10:15:00+00:00")
    assert by_name(body)["bench"]["holds"] == 3


def test_statistics_are_for_administrators(morning, accounts, client):
    assert client.get("/admin/statistics").status_code == 401
    response = accounts.login("alice").get("/admin/statistics")
    assert response.status_code == 403 and response.json["code"] == "ADMIN_REQUIRED"


@pytest.mark.parametrize("query, code", [
    ("?since=last-week", "INVALID_DATE"),
    ("?until=2026-02-30", "INVALID_DATE"),
    ("?since=2026-11-02T10:00:00Z&until=2026-11-02T09:00:00Z", "INVALID_PERIOD"),
    ("?since=2026-11-02&until=2026-11-02T00:00:00Z", "INVALID_PERIOD"),
    ("?since=0001-01-01T00:00:00%2B01:00", "INVALID_DATE"),
    ("?until=0001-01-02", "INVALID_PERIOD"),
])
def test_bad_periods_are_refused_with_a_clear_message(morning, query, code):
    response = morning.get(f"/admin/statistics{query}")
    assert response.status_code == 400
    assert response.json["code"] == code and response.json["error"]


def test_browsers_get_a_table_and_a_bar_chart(morning):
    response = morning.get("/admin/statistics?since=2026-11-02&until=2026-11-02T12:00:00Z",
                           headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'class="bars"' in page
    # Everything the page loads comes from this site: no src or href to another host.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    bench_row = page[page.index('data-label="Resource">bench'):]
    assert "2 h 00 min" in bench_row.split("</tr>")[0]
    assert "45 min 00 s" in page
    # Bars are drawn to scale: the bench's 120 minutes take the full width, the scope's 45 3/8 of it.
    assert 'class="chart-bar w-100"' in page and 'class="chart-bar w-38"' in page


def test_browsers_are_told_about_bad_periods_on_a_page(morning):
    response = morning.get("/admin/statistics?since=soon", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "since must be an ISO 8601 date" in page
    # On the form, at its field, with what was typed: not an error page.
    assert 'id="since-error"' in page and 'name="since" value="soon"' in page
    assert "Error 400" not in page and "Correct the period above" in page


def test_statistics_cost_the_same_few_statements_whatever_the_history(app, accounts, count_statements):
    admin = accounts.admin
    alice = accounts.user("alice")
    resources = [accounts.add_resource(f"bench-{n}") for n in range(3)]

    def use_every_resource(times):
        for _ in range(times):
            for resource in resources:
                post_action(alice, "request", resource)
                post_action(alice, "release", resource)

    use_every_resource(1)
    few = count_statements(lambda: figures(admin))
    use_every_resource(10)
    many = count_statements(lambda: figures(admin))
    assert [r["holds"] for r in figures(admin)["resources"]] == [11, 11, 11]
    assert few == many


def test_a_deactivated_resource_is_listed_only_for_periods_it_was_held(morning):
    bench = next(r["resource_id"] for r in figures(morning)["resources"] if r["resource_name"] == "bench")
    deleted = morning.post("/admin/resource/delete", json={"resource_id": bench})
    assert deleted.status_code == 200 and deleted.json["deactivated"] is True
    assert by_name(figures(morning, "?since=2026-11-02T08:00:00Z"))["bench"]["holds"] == 3
    assert "bench" not in by_name(figures(morning, "?since=2026-11-02T10:00:00Z"))
