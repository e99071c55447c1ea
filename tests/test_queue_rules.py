"""The queue rules on their own: plain rows and a clock, no application and no database."""
from datetime import datetime, timedelta, timezone

import pytest

from backend.database import rules
from backend.database.pool import Pool
from backend.database.rules import ReservationRow, ResourceState
from backend.models.states import APPROVED, CANCELLED, EXPIRED, RELEASED, REQUESTED

pytestmark = pytest.mark.once

NINE = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
HOLD = timedelta(minutes=10)


def minutes(n):
    return NINE + timedelta(minutes=n)


def settle(rows, now, hold=HOLD, maintenance=False, maximum=None):
    """One resource (id 1) and its rows, brought up to date."""
    return Pool([ResourceState(1, maintenance, maximum=maximum)], rows, now, hold).settle()


def held(row_id, user_id, since, until=None):
    return ReservationRow(row_id, user_id, 1, APPROVED, requested_at=since, approved_at=since,
                          valid_until=until)


def queued(row_id, user_id, at, until=None):
    return ReservationRow(row_id, user_id, 1, REQUESTED, requested_at=at, valid_until=until)


def test_a_free_resource_goes_to_the_head_of_the_queue():
    first, second = queued(1, 10, minutes(0)), queued(2, 11, minutes(1))
    settled = settle([first, second], minutes(5), HOLD)
    assert settled.holder(1) is first and first.state == APPROVED
    assert first.approved_at == minutes(5) and first.valid_until == minutes(15)
    assert settled.queue(1) == [second]
    assert [(c.row, c.event) for c in settled.changes] == [(first, APPROVED)]


def test_an_overdue_hold_ends_at_its_deadline_and_the_next_is_approved_at_that_moment():
    """Whether expiry runs on time or hours later, the history is the same."""
    holder = held(1, 10, minutes(0), until=minutes(10))
    waiting = queued(2, 11, minutes(1))
    settled = settle([holder, waiting], minutes(15), HOLD)
    assert holder.state == EXPIRED and holder.ended_at == minutes(10)
    assert settled.holder(1) is waiting and waiting.approved_at == minutes(10)
    assert waiting.valid_until == minutes(20)


def test_several_holds_that_ran_out_while_nobody_looked_end_one_after_the_other():
    holder = held(1, 10, minutes(0), until=minutes(10))
    waiting = queued(2, 11, minutes(1))
    settled = settle([holder, waiting], minutes(300), HOLD)
    assert settled.holder(1) is None and settled.queue(1) == []
    assert (holder.state, holder.ended_at) == (EXPIRED, minutes(10))
    assert (waiting.state, waiting.approved_at, waiting.ended_at) == (EXPIRED, minutes(10), minutes(20))
    assert [(c.row.id, c.event) for c in settled.changes] == [(1, EXPIRED), (2, APPROVED), (2, EXPIRED)]


def test_the_ended_hold_is_written_before_the_approval_that_replaces_it():
    """The database allows one holder per resource at every instant."""
    holder = held(1, 10, minutes(0), until=minutes(10))
    waiting = queued(2, 11, minutes(1))
    changes = settle([holder, waiting], minutes(11), HOLD).changes
    assert [(c.row.id, c.event) for c in changes] == [(1, EXPIRED), (2, APPROVED)]
    assert tuple(changes[0].values) == ("state", "ended_at", "end_reason", "ended_by_id")


def test_queued_requests_that_ran_out_are_skipped_and_expire_at_their_own_deadline():
    holder = held(1, 10, minutes(0), until=minutes(10))
    gave_up = queued(2, 11, minutes(1), until=minutes(5))
    still_waiting = queued(3, 12, minutes(2), until=minutes(60))
    settled = settle([holder, gave_up, still_waiting], minutes(12), HOLD)
    assert gave_up.state == EXPIRED and gave_up.ended_at == minutes(5)
    assert settled.holder(1) is still_waiting and still_waiting.approved_at == minutes(10)


def test_a_request_made_after_the_resource_fell_free_is_approved_when_it_was_made():
    holder = held(1, 10, minutes(0), until=minutes(10))
    late = queued(2, 11, minutes(30))
    settle([holder, late], minutes(40), HOLD)
    assert late.approved_at == minutes(30)


def test_maintenance_holds_the_queue_back():
    waiting = queued(1, 10, minutes(0))
    settled = settle([waiting], minutes(5), HOLD, maintenance=True)
    assert settled.holder(1) is None and settled.queue(1) == [waiting] and settled.changes == []


def test_without_a_hold_length_holds_never_expire():
    waiting = queued(1, 10, minutes(0))
    settle([waiting], minutes(5), hold=None)
    assert waiting.valid_until is None
    assert settle([waiting], minutes(10_000), hold=None).holder(1) is waiting


