"""The queue rules for label requests, on plain rows: one arrival order, whole sets, no starvation."""
from datetime import datetime, timedelta, timezone

import pytest

from backend.database import rules
from backend.database.pool import Pool
from backend.database.rules import DELETE, INSERT, ReservationRow, ResourceState
from backend.models.states import APPROVED, CANCELLED, EXPIRED, KEPT, POOL_TOO_SMALL, RELEASED, REQUESTED

pytestmark = pytest.mark.once

NINE = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
HOLD = timedelta(minutes=10)
SCOPES = [ResourceState(i, labels=frozenset({"scope"})) for i in (1, 2, 3)]


def minutes(n):
    return NINE + timedelta(minutes=n)


def held(row_id, user_id, resource_id, until=None):
    return ReservationRow(row_id, user_id, resource_id, APPROVED, requested_at=NINE, approved_at=NINE,
                          valid_until=until)


def by_name(row_id, user_id, resource_id, at=NINE):
    return ReservationRow(row_id, user_id, resource_id, REQUESTED, requested_at=at)


def by_labels(row_id, user_id, count, labels="scope", at=NINE, until=None):
    return ReservationRow(row_id, user_id, None, REQUESTED, requested_at=at, labels=labels, count=count,
                          valid_until=until)


def pool(rows, resources=SCOPES, now=None):
    return Pool(list(resources), rows, now or minutes(5), HOLD).settle()


def holders(p):
    return {rid: (row.request_id, row.state) for rid in p.resources if (row := p.taken(rid)) is not None}


def test_enough_free_resources_are_held_at_once_as_one_request():
    p = pool([held(1, 50, 3)])
    request = by_labels(7, 10, count=2)
    p.add_request(request).run()
    assert request.state == APPROVED and request.approved_at == minutes(5)
    assert holders(p) == {1: (7, APPROVED), 2: (7, APPROVED), 3: (1, APPROVED)}
    kinds = [(c.kind, c.event) for c in p.changes]
    # The resources are kept first, then the request is approved, then what it holds: the
    # order the database's checks need (a request is approved only with all its resources).
    assert kinds == [(INSERT, KEPT), (INSERT, KEPT), ("update", APPROVED), ("update", APPROVED),
                     ("update", APPROVED)]
    assert all(m.valid_until == minutes(15) for m in p.members(7))


def test_too_few_free_resources_are_kept_and_the_request_waits():
    p = pool([held(1, 50, 3)])
    request, later = by_labels(7, 10, count=3), by_labels(8, 11, count=1)
    p.add_request(request)
    p.add_request(later)
    assert request.state == REQUESTED and later.state == REQUESTED
    assert holders(p) == {1: (7, KEPT), 2: (7, KEPT), 3: (1, APPROVED)}
    assert (p.position(request), p.position(later)) == (1, 2)


def test_a_small_later_request_never_overtakes_an_earlier_big_one():
    p = pool([held(1, 50, 1), held(2, 51, 2), held(3, 52, 3)])
    big, small = by_labels(7, 10, count=2), by_labels(8, 11, count=1)
    p.add_request(big)
    p.add_request(small)
    p.end_request(p.taken(1), RELEASED, minutes(6))
    p.run()
    assert holders(p)[1] == (7, KEPT) and small.state == REQUESTED
    assert p.position(big) == 1 and p.position(small) == 2
    p.end_request(p.taken(2), RELEASED, minutes(7))
    p.run()
    assert big.state == APPROVED and big.approved_at == minutes(7) and small.state == REQUESTED
    p.end_request(p.taken(3), RELEASED, minutes(8))
    p.run()
    assert small.state == APPROVED and holders(p)[3] == (8, APPROVED)


