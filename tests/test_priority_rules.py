"""The order of service with priority classes, on plain rows: higher class first, first come
within a class, aging so that nobody starves, label requests all-or-nothing in the same order,
restricted resources only for their groups."""
from datetime import datetime, timedelta, timezone

import pytest

from backend.database.pool import Pool
from backend.database.rules import ReservationRow, ResourceState
from backend.models.states import APPROVED, RELEASED, REQUESTED

pytestmark = pytest.mark.once

NINE = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
HOLD = timedelta(minutes=60)
AGING = timedelta(minutes=10)
BENCH = [ResourceState(1, labels=frozenset({"scope"}))]


def at(minutes):
    return NINE + timedelta(minutes=minutes)


def held(row_id, user_id, resource_id=1):
    return ReservationRow(row_id, user_id, resource_id, APPROVED, requested_at=NINE, approved_at=NINE,
                          valid_until=at(60))


def waiting(row_id, user_id, priority=50, minute=0, resource_id=1):
    return ReservationRow(row_id, user_id, resource_id, REQUESTED, requested_at=at(minute), priority=priority)


def by_labels(row_id, user_id, count=1, priority=50, minute=0):
    return ReservationRow(row_id, user_id, None, REQUESTED, requested_at=at(minute), labels="scope", count=count,
                          priority=priority)


def pool(rows, resources=BENCH, now=None, **kwargs):
    return Pool(list(resources), rows, now or at(5), HOLD, aging=AGING, **kwargs).settle()


def release(p, resource_id=1):
    p.end_request(p.request_of(p.taken(resource_id)), RELEASED, p.now)
    p.run()
    return p.taken(resource_id)


def test_a_higher_class_is_served_before_earlier_requests_of_a_lower_one():
    nightly, release_ci = waiting(2, 20, priority=50, minute=1), waiting(3, 30, priority=90, minute=2)
    p = pool([held(1, 10), nightly, release_ci])
    assert [r.id for r in p.queue(1)] == [3, 2]
    assert (p.position(release_ci), p.position(nightly)) == (1, 2)
    assert release(p).id == 3


def test_within_a_class_the_first_to_come_is_served_first():
    p = pool([held(1, 10), waiting(2, 20, minute=1), waiting(3, 30, minute=2), waiting(4, 40, minute=3)])
    assert [r.id for r in p.queue(1)] == [2, 3, 4]


def test_waiting_raises_a_request_one_class_per_aging_period_so_it_does_not_starve():
    old = waiting(2, 20, priority=50, minute=0)
    urgent = waiting(3, 30, priority=52, minute=29)
    # At 0:29 the old request has waited two whole periods: 52, as the urgent one, and came first.
    p = pool([held(1, 10), old, urgent], now=at(29))
    assert [r.id for r in p.queue(1)] == [2, 3] and p.position(old) == 1
    # A minute before, it had only reached 51.
    assert pool([held(1, 10), old, urgent], now=at(19)).position(old) == 2


def test_without_aging_classes_stay_as_they_were_made():
    old, urgent = waiting(2, 20, priority=50), waiting(3, 30, priority=51, minute=59)
    p = Pool(list(BENCH), [held(1, 10), old, urgent], at(59), HOLD, aging=None).settle()
    assert p.position(urgent) == 1


def test_a_label_request_of_a_higher_class_takes_the_resource_before_an_earlier_request_by_name():
    by_name, label = waiting(2, 20, minute=1), by_labels(3, 30, priority=80, minute=2)
    p = pool([held(1, 10), by_name, label])
    assert p.position(label) == 1 and p.position(by_name) == 2
    release(p)
    assert label.state == APPROVED and by_name.state == REQUESTED


def test_a_big_label_request_of_a_higher_class_keeps_what_it_gets_until_it_has_all():
    benches = [ResourceState(i, labels=frozenset({"scope"})) for i in (1, 2)]
    big = by_labels(3, 30, count=2, priority=80, minute=1)
    small = waiting(4, 40, minute=0, resource_id=1)
    p = pool([held(1, 10, 1), held(2, 11, 2), big, small], resources=benches)
    release(p, 1)
    assert p.taken(1).parent_id == 3 and big.state == REQUESTED and small.state == REQUESTED
    release(p, 2)
    assert big.state == APPROVED


def test_a_label_request_only_takes_restricted_resources_its_user_may_use():
    benches = [ResourceState(1, labels=frozenset({"scope"}), allowed=frozenset({7})),
               ResourceState(2, labels=frozenset({"scope"}))]
    outsider, member, admin = by_labels(3, 30), by_labels(4, 40), by_labels(5, 50)
    p = Pool(benches, [], at(0), HOLD, user_groups={40: frozenset({7})}, admins=frozenset({50})).settle()
    assert p.resources_for(outsider) == [2]
    assert p.resources_for(member) == [1, 2] and p.resources_for(admin) == [1, 2]
