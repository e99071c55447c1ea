"""Each part of the Database layer built on its own from what its constructor asks for."""
from datetime import datetime, timezone

import pytest

from backend.database.booking_reads import BookingReads
from backend.database.login_limits import LoginLimits
from backend.database.queue import Queue
from backend.database.reservations import Reservations
from backend.database.resources import Resources
from backend.database.transactions import NestedWrite, Transactions
from backend.database.users import Users
from backend.errors import Conflict, NotAuthenticated, NotFound
from backend.models import Resource
from tests.fixed_clock import FixedClock

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def transactions(app):
    """A Transactions of its own on the application's database, with a clock the test moves."""
    with app.app_context():
        yield Transactions(FixedClock(START))


def test_resources_alone(transactions):
    resources = Resources(transactions)
    bench = resources.create("bench-1", "the fast one")
    assert bench.created_at == START
    assert [r.name for r in resources.list()] == ["bench-1"]
    with pytest.raises(Conflict):
        resources.create("bench-1")
    with pytest.raises(NotFound):
        resources.get(bench.id + 1)


def test_users_with_their_login_limits(transactions):
    users = Users(transactions, LoginLimits(transactions))
    alice = users.create("alice", "Alice@Example.org", "apple-password")
    assert alice.email == "alice@example.org"
    assert users.authenticate("alice", "apple-password").id == alice.id
    with pytest.raises(NotAuthenticated):
        users.authenticate("alice", "wrong-password")
    token = users.open_session(alice)
    assert users.for_session(token).name == "alice"
    users.close_session(token)
    assert users.for_session(token) is None


def test_reservations_with_their_queue_and_resources(transactions):
    resources = Resources(transactions)
    reservations = Reservations(transactions, Queue(transactions), resources, BookingReads(transactions))
    users = Users(transactions, LoginLimits(transactions))
    alice = users.create("alice", "a@example.org", "apple-password")
    bob = users.create("bob", "b@example.org", "bread-password")
    bench = resources.create("bench-1")
    assert reservations.request(alice, bench.id).position == 0
    assert reservations.request(bob, bench.id).position == 1
    transactions.clock.advance(minutes=3)
    outcome = reservations.release(alice, bench.id)
    assert outcome.next_user_name == "bob"
    assert outcome.next_reservation.approved_at == START.replace(minute=3)
    assert [(e.user_name, e.position) for e in reservations.active()] == [("bob", 0)]


def test_a_write_inside_a_write_is_refused_and_the_outer_one_is_rolled_back(transactions):
    with pytest.raises(NestedWrite):
        with transactions.writing() as session:
            session.add(Resource(name="half-done", comment="", created_at=START))
            session.flush()
            with transactions.writing():
                pass
    assert Resources(transactions).list() == []
