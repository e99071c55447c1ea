"""The client's booking commands against a live Reservia: book, bookings, cancel-booking, and
`lock` telling when a hold ends early for a booking."""
from datetime import datetime, timedelta, timezone

import pytest

# The client above the engine: `make test` runs these once (scripts/test-runs.sh).
pytestmark = pytest.mark.once

# conftest's `clock` stops here: the server's "now" while the client books around it.
START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def moment(**delta):
    return (START + timedelta(**delta)).isoformat()


def test_book_list_and_cancel_from_the_command_line(jobs):
    jobs.resource("rig-cli")
    token, other = jobs.token_for("ci-booker"), jobs.token_for("ci-other")
    made = jobs.run(token, "book", "rig-cli", "--start", moment(days=1), "--end", moment(days=1, hours=2),
                     "--note", "customer demo")
    assert made.returncode == 0, made.stderr
    booking_id = int(made.stdout)
    assert "Booked from" in made.stderr
    clash = jobs.run(other, "book", "rig-cli", "--start", moment(days=1, hours=1), "--end", moment(days=1, hours=3))
    assert clash.returncode == 1 and "BOOKING_CONFLICT" in clash.stderr
    jobs.run(other, "book", "rig-cli", "--start", moment(days=2), "--end", moment(days=2, hours=1))
    mine = jobs.run(token, "bookings", "--mine")
    assert mine.returncode == 0 and len(mine.stdout.splitlines()) == 2
    assert f"{booking_id:>7}  rig-cli" in mine.stdout and "ci-booker" in mine.stdout
    assert len(jobs.run(token, "bookings").stdout.splitlines()) == 3
    cancelled = jobs.run(token, "cancel-booking", str(booking_id))
    assert cancelled.returncode == 0 and "Cancelled 1 booking" in cancelled.stdout
    assert "cancelled" in jobs.run(token, "bookings", "--mine").stdout


def test_lock_says_when_the_hold_ends_early_for_a_booking(jobs):
    jobs.resource("rig-lock")
    booker, runner = jobs.token_for("ci-early"), jobs.token_for("ci-runner")
    assert jobs.run(booker, "book", "rig-lock", "--start", moment(minutes=7),
                     "--end", moment(minutes=30)).returncode == 0
    done = jobs.run(runner, "lock", "--resource", "rig-lock", "--lease", "600", "--", "true")
    assert done.returncode == 0, done.stderr
    assert "the resource is booked from" in done.stderr
