"""The pages of bookings: the Book form (which posts to POST /reservation/book, as scripts do),
the week view, the card's next booking, My reservations' bookings with Cancel."""
import re

import pytest

from tests.pages import HTML, csrf_token, post_form, refused_page, text

pytestmark = pytest.mark.once

# A Wednesday; Budapest is UTC+1 then.
DAY = "2026-11-26"


@pytest.fixture
def alice(accounts):
    return accounts.user("alice")


@pytest.fixture
def bench(accounts):
    return accounts.add_resource("scope-bench", labels=["scope"])


def book(client, **fields):
    data = {"date": DAY, "start_time": "14:00", "end_time": "16:00", "time_zone": "Europe/Budapest", **fields}
    return post_form(client, "/reservation/book", "/reservation/book", **data)


def bookings(client, **query):
    return client.get("/reservation/bookings", query_string=query).json["bookings"]


def test_the_book_form_books_in_the_readers_zone_and_shows_the_week(alice, bench, clock):
    answer = book(alice, resource_id=bench, note="customer demo")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"/reservation/calendar?resource_id={bench}&week={DAY}")
    [made] = bookings(alice)
    assert (made["start"], made["end"]) == ("2026-11-26T13:00:00+00:00", "2026-11-26T15:00:00+00:00")
    week = text(alice.get(answer.headers["Location"], headers=HTML))
    assert "Booked from" in week  # the flash
    assert "Booked by alice" in week and "customer demo" in week
    assert "14:00" in week and "16:00" in week  # drawn in the zone the form was filled in


def test_without_a_zone_the_form_means_utc(alice, bench, clock):
    book(alice, resource_id=bench, time_zone="")
    assert bookings(alice)[0]["start"] == "2026-11-26T14:00:00+00:00"


def test_a_conflict_is_told_beside_the_times_in_words(accounts, alice, bench, clock):
    book(alice, resource_id=bench)
    bob = accounts.user("bob")
    page = text(refused_page(bob, book(bob, resource_id=bench, start_time="15:00", end_time="17:00")))
    error = re.search(r'<p class="field-error" id="start_time-error">([^<]*)</p>', page).group(1)
    assert "Booked by alice 14:00–16:00 (Thu 26 Nov)." in error
    assert 'value="15:00"' in page and 'value="17:00"' in page  # what bob typed is kept
    assert len(bookings(bob)) == 1


def test_refused_fields_are_shown_at_their_fields(alice, bench, clock):
    page = text(refused_page(alice, book(alice, resource_id=bench, start_time="25:00")))
    assert re.search(r'id="start_time-error">Give a time of day', page)
    page = text(refused_page(alice, book(alice, resource_id=bench, repeat_every="week")))
    assert re.search(r'id="repeat_until-error">Give the last day it repeats', page)
    assert bookings(alice) == []


def test_a_repeating_booking_from_the_form(alice, bench, clock):
    answer = book(alice, resource_id=bench, repeat_every="week", repeat_until="2026-12-10")
    assert answer.status_code == 302
    starts = [b["start"] for b in bookings(alice)]
    assert starts == ["2026-11-26T13:00:00+00:00", "2026-12-03T13:00:00+00:00", "2026-12-10T13:00:00+00:00"]


def test_labels_book_any_carrier_and_the_label_week_shows_it(accounts, alice, bench, clock):
    answer = book(alice, labels="scope")
    assert answer.headers["Location"].startswith(f"/reservation/calendar?label=scope&week={DAY}")
    week = text(alice.get(answer.headers["Location"], headers=HTML))
    assert "Label scope" in week and "Booked by alice · scope-bench" in week


