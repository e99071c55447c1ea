"""Repeating bookings across a daylight-saving change, cancelling (one, a series from a date, an
active one), the shared calendar's filters and each resource's next booking."""
from datetime import datetime, timedelta, timezone

from tests.conftest import active
from tests.test_bookings import book, booked, bookings, events

START = datetime(2026, 10, 20, 6, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 60}
# 09:00-11:00 in Budapest every day from Thursday 22 October to Wednesday 28 October 2026: summer
# time (UTC+2) ends on Sunday 25 October, so the UTC hours move and the wall-clock hours stay.
DAILY = {"every": "day", "until": "2026-10-28", "time_zone": "Europe/Budapest"}
FIRST = ("2026-10-22T09:00:00+02:00", "2026-10-22T11:00:00+02:00")


def at(hours, minutes=0):
    return (START + timedelta(hours=hours, minutes=minutes)).isoformat()


def test_a_daily_series_keeps_its_wall_clock_time_across_the_change_to_winter_time(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice = accounts.user("alice")
    made = booked(alice, rig, *FIRST, repeat=DAILY)
    starts = [b["start"] for b in made["bookings"]]
    assert starts[:3] == ["2026-10-22T07:00:00+00:00", "2026-10-23T07:00:00+00:00", "2026-10-24T07:00:00+00:00"]
    assert starts[3:] == [f"2026-10-{d}T08:00:00+00:00" for d in (25, 26, 27, 28)]
    assert made["skipped"] == [] and made["series_id"] == made["bookings"][0]["booking_id"]
    assert {b["series_id"] for b in bookings(alice)} == {made["series_id"]}


def test_weekdays_skip_the_weekend(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    made = booked(accounts.user("alice"), rig, *FIRST, repeat={**DAILY, "every": "weekday"})
    assert [b["start"][:10] for b in made["bookings"]] == ["2026-10-22", "2026-10-23", "2026-10-26",
                                                           "2026-10-27", "2026-10-28"]


def test_a_conflict_books_nothing_unless_conflicts_are_skipped(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    theirs = booked(bob, rig, "2026-10-26T10:00:00+01:00", "2026-10-26T10:30:00+01:00")
    refused = book(alice, rig, *FIRST, repeat=DAILY)
    assert (refused.status_code, refused.json["code"]) == (409, "BOOKING_CONFLICT")
    assert refused.json["conflicts"][0]["booking_id"] == theirs["booking_id"]
    assert len(bookings(alice)) == 1
    made = booked(alice, rig, *FIRST, repeat=DAILY, skip_conflicts=True)
    assert len(made["bookings"]) == 6
    [skipped] = made["skipped"]
    assert (skipped["start"], skipped["end"]) == ("2026-10-26T08:00:00+00:00", "2026-10-26T10:00:00+00:00")
    assert skipped["conflicts"][0]["user_name"] == "bob"


def test_a_series_is_cancelled_from_a_date_on_and_only_by_its_booker_or_an_administrator(app, accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    made = booked(alice, rig, *FIRST, repeat=DAILY)
    refused = bob.post("/reservation/booking/cancel", json={"series_id": made["series_id"]})
    assert refused.status_code == 403
    answer = alice.post("/reservation/booking/cancel", json={"series_id": made["series_id"],
                                                             "from": "2026-10-26T00:00:00+01:00"}).json
    assert answer["cancelled"] == [b["booking_id"] for b in made["bookings"][4:]]
    assert [b["status"] for b in bookings(alice)] == ["booked"] * 4 + ["cancelled"] * 3
    assert events(app, "booking_cancelled") == []
    admin_cancel = accounts.admin.post("/reservation/booking/cancel", json={"booking_id": made["series_id"]})
    assert admin_cancel.json["cancelled"] == [made["series_id"]]
    [told] = events(app, "booking_cancelled")
    assert told.detail["booking_id"] == made["series_id"]
    again = alice.post("/reservation/booking/cancel", json={"booking_id": made["series_id"]})
    assert (again.status_code, again.json["code"]) == (409, "BOOKING_ENDED")
    assert alice.post("/reservation/booking/cancel", json={"booking_id": 999}).json["code"] == "BOOKING_NOT_FOUND"


def test_cancelling_an_active_booking_ends_it_as_released_early_and_the_queue_goes_on(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    made = booked(alice, rig, at(1), at(3))
    clock.advance(hours=1)
    bob.post("/reservation/request", json={"resource_id": rig})
    clock.advance(minutes=30)
    assert alice.post("/reservation/booking/cancel", json={"booking_id": made["booking_id"]}).json["cancelled"] == [
        made["booking_id"]]
    holder = active(bob, rig)[0]
    assert (holder["user_name"], holder["approved_date"]) == ("bob", at(1, 30))
    assert bookings(bob)[0]["status"] == "released_early"


def test_releasing_a_bookings_hold_ends_it_as_released_early(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice = accounts.user("alice")
    booked(alice, rig, at(1), at(3))
    clock.advance(hours=2)
    assert alice.post("/reservation/release", json={"resource_id": rig}).status_code == 200
    assert bookings(alice)[0]["status"] == "released_early"


def test_the_shared_calendar_filters_by_resource_user_period_and_status(accounts, clock):
    rig, scope = accounts.add_resource("hil-rig"), accounts.add_resource("scope")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    booked(alice, rig, at(1), at(2), note="regression run")
    booked(bob, scope, at(3), at(4))
    cancelled = booked(bob, rig, at(5), at(6))
    bob.post("/reservation/booking/cancel", json={"booking_id": cancelled["booking_id"]})
    assert [b["note"] for b in bookings(bob, f"?resource_id={rig}")] == ["regression run", None]
    assert [b["resource_name"] for b in bookings(alice, "?user_id=3")] == ["scope", "hil-rig"]
    assert [b["start"] for b in bookings(alice, f"?from={at(2, 30)}&to={at(5)}")] == [at(3)]
    assert [b["booking_id"] for b in bookings(alice, "?status=cancelled")] == [cancelled["booking_id"]]
    assert alice.get("/reservation/bookings?status=later").json["code"] == "INVALID_STATUS"


def test_each_resource_lists_its_next_booking_and_its_booking_settings(accounts, clock):
    accounts.admin.post("/admin/resource/add", json={"name": "hil-rig", "booking_buffer_minutes": 5,
                                                     "checkin_minutes": 10, "max_booking_minutes": 240})
    rig = accounts.admin.get("/info/resources").json["resources"][0]
    assert rig["next_booking"] is None
    assert (rig["booking_buffer_minutes"], rig["checkin_minutes"], rig["max_booking_minutes"],
            rig["book_ahead_days"]) == (5, 10, 240, None)
    alice = accounts.user("alice")
    later = booked(alice, rig["id"], at(5), at(6))
    sooner = booked(alice, rig["id"], at(1), at(2))
    listed = alice.get("/info/resources").json["resources"][0]
    assert listed["next_booking"] == {"booking_id": sooner["booking_id"], "start": at(1), "end": at(2),
                                      "user_name": "alice"}
    changed = accounts.admin.post("/admin/resource/modify", json={"resource_id": rig["id"], "checkin_minutes": None})
    assert changed.status_code == 200
    assert alice.get("/info/resources").json["resources"][0]["checkin_minutes"] is None
    del later