def test_a_released_resource_goes_to_the_earliest_request_it_can_serve_by_name_or_by_labels():
    p = pool([held(1, 50, 1), by_name(5, 11, 1), by_labels(6, 12, count=1)], resources=SCOPES[:1])
    p.end_request(p.taken(1), RELEASED, minutes(6))
    p.run()
    assert holders(p) == {1: (5, APPROVED)}
    p.end_request(p.taken(1), RELEASED, minutes(7))
    p.run()
    assert holders(p) == {1: (6, APPROVED)}


def test_a_label_request_earlier_than_a_request_by_name_gets_the_resource_first():
    p = pool([held(1, 50, 1), by_labels(5, 12, count=1), by_name(6, 11, 1)], resources=SCOPES[:1])
    assert p.position(p.queue(1)[0]) == 2
    p.end_request(p.taken(1), RELEASED, minutes(6))
    p.run()
    assert holders(p) == {1: (5, APPROVED)}


def test_a_resource_without_the_labels_is_not_given_to_a_label_request():
    plain = ResourceState(4)
    p = pool([held(1, 50, 4), by_labels(5, 12, count=1)], resources=[plain])
    p.end_request(p.taken(4), RELEASED, minutes(6))
    p.run()
    assert holders(p) == {}


def test_two_label_requests_never_share_a_resource():
    p = pool([])
    first, second = by_labels(7, 10, count=2), by_labels(8, 11, count=2)
    p.add_request(first)
    p.add_request(second)
    assert first.state == APPROVED and second.state == REQUESTED
    assert {m.resource_id for m in p.members(7)} & {m.resource_id for m in p.members(8)} == set()


def test_a_set_whose_hold_ran_out_ends_whole_at_its_deadline_and_the_next_gets_it_then():
    request = ReservationRow(7, 10, None, APPROVED, requested_at=NINE, approved_at=NINE,
                             valid_until=minutes(10), labels="scope", count=2)
    members = [ReservationRow(20 + i, 10, i, APPROVED, requested_at=NINE, approved_at=NINE,
                              valid_until=minutes(10), parent_id=7) for i in (1, 2)]
    waiting = by_name(9, 11, 2, at=minutes(1))
    p = pool([request, *members, waiting], now=minutes(12))
    assert request.state == EXPIRED and all(m.state == EXPIRED and m.ended_at == minutes(10) for m in members)
    assert waiting.state == APPROVED and waiting.approved_at == minutes(10)
    assert holders(p) == {2: (9, APPROVED)}


def test_a_waiting_label_request_that_gave_up_returns_what_it_kept_at_that_moment():
    request = by_labels(7, 10, count=2, until=minutes(4))
    kept = ReservationRow(21, 10, 1, KEPT, requested_at=NINE, parent_id=7)
    after = by_name(9, 11, 1, at=minutes(1))
    p = pool([request, kept, held(3, 50, 2), held(4, 51, 3), after], now=minutes(6))
    assert request.state == EXPIRED and request.ended_at == minutes(4)
    assert (DELETE, kept) in [(c.kind, c.row) for c in p.changes]
    assert after.state == APPROVED and after.approved_at == minutes(4)


def test_cancelling_a_waiting_label_request_gives_its_resources_on():
    p = pool([held(1, 50, 3)])
    request = by_labels(7, 10, count=3)
    p.add_request(request)
    follower = by_labels(8, 11, count=1)
    p.add_request(follower)
    p.end_request(request, CANCELLED, minutes(6))
    p.run()
    assert request.state == CANCELLED and follower.state == APPROVED
    assert [c.kind for c in p.changes].count(DELETE) == 2


def test_what_no_longer_serves_is_given_back_and_requests_that_can_never_be_served_end():
    kept = ReservationRow(21, 10, 1, KEPT, requested_at=NINE, parent_id=7)
    request = by_labels(7, 10, count=3)
    relabelled = [ResourceState(1), SCOPES[1], SCOPES[2]]
    p = Pool(relabelled, [request, kept, held(3, 50, 2), held(4, 51, 3)], minutes(5), HOLD).reexamine().settle()
    assert request.state == CANCELLED and request.end_reason == POOL_TOO_SMALL
    assert (DELETE, kept) in [(c.kind, c.row) for c in p.changes]


