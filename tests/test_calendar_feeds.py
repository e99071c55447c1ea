"""Calendar feeds: what Thunderbird, Outlook or a phone read, parsed back with the icalendar library."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.pages import HTML, csrf_token
from tests.test_booking_series import DAILY, FIRST
from tests.test_bookings import booked

pytestmark = pytest.mark.once

START = datetime(2026, 10, 20, 6, 0, tzinfo=timezone.utc)


def key_of(client):
    return client.post("/session/calendar_key", json={}).json["calendar_key"]


def events_in(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return [c for c in Calendar.from_ical(response.data).walk("VEVENT")]


def test_a_series_reads_back_at_the_same_wall_clock_time_across_the_change(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice = accounts.user("alice")
    booked(alice, rig, *FIRST, repeat=DAILY, note="regression run")
    key = key_of(alice)
    events = events_in(accounts.app.test_client().get(f"/calendar/resource/{rig}.ics?key={key}"))
    assert len(events) == 7
    local = [e.decoded("dtstart").astimezone(ZoneInfo("Europe/Budapest")) for e in events]
    assert {(t.hour, t.minute) for t in local} == {(9, 0)}
    assert [e.decoded("dtstart").astimezone(timezone.utc).hour for e in events] == [7, 7, 7, 8, 8, 8, 8]
    assert len({str(e["uid"]) for e in events}) == 7
    assert str(events[0]["summary"]) == "hil-rig: alice" and str(events[0]["description"]) == "regression run"
    assert {str(e["status"]) for e in events} == {"CONFIRMED"}


def test_a_cancelled_booking_stays_in_the_feed_as_cancelled_with_a_higher_sequence(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice = accounts.user("alice")
    made = booked(alice, rig, *FIRST)
    key = key_of(alice)
    [before] = events_in(alice.get(f"/calendar/mine.ics?key={key}"))
    alice.post("/reservation/booking/cancel", json={"booking_id": made["booking_id"]})
    [after] = events_in(alice.get(f"/calendar/mine.ics?key={key}"))
    assert str(after["uid"]) == str(before["uid"])
    assert (str(after["status"]), after["sequence"]) == ("CANCELLED", before["sequence"] + 1)


def test_my_feed_has_only_my_bookings_and_a_renewed_key_cuts_off_the_old_one(accounts, clock):
    rig = accounts.add_resource("hil-rig")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    booked(alice, rig, *FIRST)
    booked(bob, rig, "2026-10-23T09:00:00+02:00", "2026-10-23T10:00:00+02:00")
    old = key_of(bob)
    [mine] = events_in(accounts.app.test_client().get(f"/calendar/mine.ics?key={old}"))
    assert str(mine["summary"]) == "hil-rig: bob"
    new = key_of(bob)
    assert new != old
    assert accounts.app.test_client().get(f"/calendar/mine.ics?key={old}").status_code == 404
    assert accounts.app.test_client().get(f"/calendar/mine.ics?key={new}").status_code == 200
    assert accounts.app.test_client().get(f"/calendar/resource/{rig}.ics").status_code == 404


def test_the_account_page_shows_the_key_and_renews_it(accounts, clock):
    alice = accounts.user("alice")
    page = alice.get("/session/password", headers=HTML).get_data(as_text=True)
    key = page.split('id="calendar-key">')[1].split("<")[0]
    assert f"/calendar/mine.ics?key={key}" in page
    renewed = alice.post("/session/calendar_key", headers=HTML,
                         data={"csrf_token": csrf_token(alice, "/session/password"), "next": "/session/password"})
    assert renewed.status_code == 302
    assert key not in alice.get("/session/password", headers=HTML).get_data(as_text=True)
    assert alice.get(f"/calendar/mine.ics?key={key}").status_code == 404
