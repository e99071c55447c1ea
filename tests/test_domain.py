"""The rules of backend/domain, without a database or an application: they are plain Python."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.domain.dashboard import PAGE_SIZE, DashboardFilters, page_count
from backend.domain.durations import duration_text, minutes_text
from backend.domain.holds import hold_choices
from backend.domain.labels import MAX_COUNT, MAX_LABEL_LENGTH, MAX_LABELS, is_label, label_summary
from backend.domain.resources import DEACTIVATED, FREE, IN_USE, KEPT_FOR, MAINTENANCE, own_request, resource_state
from backend.domain.weeks import parse_week, week_days

pytestmark = pytest.mark.once


@pytest.mark.parametrize("name, ok", [
    ("scope", True), ("usb3.0", True), ("a-b_c", True), ("x" * MAX_LABEL_LENGTH, True),
    ("", False), ("x" * (MAX_LABEL_LENGTH + 1), False), ("two words", False), ("Scope", False), ("ü", False),
])
def test_what_a_label_is(name, ok):
    assert is_label(name) is ok


def test_the_limits_are_those_people_are_told():
    assert (MAX_LABELS, MAX_COUNT, MAX_LABEL_LENGTH) == (20, 100, 40)


def test_label_summary_counts_carriers_and_free_ones_by_name():
    assert label_summary([(("scope", "usb3"), True), (("scope",), False), ((), True)]) == [
        {"name": "scope", "resources": 2, "free": 1}, {"name": "usb3", "resources": 1, "free": 1}]


@pytest.mark.parametrize("active, maintenance, held, kept, state", [
    (True, False, False, False, FREE), (True, False, True, False, IN_USE), (True, False, False, True, KEPT_FOR),
    (True, True, False, False, MAINTENANCE), (True, True, True, False, MAINTENANCE),
    (False, False, False, False, DEACTIVATED), (False, True, True, False, DEACTIVATED),
])
def test_a_resource_is_free_only_when_active_idle_and_untaken(active, maintenance, held, kept, state):
    assert resource_state(active, maintenance, held, kept) == state


@dataclass
class Row:
    user_id: int
    parent_id: int | None = None


def test_ones_own_request_is_held_or_waiting_by_name():
    mine, theirs = Row(1), Row(2)
    assert own_request(mine, [theirs], 1) is mine
    assert own_request(theirs, [Row(3), mine], 1) is mine
    assert own_request(theirs, [Row(3)], 1) is None


def test_a_resource_held_for_ones_label_request_is_not_a_request_by_name():
    assert own_request(Row(1, parent_id=7), [], 1) is None


@pytest.mark.parametrize("minutes, text", [(10, "10 min"), (60, "1 h"), (90, "1 h 30 min"), (0, "0 min")])
def test_durations_as_people_say_them(minutes, text):
    assert minutes_text(minutes) == text == duration_text(timedelta(minutes=minutes))


def test_no_length_is_no_limit():
    assert duration_text(None) == "no limit"


def test_hold_choices_stay_within_the_longest_hold():
    noon = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    choices = hold_choices(90, 60, noon)
    assert [c.label for c in choices] == ["1 h (usual)", "10 min", "30 min", "1 h 30 min (longest)"]


def test_the_end_of_the_day_is_offered_when_the_hold_allows_it():
    evening = datetime(2026, 11, 2, 23, 0, tzinfo=UTC)
    last = hold_choices(None, 0, evening)[-1]
    assert (last.value, last.label, last.end_of_day) == ("60", "until the end of the day", True)
    assert hold_choices(None, 0)[-1].value == "end-of-day"


def test_dashboard_filters_match_every_chosen_label_and_the_search():
    @dataclass
    class Resource:
        name: str
        comment: str
        labels: tuple

    @dataclass
    class Board:
        resource: Resource

    scope = Board(Resource("Scope 1", "by the window", ("scope", "usb3")))
    assert DashboardFilters(labels=("scope",)).matches(scope)
    assert not DashboardFilters(labels=("scope", "pair")).matches(scope)
    assert DashboardFilters(text="WINDOW").matches(scope)
    assert DashboardFilters(text="usb").matches(scope)
    assert not DashboardFilters(text="bench").matches(scope)


def test_pages_of_cards():
    assert [page_count(n) for n in (0, 1, PAGE_SIZE, PAGE_SIZE + 1)] == [1, 1, 1, 2]


def test_a_week_is_drawn_in_quarter_hours_of_the_readers_days():
    budapest = ZoneInfo("Europe/Budapest")
    days = week_days(parse_week("2026-10-28", date(2026, 1, 1)), budapest)
    assert [d.day for d in (days[0], days[-1])] == [date(2026, 10, 26), date(2026, 11, 1)]
    monday = days[0]
    assert monday.start == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # midnight in Budapest
    # 14:00-16:00 Budapest: quarters 57 to 64, grid lines 57 to 65.
    assert monday.place(datetime(2026, 10, 26, 13, 0, tzinfo=UTC),
                        datetime(2026, 10, 26, 15, 0, tzinfo=UTC)) == (57, 65)
    # Over midnight: the end of one day and the start of the next; a sliver still gets a quarter.
    late, early = datetime(2026, 10, 26, 22, 0, tzinfo=UTC), datetime(2026, 10, 27, 1, 0, tzinfo=UTC)
    assert monday.place(late, early) == (93, 97) and days[1].place(late, early) == (1, 9)
    assert monday.place(late, late + timedelta(seconds=1)) == (93, 94)
    assert days[3].place(late, early) is None
    # The day the clocks go back is 25 hours long, still 96 quarters.
    sunday = week_days(parse_week("2026-10-25", date(2026, 1, 1)), budapest)[-1]
    assert (sunday.end - sunday.start) == timedelta(hours=25)
    assert sunday.place(sunday.start, sunday.end) == (1, 97)
    assert parse_week("garbage", date(2026, 11, 25)) == date(2026, 11, 23)