def test_the_card_shows_the_next_booking_and_the_refresh_sends_it(accounts, alice, bench, clock):
    first = alice.get("/reservation/board", headers=HTML)
    assert "Booked by" not in text(first)
    accounts.user("carol").post("/reservation/book", json={
        "resource_id": bench, "start": "2026-11-26T14:00:00Z", "end": "2026-11-26T16:00:00Z"})
    again = alice.get("/reservation/board", headers={**HTML, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert (f'<p class="next-booking"><a href="/reservation/calendar?resource_id={bench}&week=2026-11-26">'
            'Booked by carol from <time datetime="2026-11-26T14:00:00+00:00" data-show="dayclock" '
            'title="26 Nov 2026, 14:00 UTC">Thu 26 Nov 14:00 UTC</time>') in text(again)


def test_the_week_has_its_days_the_now_line_holds_and_other_weeks(accounts, alice, bench, clock):
    accounts.user("bob").post("/reservation/request", json={"resource_id": bench})
    page = text(alice.get(f"/reservation/calendar?resource_id={bench}", headers=HTML))
    assert "Mon 23 Nov" in page and "Sun 29 Nov" in page
    assert 'class="now-line from-37"' in page  # 09:00 UTC, the 37th quarter hour
    assert "Held by bob" in page
    assert f'href="/reservation/calendar?week=2026-11-16&amp;resource_id={bench}"' in alice.get(
        f"/reservation/calendar?resource_id={bench}", headers=HTML).get_data(as_text=True)
    later = text(alice.get(f"/reservation/calendar?resource_id={bench}&week=2026-12-02", headers=HTML))
    assert "Mon 30 Nov" in later and "now-line" not in later and "Held by" not in later


def test_only_the_booker_and_administrators_may_cancel_from_the_week(accounts, alice, bench, clock):
    alice.post("/reservation/book", json={"resource_id": bench, "start": "2026-11-26T14:00:00Z",
                                          "end": "2026-11-26T16:00:00Z"})
    week = f"/reservation/calendar?resource_id={bench}&tz=UTC"
    assert "Cancel booking" in text(alice.get(week, headers=HTML))
    assert "Cancel booking" not in text(accounts.user("bob").get(week, headers=HTML))
    admin = accounts.admin
    assert "Cancel booking" in text(admin.get(week, headers=HTML))
    booking_id = bookings(alice)[0]["booking_id"]
    answer = post_form(admin, "/reservation/booking/cancel", week, booking_id=booking_id, next=week)
    assert answer.status_code == 302 and answer.headers["Location"] == week
    assert bookings(alice, status="cancelled")[0]["booking_id"] == booking_id
    assert "Booked by alice" not in text(admin.get(week, headers=HTML))


def test_my_reservations_lists_upcoming_bookings_with_cancel(alice, bench, clock):
    alice.post("/reservation/book", json={"resource_id": bench, "start": "2026-11-26T14:00:00Z",
                                          "end": "2026-11-26T16:00:00Z", "note": "demo"})
    page = text(alice.get("/reservation/mine", headers=HTML))
    assert "Your bookings" in page and "scope-bench" in page and "demo" in page
    assert "Yes, cancel it" in page
    booking_id = bookings(alice)[0]["booking_id"]
    answer = post_form(alice, "/reservation/booking/cancel", "/reservation/mine", booking_id=booking_id,
                       next="/reservation/mine")
    assert answer.status_code == 302
    page = text(alice.get("/reservation/mine", headers=HTML))
    assert "Cancelled 1 booking." in page and "No bookings ahead." in page


def test_the_week_of_an_unknown_resource_or_label_is_404(alice, bench):
    assert alice.get("/reservation/calendar?resource_id=999", headers=HTML).status_code == 404
    assert alice.get("/reservation/calendar?label=nothing", headers=HTML).status_code == 404
    assert alice.get("/reservation/calendar?resource_id=x", headers=HTML).status_code == 400
    assert alice.get(f"/reservation/calendar?resource_id={bench}&week=garbage", headers=HTML).status_code == 200


def test_the_notifications_page_sets_the_booking_reminder(alice):
    page = text(alice.get("/session/notifications", headers=HTML))
    assert 'name="booking_reminder_minutes" value="15"' in page
    assert "One of your bookings starts soon" in page
    token = csrf_token(alice, "/session/notifications")
    alice.post("/session/notifications", headers=HTML, data={"csrf_token": token, "booking_reminder_minutes": "30"})
    assert 'name="booking_reminder_minutes" value="30"' in text(alice.get("/session/notifications", headers=HTML))


def test_the_navigation_leads_to_the_calendar(alice):
    assert 'href="/reservation/calendar"' in text(alice.get("/", headers=HTML))