def test_a_new_request_is_approved_at_once_only_when_free():
    free = rules.new_request(10, 1, minutes(0), wait=None, hold=HOLD, free=True)
    busy = rules.new_request(11, 1, minutes(0), wait=timedelta(hours=1), hold=HOLD, free=False)
    assert (free.state, free.approved_at, free.valid_until) == (APPROVED, minutes(0), minutes(10))
    assert (busy.state, busy.approved_at, busy.valid_until) == (REQUESTED, None, minutes(60))
    assert free.id is None and busy.id is None  # ids come from the database: the queue order


def test_ending_records_who_and_why():
    holder = held(1, 10, minutes(0))
    change = rules.end(holder, RELEASED, minutes(3), reason="bench on fire", by_id=99)
    assert (holder.state, holder.ended_at, holder.end_reason, holder.ended_by_id) == (
        RELEASED, minutes(3), "bench on fire", 99)
    assert change.event == RELEASED


def test_keep_alive_moves_the_deadline_from_now():
    holder = held(1, 10, minutes(0), until=minutes(10))
    change = rules.extend(holder, minutes(8), HOLD)
    assert holder.valid_until == minutes(18) and change.values == {"valid_until": minutes(18)}


def test_own_and_position_find_the_users_place():
    holder, first, second = held(1, 10, minutes(0)), queued(2, 11, minutes(1)), queued(3, 12, minutes(2))
    settled = settle([holder, first, second], minutes(3), HOLD)
    assert settled.own(1, 12) is second and settled.position(second) == 2
    assert settled.own(1, 10) is holder and settled.position(holder) == 0
    assert settled.own(1, 13) is None


def test_a_cancelled_request_leaves_the_queue():
    holder, first, second = held(1, 10, minutes(0)), queued(2, 11, minutes(1)), queued(3, 12, minutes(2))
    rules.end(first, CANCELLED, minutes(2))
    settled = settle([holder, first, second], minutes(3), HOLD)
    assert settled.queue(1) == [second]


def test_a_hold_lasts_the_length_its_user_chose_within_the_maximum():
    waiting = queued(1, 10, minutes(0))
    waiting.hold_minutes = 90
    settle([waiting], minutes(5), HOLD, maximum=timedelta(hours=2))
    assert waiting.valid_until == minutes(95)
    greedy = queued(2, 11, minutes(0))
    greedy.hold_minutes = 600
    settle([greedy], minutes(5), HOLD, maximum=timedelta(hours=2))
    assert greedy.valid_until == minutes(125)


def test_the_sites_hold_length_is_capped_by_the_resources_maximum():
    assert rules.hold_span(queued(1, 10, minutes(0)), HOLD, timedelta(minutes=5)) == timedelta(minutes=5)
    assert rules.hold_span(queued(1, 10, minutes(0)), None, timedelta(minutes=5)) == timedelta(minutes=5)
    assert rules.hold_span(queued(1, 10, minutes(0)), None, None) is None


def test_too_long_compares_with_the_maximum():
    assert rules.too_long(121, timedelta(hours=2)) and not rules.too_long(120, timedelta(hours=2))
    assert not rules.too_long(None, timedelta(hours=2)) and not rules.too_long(10_000, None)


def test_a_new_request_carries_its_length_and_note():
    free = rules.new_request(10, 1, minutes(0), wait=None, hold=HOLD, free=True, hold_minutes=45,
                             note="flashing fw 2.3", maximum=timedelta(hours=1))
    assert (free.valid_until, free.hold_minutes, free.note) == (minutes(45), 45, "flashing fw 2.3")


def test_keep_alive_never_runs_past_the_maximum_from_approval_nor_shortens_a_hold():
    holder = held(1, 10, minutes(0), until=minutes(60))
    change = rules.extend(holder, minutes(50), timedelta(minutes=60), maximum=timedelta(minutes=90))
    assert holder.valid_until == minutes(90) and tuple(change.values) == ("valid_until",)
    assert rules.extend(holder, minutes(80), timedelta(minutes=60), maximum=timedelta(minutes=90)).values == {}
    lowered = rules.extend(holder, minutes(81), timedelta(minutes=5), maximum=timedelta(minutes=30))
    assert holder.valid_until == minutes(90) and lowered.values == {}


def test_a_queued_request_kept_alive_waits_from_now_whatever_the_maximum():
    waiting = queued(1, 10, minutes(0), until=minutes(30))
    rules.extend(waiting, minutes(20), timedelta(minutes=30), maximum=timedelta(minutes=5))
    assert waiting.valid_until == minutes(50)