def test_a_request_that_maintenance_leaves_too_few_resources_ends_and_frees_what_it_kept():
    """Three scopes, one in maintenance, one held: a request for three can never be met."""
    kept = ReservationRow(21, 10, 2, KEPT, requested_at=NINE, parent_id=7)
    request = by_labels(7, 10, count=3)
    behind = by_name(8, 11, 2)
    resources = [ResourceState(1, maintenance=True, labels=frozenset({"scope"})), SCOPES[1], SCOPES[2]]
    p = Pool(resources, [request, kept, held(3, 50, 3), behind], minutes(5), HOLD).reexamine().settle()
    assert request.state == CANCELLED and request.end_reason == POOL_TOO_SMALL
    assert (DELETE, kept) in [(c.kind, c.row) for c in p.changes]
    assert behind.state == APPROVED and behind.approved_at == minutes(5)


def test_a_request_busy_resources_can_still_meet_waits_and_gives_back_what_is_in_maintenance():
    kept = ReservationRow(21, 10, 1, KEPT, requested_at=NINE, parent_id=7)
    request = by_labels(7, 10, count=2)
    resources = [ResourceState(1, maintenance=True, labels=frozenset({"scope"})), SCOPES[1], SCOPES[2]]
    p = Pool(resources, [request, kept, held(3, 50, 2), held(4, 51, 3)], minutes(5), HOLD).reexamine().settle()
    assert request.state == REQUESTED and request.end_reason is None
    assert (DELETE, kept) in [(c.kind, c.row) for c in p.changes]
    assert holders(p) == {2: (3, APPROVED), 3: (4, APPROVED)}


def test_maintenance_keeps_a_resource_from_label_requests_too():
    p = pool([by_labels(7, 10, count=1)], resources=[ResourceState(1, maintenance=True, labels=frozenset({"scope"}))])
    assert holders(p) == {}


def test_approving_a_request_by_name_leaves_label_rules_alone():
    free = rules.new_request(10, 1, NINE, wait=None, hold=HOLD, free=True)
    assert free.request_id is None and free.count == 1 and not free.is_label_request


def test_the_places_of_many_rows_at_once_are_each_row_s_own_place():
    """Pool.positions over many rows (the active list's places, worked out together, sharing what
    they work out) gives each row the place it has alone: named queues, label requests competing
    for them, priorities and ties."""
    resources = [*SCOPES, ResourceState(4, labels=frozenset({"scope", "fast"})), ResourceState(5)]
    rows = [held(1, 50, 1), held(2, 51, 2), held(3, 52, 3), held(4, 53, 4), held(5, 54, 5)]
    rows += [by_name(10 + n, 60 + n, 1 + n % 5, at=minutes(n % 4)) for n in range(12)]
    rows += [by_labels(40 + n, 80 + n, count=1 + n % 2, labels="scope fast" if n % 3 == 0 else "scope",
                       at=minutes(n % 5)) for n in range(9)]
    for n, row in enumerate(rows):
        row.priority = (0, 1, 2)[n % 3]
    p = Pool(resources, rows, minutes(6), HOLD)
    places = p.positions(rows)
    assert places == {row.id: p.positions([row])[row.id] for row in rows}

    # The rule itself: 1 + the waiting requests, by name or by labels, that want one of the row's
    # resources and come first in the order of service.
    def place(row):
        if row.state == APPROVED:
            return 0
        wanted = set(p.resources_for(row))
        return 1 + sum(1 for other in rows if other is not row and other.state == REQUESTED
                       and wanted & set(p.resources_for(other)) and p.key(other) < p.key(row))
    assert places == {row.id: place(row) for row in rows}
    assert sorted(set(places.values()))[:3] == [0, 1, 2]
