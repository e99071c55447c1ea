"""`since` and `until` mean the same wherever they are typed: the JSON history, its CSV export,
the "My reservations" page and the command line read them with one parser. A date alone is a
whole day (until: through its end); a date and time is exactly that instant."""
from datetime import UTC, date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from backend.errors import Invalid
from backend.forms.history_filters import parse_history_filters, parse_period
from tests.pages import HTML, text

pytestmark = pytest.mark.once

START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_a_date_as_until_reaches_the_end_of_that_day():
    assert parse_period("2026-11-02", "2026-11-02") == (datetime(2026, 11, 2, tzinfo=UTC),
                                                        datetime(2026, 11, 3, tzinfo=UTC))


def test_an_instant_as_until_is_that_instant():
    assert parse_period(None, "2026-11-02T15:30:00Z")[1] == datetime(2026, 11, 2, 15, 30, tzinfo=UTC)


def test_a_picked_date_reads_as_the_typed_one_in_the_readers_zone():
    berlin = ZoneInfo("Europe/Berlin")
    picked = parse_period(date(2026, 11, 2), date(2026, 11, 2), berlin)
    assert picked == parse_period("2026-11-02", "2026-11-02", berlin)
    assert parse_period(None, "2026-11-02", berlin)[1] == datetime(2026, 11, 2, 23, 0, tzinfo=UTC)


def test_the_last_day_there_is_bounds_nothing():
    assert parse_history_filters(until="9999-12-31").until is None


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(Invalid) as refused:
        parse_period("2026-11-02T00:00:00Z", "2026-11-01")
    assert refused.value.code == "INVALID_PERIOD"


def test_the_page_and_the_api_agree_on_a_day(accounts, clock):
    bench = accounts.add_resource("bench")
    alice = accounts.user("alice")
    alice.post("/reservation/request", json={"resource_id": bench})
    alice.post("/reservation/release", json={"resource_id": bench})
    day = {"since": "2026-11-02", "until": "2026-11-02", "tz": "UTC"}
    assert alice.get("/reservation/history", query_string=day).json["total"] == 1
    assert "bench" in text(alice.get("/reservation/mine", query_string=day, headers=HTML))
    csv = alice.get("/reservation/history/export", query_string=day).get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 2
    earlier = {"until": "2026-11-01"}
    assert alice.get("/reservation/history", query_string=earlier).json["total"] == 0


def test_the_utc_default_is_utc():
    assert parse_period(None, "2026-11-02")[1].tzinfo == timezone.utc
