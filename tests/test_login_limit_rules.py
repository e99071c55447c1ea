"""The rules that hold back failed logins, as plain functions of a counter and the time."""
from datetime import datetime, timedelta, timezone

import pytest

from backend.database.login_limit_rules import Limits, address_failed, lock_length, name_failed, wait

pytestmark = pytest.mark.once

START = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)
LIMITS = Limits()


def seconds(delta):
    return None if delta is None else delta.total_seconds()


def fail_name(times, counter=None, now=START, every=timedelta(seconds=1)):
    for _ in range(times):
        counter = name_failed(counter, now, LIMITS)
        now += every
    return counter, now


def test_four_failures_lock_nothing_the_fifth_locks_for_thirty_seconds():
    counter, now = fail_name(4)
    assert wait(counter, now) is None
    counter = name_failed(counter, now, LIMITS)
    assert seconds(wait(counter, now)) == 30


def test_each_failure_after_a_lock_doubles_it_up_to_fifteen_minutes():
    counter, now = fail_name(5)
    waits = []
    for _ in range(7):
        now = counter.blocked_until  # the next attempt comes as soon as it may
        counter = name_failed(counter, now, LIMITS)
        waits.append(seconds(wait(counter, now)))
    assert waits == [60, 120, 240, 480, 900, 900, 900]


def test_failures_spread_over_more_than_the_window_start_again():
    counter, now = fail_name(4)
    counter = name_failed(counter, START + timedelta(minutes=15), LIMITS)
    assert counter.failures == 1 and wait(counter, START + timedelta(minutes=15)) is None


def test_a_quiet_window_after_the_last_lock_forgives_it():
    counter, now = fail_name(6)
    quiet = counter.blocked_until + timedelta(minutes=15)
    counter = name_failed(counter, quiet, LIMITS)
    assert counter.failures == 1 and wait(counter, quiet) is None


def test_a_lock_counts_down():
    counter, _ = fail_name(5)
    locked_at = counter.blocked_until - timedelta(seconds=30)
    assert seconds(wait(counter, locked_at + timedelta(seconds=10))) == 20
    assert wait(counter, counter.blocked_until) is None


def test_the_lock_is_off_at_zero_failures_allowed():
    limits = Limits(max_failures=0)
    counter = name_failed(None, START, limits)
    for _ in range(20):
        counter = name_failed(counter, START, limits)
    assert wait(counter, START) is None


def test_lock_lengths_never_overflow():
    assert lock_length(10**6, LIMITS) == LIMITS.longest_lock
    assert lock_length(4, LIMITS) is None


def test_an_address_may_fail_thirty_times_a_minute():
    counter, now = None, START
    for _ in range(29):
        counter = address_failed(counter, now, LIMITS)
        now += timedelta(seconds=1)
    assert wait(counter, now) is None
    counter = address_failed(counter, now, LIMITS)
    assert seconds(wait(counter, now)) == 31  # until the minute that began at START is over
    assert wait(counter, START + timedelta(minutes=1)) is None
    counter = address_failed(counter, START + timedelta(minutes=1), LIMITS)
    assert counter.failures == 1


def test_the_address_limit_is_off_at_zero():
    counter = None
    for _ in range(100):
        counter = address_failed(counter, START, Limits(address_failures=0))
    assert wait(counter, START) is None


def test_no_lock_lasts_longer_than_fifteen_minutes_whatever_the_settings():
    """A lock anybody can set by guessing must not keep the owner out for long."""
    limits = Limits(longest_lock=timedelta(days=1))
    assert lock_length(30, limits) == timedelta(minutes=15)
    assert lock_length(10**6, limits) == timedelta(minutes=15)
