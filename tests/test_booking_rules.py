"""The booking rules as plain functions: series in local wall-clock time, deadlines, bounds."""
from datetime import date, datetime, timedelta, timezone

import pytest

from backend.database.booking_rules import Slot, capped, occurrences

pytestmark = pytest.mark.once

UTC = timezone.utc


def test_a_weekly_series_in_new_york_keeps_nine_oclock_across_the_end_of_summer_time():
    start = datetime(2026, 10, 26, 13, 0, tzinfo=UTC)  # 09:00 EDT
    windows = occurrences(start, start + timedelta(hours=2), "week", date(2026, 11, 9), "America/New_York")
    assert [s.hour for s, _ in windows] == [13, 14, 14]
    assert all(e - s == timedelta(hours=2) for s, e in windows)


def test_a_booking_with_check_in_is_held_until_the_deadline_until_checked_in():
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    slot = Slot(1, 1, 2, 3, start, start + timedelta(hours=2), checkin=timedelta(minutes=15))
    assert slot.first_deadline() == start + timedelta(minutes=15)
    assert Slot(1, 1, 2, 3, start, start + timedelta(hours=2)).first_deadline() == start + timedelta(hours=2)


def test_a_bound_only_ever_shortens():
    moment = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert capped(None, moment) == moment
    assert capped(moment, moment + timedelta(minutes=1)) == moment
    assert capped(moment, None) == moment
