"""How bookings turned out, in the history, its CSV export and the statistics; and the notification
events bookings record."""
import csv
import io
from datetime import datetime, timedelta, timezone

from backend.notifications.worker import DeliveryWorker
from tests.test_bookings import booked, events, resource

START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 60}


def at(hours, minutes=0):
    return (START + timedelta(hours=hours, minutes=minutes)).isoformat()


def test_history_and_statistics_count_bookings_by_outcome(accounts, clock):
    rig = resource(accounts, "rig", checkin_minutes=10)
    alice = accounts.user("alice")
    booked(alice, rig, at(1), at(2))
    no_show = booked(alice, rig, at(2), at(3))
    early = booked(alice, rig, at(3), at(4))
    cancelled = booked(alice, rig, at(5), at(6))
    alice.post("/reservation/booking/cancel", json={"booking_id": cancelled["booking_id"]})
    clock.advance(hours=1, minutes=5)
    alice.post("/reservation/booking/checkin", json={"booking_id": 1})
    clock.advance(hours=2)
    alice.post("/reservation/release", json={"resource_id": rig})
    clock.advance(hours=3)
    history = alice.get("/reservation/history").json["reservations"]
    assert [(r["booking_id"], r["booking_outcome"]) for r in reversed(history)] == [
        (1, "used"), (no_show["booking_id"], "no_show"), (early["booking_id"], "released_early")]
    rows = list(csv.DictReader(io.StringIO(alice.get("/reservation/history/export").get_data(as_text=True))))
    assert [r["booking_outcome"] for r in rows] == ["used", "no_show", "released_early"]
    [figures] = accounts.admin.get(f"/admin/statistics?since={at(0)}&until={at(8)}".replace("+", "%2B")).json[
        "resources"]
    assert figures["bookings"] == {"used": 1, "released_early": 1, "no_show": 1, "cancelled": 1}


def test_the_worker_reminds_a_booker_once_before_the_start(app, accounts, clock):
    rig = accounts.add_resource("rig")
    alice = accounts.user("alice")
    booked(alice, rig, at(1), at(2))
    worker = DeliveryWorker(app)
    worker.run_once()
    assert events(app, "booking_starts_soon") == []
    clock.advance(minutes=46)
    worker.run_once()
    worker.run_once()
    [reminder] = events(app, "booking_starts_soon")
    assert reminder.detail["start"] == at(1)
    clock.advance(minutes=15)
    worker.run_once()
    [started] = events(app, "booking_started")
    assert started.occurred_at.isoformat() == at(1)


def test_the_reminder_comes_as_many_minutes_before_as_the_booker_chose(app, accounts, clock):
    rig = accounts.add_resource("rig")
    alice = accounts.user("alice")
    assert alice.get("/session/notifications").json["booking_reminder_minutes"] == 15
    assert alice.post("/session/notifications", json={"booking_reminder_minutes": 60}).status_code == 200
    assert alice.get("/session/notifications").json["booking_reminder_minutes"] == 60
    assert alice.post("/session/notifications", json={"booking_reminder_minutes": 0}).status_code == 400
    booked(alice, rig, at(1), at(2))
    clock.advance(minutes=1)
    DeliveryWorker(app).run_once()
    assert len(events(app, "booking_starts_soon")) == 1
