"""The client's booking commands against a live Reservia: book, bookings, cancel-booking, and
`lock` telling when a hold ends early for a booking."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.client_runs import Jobs
from tests.threaded_server import serving

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

# conftest's `clock` stops here: the server's "now" while the client books around it.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(app, clock, accounts):
    with serving(app) as (base, _flaky):
        yield Jobs(accounts, base)


def moment(**delta):
    return (START + timedelta(**delta)).isoformat()


def test_book_list_and_cancel_from_the_command_line(world):
    world.resource("rig-cli")
    token, other = world.token_for("ci-booker"), world.token_for("ci-other")
    made = world.run(token, "book", "rig-cli", "--start", moment(days=1), "--end", moment(days=1, hours=2),
                     "--note", "customer demo")
    assert made.returncode == 0, made.stderr
    booking_id = int(made.stdout)
    assert "Booked from" in made.stderr
    clash = world.run(other, "book", "rig-cli", "--start", moment(days=1, hours=1), "--end", moment(days=1, hours=3))
    assert clash.returncode == 1 and "BOOKING_CONFLICT" in clash.stderr
    world.run(other, "book", "rig-cli", "--start", moment(days=2), "--end", moment(days=2, hours=1))
    mine = world.run(token, "bookings", "--mine")
    assert mine.returncode == 0 and len(mine.stdout.splitlines()) == 2
    assert f"{booking_id:>7}  rig-cli" in mine.stdout and "ci-booker" in mine.stdout
    assert len(world.run(token, "bookings").stdout.splitlines()) == 3
    cancelled = world.run(token, "cancel-booking", str(booking_id))
    assert cancelled.returncode == 0 and "Cancelled 1 booking" in cancelled.stdout
    assert "cancelled" in world.run(token, "bookings", "--mine").stdout


def test_lock_says_when_the_hold_ends_early_for_a_booking(world):
    world.resource("rig-lock")
    booker, runner = world.token_for("ci-early"), world.token_for("ci-runner")
    assert world.run(booker, "book", "rig-lock", "--start", moment(minutes=7),
                     "--end", moment(minutes=30)).returncode == 0
    done = world.run(runner, "lock", "--resource", "rig-lock", "--lease", "600", "--", "true")
    assert done.returncode == 0, done.stderr
    assert "the resource is booked from" in done.stderr
