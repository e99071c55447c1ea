"""Booking ahead beside the queue: windows that never overlap, holds that never run into the next
booking, check-in and no-show, maintenance windows, cancelling."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from backend.database import get_database
from backend.extensions import db
from backend.models import NotificationEvent
from tests.conftest import active

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
APP_SETTINGS = {"RESERVIA_HOLD_MINUTES": 60}


def at(hours, minutes=0):
    return (START + timedelta(hours=hours, minutes=minutes)).isoformat()


def book(client, resource_id, start, end, **fields):
    return client.post("/reservation/book", json={"resource_id": resource_id, "start": start, "end": end, **fields})


def booked(client, resource_id, start, end, **fields):
    answer = book(client, resource_id, start, end, **fields)
    assert answer.status_code == 201, answer.json
    return answer.json


def bookings(client, query=""):
    return client.get(f"/reservation/bookings{query}").json["bookings"]


def events(app, name):
    with app.app_context():
        return list(db.session.scalars(select(NotificationEvent).where(NotificationEvent.event == name)))


def resource(accounts, name, **settings):
    answer = accounts.admin.post("/admin/resource/add", json={"name": name, **settings})
    assert answer.status_code == 201, answer.json
    return answer.json["resource_id"]


def test_a_booking_is_made_and_an_overlapping_one_refused_with_the_booking_in_the_way(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    made = booked(alice, bench, at(5), "2026-11-25T17:00:00+02:00", note="customer demo")
    assert (made["status"], made["resource_ids"], made["start"], made["end"]) == ("booked", [bench], at(5), at(6))
    refused = book(bob, bench, at(4, 30), at(5, 30))
    assert refused.status_code == 409 and refused.json["code"] == "BOOKING_CONFLICT"
    assert refused.json["conflicts"] == [{"booking_id": made["booking_id"], "resource_id": bench,
                                          "start": at(5), "end": at(6), "user_name": "alice"}]
    assert book(bob, bench, at(6), at(7)).status_code == 201, "a booking may start when another ends"
    assert [b["user_name"] for b in bookings(bob)] == ["alice", "bob"]


def test_bad_windows_are_refused_and_book_nothing(accounts, clock):
    bench = resource(accounts, "bench-1", max_booking_minutes=120, book_ahead_days=7)
    alice = accounts.user("alice")
    for start, end in ((at(2), at(1)), ("2026-11-25T10:00:00", at(2)), (at(-1), at(1)), (at(1), at(4)),
                       (at(24 * 8), at(24 * 8 + 1))):
        answer = book(alice, bench, start, end)
        assert (answer.status_code, answer.json["code"]) == (400, "BAD_TIME_WINDOW"), (start, end)
    assert bookings(alice) == []


def test_at_its_start_the_booker_holds_the_resource_whatever_the_queue_and_then_the_queue_goes_on(
        accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    made = booked(alice, bench, at(2), at(3))
    clock.advance(hours=2)
    bob.post("/reservation/request", json={"resource_id": bench})
    holder, waiting = active(bob, bench)
    assert (holder["user_name"], holder["booking_id"], holder["valid_until_date"]) == ("alice", made["booking_id"],
                                                                                       at(3))
    assert waiting["user_name"] == "bob"
    assert bookings(bob)[0]["status"] == "active"
    clock.advance(hours=1)
    [holder] = active(bob, bench)
    assert (holder["user_name"], holder["approved_date"]) == ("bob", at(3))
    assert bookings(bob)[0]["status"] == "ended"
    assert events(accounts.app, "booking_started")[0].user_id == holder["user_id"] - 1


def test_the_queues_head_is_approved_only_until_the_next_booking_and_told_so(accounts, clock):
    bench = resource(accounts, "bench-1", booking_buffer_minutes=10)
    alice, bob = accounts.user("alice"), accounts.user("bob")
    made = booked(alice, bench, at(0, 30), at(1, 30))
    answer = bob.post("/reservation/request", json={"resource_id": bench}).json
    assert answer["status"] == "approved"
    assert answer["valid_until_date"] == at(0, 20), "the booking's start less the buffer"
    assert answer["bounded_by_booking"] == {"booking_id": made["booking_id"], "start": at(0, 30)}
    kept = bob.post("/reservation/keep_alive", json={"resource_id": bench})
    assert (kept.status_code, kept.json["code"]) == (409, "BOOKED_NEXT")
    assert kept.json["start"] == at(0, 30)


def test_a_keep_alive_or_release_handover_never_runs_into_the_booking(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice, bob, carol = accounts.user("alice"), accounts.user("bob"), accounts.user("carol")
    bob.post("/reservation/request", json={"resource_id": bench})
    carol.post("/reservation/request", json={"resource_id": bench})
    booked(alice, bench, at(1), at(2))
    clock.advance(minutes=30)
    bob.post("/reservation/release", json={"resource_id": bench})
    holder = active(carol, bench)[0]
    assert (holder["user_name"], holder["valid_until_date"]) == ("carol", at(1))


def test_too_little_time_before_a_booking_leaves_the_resource_free_and_the_request_waiting(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    booked(alice, bench, at(0, 4), at(1))
    answer = bob.post("/reservation/request", json={"resource_id": bench}).json
    assert (answer["status"], answer["position"]) == ("requested", 1)
    clock.advance(minutes=2)
    assert [e["status"] for e in active(bob, bench)] == ["requested"]
    clock.advance(hours=1)
    holder = active(bob, bench)[0]
    assert (holder["user_name"], holder["status"], holder["approved_date"]) == ("bob", "approved", at(1))


def test_booking_over_someone_elses_hold_is_refused_and_an_administrator_may_force_it(app, accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice, bob = accounts.user("alice"), accounts.user("bob")
    bob.post("/reservation/request", json={"resource_id": bench})
    refused = book(alice, bench, at(0, 30), at(1))
    assert (refused.status_code, refused.json["code"], refused.json["held_until"]) == (409, "RESOURCE_HELD", at(1))
    assert bookings(alice) == []
    assert book(alice, bench, at(0, 30), at(1), force=True).json["code"] == "ADMIN_ONLY"
    booked(accounts.admin, bench, at(0, 30), at(1), force=True)
    assert active(bob, bench)[0]["valid_until_date"] == at(0, 30)
    [shortened] = events(app, "hold_shortened")
    assert shortened.detail == {"valid_until": at(0, 30)}


def test_a_booking_not_checked_in_ends_as_no_show_and_the_queue_moves_on(accounts, clock):
    bench = resource(accounts, "bench-1", checkin_minutes=15)
    alice, bob = accounts.user("alice"), accounts.user("bob")
    booked(alice, bench, at(1), at(3))
    clock.advance(hours=1)
    bob.post("/reservation/request", json={"resource_id": bench})
    assert active(bob, bench)[0]["valid_until_date"] == at(1, 15)
    clock.advance(minutes=20)
    holder = active(bob, bench)[0]
    assert (holder["user_name"], holder["approved_date"]) == ("bob", at(1, 15))
    assert bookings(bob)[0]["status"] == "no_show"


def test_checking_in_keeps_the_booking_to_its_end(accounts, clock):
    bench = resource(accounts, "bench-1", checkin_minutes=15)
    alice = accounts.user("alice")
    made = booked(alice, bench, at(1), at(3))
    early = alice.post("/reservation/booking/checkin", json={"booking_id": made["booking_id"]})
    assert (early.status_code, early.json["code"]) == (409, "BOOKING_NOT_STARTED")
    clock.advance(hours=1, minutes=5)
    checked = alice.post("/reservation/booking/checkin", json={"booking_id": made["booking_id"]})
    assert checked.status_code == 200 and checked.json["valid_until_date"] == at(3)
    clock.advance(minutes=30)
    assert active(alice, bench)[0]["valid_until_date"] == at(3)
    assert bookings(alice)[0]["status"] == "active"


def test_a_keep_alive_on_a_bookings_hold_checks_it_in(accounts, clock):
    bench = resource(accounts, "bench-1", checkin_minutes=15)
    alice = accounts.user("alice")
    booked(alice, bench, at(1), at(3))
    clock.advance(hours=1, minutes=10)
    kept = alice.post("/reservation/keep_alive", json={"resource_id": bench})
    assert kept.json["valid_until_date"] == at(3)


def test_a_maintenance_window_keeps_everyone_off_the_resource(accounts, clock):
    bench = accounts.add_resource("bench-1")
    alice = accounts.user("alice")
    assert book(alice, bench, at(1), at(2), maintenance=True).json["code"] == "ADMIN_ONLY"
    booked(accounts.admin, bench, at(1), at(2), maintenance=True)
    assert book(alice, bench, at(1, 30), at(3)).json["code"] == "BOOKING_CONFLICT"
    clock.advance(hours=1)
    answer = alice.post("/reservation/request", json={"resource_id": bench}).json
    assert answer["status"] == "requested"
    clock.advance(hours=1)
    holder = active(alice, bench)[0]
    assert (holder["status"], holder["approved_date"]) == ("approved", at(2))
    assert bookings(alice)[0]["maintenance"] is True and bookings(alice)[0]["status"] == "ended"


def test_booking_by_labels_chooses_free_resources_carrying_them(app, accounts, clock):
    scopes = [resource(accounts, f"scope-{i}", labels=["scope"]) for i in range(3)]
    alice, bob = accounts.user("alice"), accounts.user("bob")
    two = alice.post("/reservation/book", json={"labels": ["scope"], "count": 2, "start": at(1), "end": at(2)}).json
    assert two["resource_ids"] == scopes[:2]
    assert [b["booking_id"] for b in bookings(alice)] == [two["booking_id"]] * 2
    one = bob.post("/reservation/book", json={"labels": ["scope"], "start": at(1), "end": at(2)}).json
    assert one["resource_ids"] == scopes[2:]
    full = bob.post("/reservation/book", json={"labels": ["scope"], "start": at(1, 30), "end": at(2)})
    assert (full.status_code, full.json["code"]) == (409, "BOOKING_CONFLICT")
    too_many = bob.post("/reservation/book", json={"labels": ["scope"], "count": 4, "start": at(3), "end": at(4)})
    assert too_many.json["code"] == "NOT_ENOUGH_RESOURCES"
    unknown = bob.post("/reservation/book", json={"labels": ["lidar"], "start": at(3), "end": at(4)})
    assert (unknown.status_code, unknown.json["code"]) == (404, "UNKNOWN_LABEL")
    with app.app_context():
        boards = {b.resource.name: b for b in get_database().boards.all()}
    assert boards["scope-0"].next_booking.booking_id == two["booking_id"]


def test_a_label_request_is_granted_only_until_the_next_booking_of_its_resources(accounts, clock):
    scopes = [resource(accounts, f"scope-{i}", labels=["scope"]) for i in range(2)]
    alice, bob = accounts.user("alice"), accounts.user("bob")
    made = booked(alice, scopes[1], at(0, 30), at(1))
    answer = bob.post("/reservation/request", json={"labels": ["scope"], "count": 2}).json
    assert (answer["status"], answer["valid_until_date"]) == ("approved", at(0, 30))
    assert answer["bounded_by_booking"]["booking_id"] == made["booking_id"]
