"""The group rules' plain logic, without a database: which rules apply, the most generous, the
booked-hours week in the site's time zone, and the class a waiting request has reached."""
from collections import namedtuple
from datetime import datetime, timedelta, timezone

import pytest

from backend.domain.policies import (
    DEFAULT_PRIORITY,
    Rule,
    effective_class,
    hours_text,
    most_generous,
    next_rise,
    overlap_hours,
    priority_of,
    rules_of,
    service_key,
    touches,
    week_window,
)

pytestmark = pytest.mark.once

UTC = timezone.utc
Row = namedtuple("Row", "id priority requested_at state parent_id", defaults=("requested", None))


def test_a_user_gets_their_groups_rules_and_everyones():
    rules = [Rule(1, None, priority=60), Rule(2, 7, max_open_requests=3), Rule(3, 8, max_open_requests=9)]
    assert [r.id for r in rules_of(rules, {7})] == [1, 2]


def test_the_most_generous_rule_wins_within_a_scope_and_a_rule_saying_nothing_lifts_nothing():
    rules = [Rule(1, 7, max_open_requests=3), Rule(2, 8, max_open_requests=5), Rule(3, 9, priority=90),
             Rule(4, 7, resource_id=2, max_open_requests=1)]
    assert most_generous(rules, "max_open_requests") == {("all", None): 5, ("resource", 2): 1}
    assert priority_of(rules) == 90 and priority_of([]) == DEFAULT_PRIORITY


def test_a_rule_touches_its_resource_or_its_label_or_everything():
    assert touches(Rule(1, None), (3,), ())
    assert touches(Rule(1, None, resource_id=3), (3,), ()) and not touches(Rule(1, None, resource_id=4), (3,), ())
    assert touches(Rule(1, None, label="scope"), (), {"scope", "usb"})
    assert not touches(Rule(1, None, label="x"), (3,), {"scope"})


def test_the_week_runs_monday_to_monday_in_the_sites_zone():
    sunday_evening_utc = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert week_window(sunday_evening_utc) == (datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
    # Already Monday in Berlin: its next week.
    start, end = week_window(sunday_evening_utc, "Europe/Berlin")
    assert start == datetime(2026, 12, 6, 23, 0, tzinfo=UTC) and end - start == timedelta(days=7)


def test_only_the_hours_inside_the_week_count():
    week = week_window(datetime(2026, 12, 2, tzinfo=UTC))
    assert overlap_hours(datetime(2026, 12, 6, 20, tzinfo=UTC), datetime(2026, 12, 7, 2, tzinfo=UTC), *week) == 4


def test_a_waiting_request_rises_one_whole_class_per_aging_period_up_to_100():
    made = datetime(2026, 12, 2, 9, tzinfo=UTC)
    aging = timedelta(minutes=10)
    assert effective_class(50, made, made + timedelta(minutes=9, seconds=59), aging) == 50
    assert effective_class(50, made, made + timedelta(minutes=25), aging) == 52
    assert effective_class(95, made, made + timedelta(hours=5), aging) == 100
    assert effective_class(50, made, made + timedelta(hours=5), None) == 50


def test_the_order_of_service_is_class_then_arrival_then_id():
    made = datetime(2026, 12, 2, 9, tzinfo=UTC)
    rows = [Row(3, 50, made), Row(2, 50, made), Row(4, 70, made + timedelta(minutes=1)),
            Row(1, 50, made - timedelta(1))]
    now = made + timedelta(minutes=2)
    assert [r.id for r in sorted(rows, key=lambda r: service_key(r, now, None))] == [4, 1, 2, 3]


def test_the_next_rise_is_when_a_waiting_request_reaches_its_next_class():
    made = datetime(2026, 12, 2, 9, tzinfo=UTC)
    rows = [Row(1, 50, made), Row(2, 100, made), Row(3, 50, made, "approved")]
    assert next_rise(rows, made + timedelta(minutes=14), timedelta(minutes=10)) == made + timedelta(minutes=20)
    assert next_rise(rows, made, None) is None


def test_booked_hours_are_said_in_hours_and_minutes():
    assert (hours_text(9.5), hours_text(10), hours_text(0)) == ("9 h 30", "10 h", "0 h")
