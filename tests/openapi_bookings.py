"""The bookings' part of tests/test_openapi.py's story: every documented status of the booking,
calendar and calendar-key operations, provoked once."""
from datetime import datetime, timedelta, timezone

from tests.fixed_clock import install_clock


def _at(hours):
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    return (base + timedelta(hours=hours)).isoformat()


def _in(clock, minutes):
    return (clock.now + timedelta(minutes=minutes)).isoformat()


def booking_scenario(probe):
    accounts, call = probe.accounts, probe.call
    alice, bob = accounts.login("alice"), accounts.login("bob")
    rig = accounts.add_resource("booking-rig")
    accounts.admin.post("/admin/resource/add", json={"name": "booking-scope", "labels": ["bookable"]})
    window = {"resource_id": rig, "start": _at(0), "end": _at(1)}
    booked = call(alice, "post", "/reservation/book", json=window, check=201).json
    call(bob, "post", "/reservation/book", json=window, check=409)
    call(alice, "post", "/reservation/book", json={**window, "start": "tomorrow"}, check=400)
    call(alice, "post", "/reservation/book", json={**window, "resource_id": 9999}, check=404)
    call(alice, "post", "/reservation/book", json={**window, "maintenance": True}, check=403)
    call(alice, "get", "/reservation/bookings", check=200)
    call(alice, "get", "/reservation/bookings", "/reservation/bookings?status=maybe", check=400)
    call(bob, "post", "/reservation/booking/checkin", json={"booking_id": booked["booking_id"]}, check=404)
    call(alice, "post", "/reservation/booking/checkin", json={"booking_id": booked["booking_id"]}, check=409)
    call(alice, "post", "/reservation/booking/checkin", json={}, check=400)
    call(bob, "post", "/reservation/booking/cancel", json={"booking_id": booked["booking_id"]}, check=403)
    call(alice, "post", "/reservation/booking/cancel", json={"booking_id": booked["booking_id"]}, check=200)
    call(alice, "post", "/reservation/booking/cancel", json={"booking_id": booked["booking_id"]}, check=409)
    call(alice, "post", "/reservation/booking/cancel", json={"booking_id": 9999}, check=404)
    call(alice, "post", "/reservation/booking/cancel", json={}, check=400)
    clock = install_clock(probe.app, datetime.now(timezone.utc))
    soon = call(alice, "post", "/reservation/book", json={"resource_id": rig, "start": _in(clock, 60),
                                                         "end": _in(clock, 120)}, check=201).json
    clock.advance(minutes=61)
    call(alice, "post", "/reservation/booking/checkin", json={"booking_id": soon["booking_id"]}, check=200)
    bench = accounts.add_resource("booked-next")
    call(alice, "post", "/reservation/book", json={"resource_id": bench, "start": _in(clock, 7),
                                                   "end": _in(clock, 30)}, check=201)
    call(bob, "post", "/reservation/request", json={"resource_id": bench}, check=201)
    call(bob, "post", "/reservation/keep_alive", json={"resource_id": bench}, check=409)
    key = call(alice, "post", "/session/calendar_key", content_type="application/json", check=200).json[
        "calendar_key"]
    anyone = probe.app.test_client()
    call(anyone, "get", "/calendar/mine.ics", f"/calendar/mine.ics?key={key}", check=200)
    call(anyone, "get", "/calendar/mine.ics", "/calendar/mine.ics?key=wrong", check=404)
    call(anyone, "get", "/calendar/resource/{resource_id}.ics", f"/calendar/resource/{rig}.ics?key={key}",
         check=200)
    call(anyone, "get", "/calendar/resource/{resource_id}.ics", f"/calendar/resource/{rig}.ics", check=404)
