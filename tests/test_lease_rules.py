"""Leases in the queue rules: a request whose client stops sending keep-alives ends by itself,
at its own moment, whoever notices, and the next waiter is approved as of that moment."""
from datetime import datetime, timedelta, timezone

import pytest

from backend.database import rules
from backend.database.pool import Pool
from backend.database.rules import ResourceState
from backend.models.states import APPROVED, EXPIRED, LEASE_LOST, REQUESTED

pytestmark = pytest.mark.once

NINE = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
HOLD = timedelta(minutes=10)
LEASE = 60
BENCH = (ResourceState(1),)


def seconds(n):
    return NINE + timedelta(seconds=n)


def stored(row, row_id):
    """A new row as the database hands it back: with its id."""
    row.id = row_id
    return row


def request(row_id, user_id, at, free, lease=LEASE, wait=None, resource_id=1):
    return stored(rules.new_request(user_id, resource_id, at, wait, HOLD, free, lease=lease), row_id)


def settle(rows, now, resources=BENCH):
    return Pool(list(resources), rows, now, HOLD).settle()


def test_a_leased_hold_without_keep_alive_ends_at_its_lease_and_the_next_holds_from_then():
    holder = request(1, 10, seconds(0), free=True)
    waiting = request(2, 11, seconds(5), free=False, lease=None)
    assert holder.valid_until == holder.lease_until == seconds(60)
    settled = settle([holder, waiting], seconds(400))
    assert (holder.state, holder.ended_at, holder.end_reason) == (EXPIRED, seconds(60), LEASE_LOST)
    assert settled.holder(1) is waiting and waiting.approved_at == seconds(60)
    assert waiting.valid_until == seconds(60) + HOLD


def test_keep_alives_carry_a_leased_hold_up_to_the_hold_deadline_at_most():
    holder = request(1, 10, seconds(0), free=True)
    change = rules.extend(holder, seconds(50), HOLD)
    assert (holder.lease_until, holder.valid_until) == (seconds(110), seconds(110))
    assert change.values == {"valid_until": seconds(110), "lease_until": seconds(110)}
    settled = settle([holder], seconds(100))
    assert settled.holder(1) is holder and settled.changes == []


def test_a_hold_whose_hold_time_is_shorter_than_its_lease_expires_without_lease_lost():
    """The earlier of the two deadlines ends it; only a lease that ran out is reported as lost."""
    holder = request(1, 10, seconds(0), free=True, lease=600)
    rules.extend(holder, seconds(100), timedelta(minutes=5))  # the hold time was lowered meanwhile
    assert (holder.valid_until, holder.lease_until) == (seconds(400), seconds(700))
    settle([holder], seconds(500))
    assert (holder.state, holder.ended_at, holder.end_reason) == (EXPIRED, seconds(400), None)


def test_a_leased_request_that_stops_waiting_leaves_the_queue_and_is_skipped():
    holder = request(1, 10, seconds(0), free=True, lease=None)
    dead = request(2, 11, seconds(1), free=False)
    alive = request(3, 12, seconds(2), free=False, lease=None)
    settled = settle([holder, dead, alive], seconds(30))
    assert settled.position(alive) == 2
    settled = settle([holder, dead, alive], seconds(90))
    assert (dead.state, dead.ended_at, dead.end_reason) == (EXPIRED, seconds(61), LEASE_LOST)
    assert settled.position(alive) == 1


def test_a_waiter_kept_alive_is_approved_with_the_lease_of_its_last_keep_alive():
    """Approved while nobody looked: its lease counts from its last keep-alive, not from approval."""
    holder = request(1, 10, seconds(0), free=True, lease=None)
    waiting = request(2, 11, seconds(1), free=False)
    rules.extend(waiting, seconds(590), None)
    assert (waiting.valid_until, waiting.lease_until) == (seconds(650), seconds(650))
    settled = settle([holder, waiting], seconds(620))
    assert settled.holder(1) is waiting and waiting.approved_at == seconds(600)
    assert waiting.valid_until == seconds(650)


def test_a_label_request_that_loses_its_lease_gives_back_everything_at_once():
    scopes = [ResourceState(i, labels=frozenset({"scope"})) for i in (1, 2)]
    pool = Pool(scopes, [], seconds(0), HOLD)
    label_request = stored(rules.new_label_request(10, ["scope"], 2, seconds(0), None, lease=LEASE), 5)
    pool.add_request(label_request).run()
    assert label_request.state == APPROVED
    members = pool.members(5)
    assert all((m.lease_seconds, m.lease_until) == (LEASE, seconds(60)) for m in members)
    waiting = request(9, 11, seconds(10), free=False, lease=None, resource_id=2)
    rows = [label_request, *members, waiting]
    for n, row in enumerate(members, start=6):
        row.id = n
    settled = settle(rows, seconds(300), scopes)
    assert {(m.state, m.end_reason, m.ended_at) for m in [label_request, *members]} == {
        (EXPIRED, LEASE_LOST, seconds(60))}
    assert settled.holder(2) is waiting and waiting.approved_at == seconds(60)
    assert settled.holder(1) is None and waiting.state == APPROVED and REQUESTED not in {m.state for m in members}
