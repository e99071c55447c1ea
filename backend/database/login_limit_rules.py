"""How failed logins are limited: plain functions of a counter and the time, like rules.py.

Per account name: after `max_failures` failures within `window`, every further attempt for that
name is refused without checking the password, first for `first_lock`, then twice as long after
each further failure (30 s, 1 min, 2 min ... at most `longest_lock`, and never more than
LOCK_CAP whatever the settings say: a lock anybody can set must not keep the owner out for long).
The count starts again after a quiet `window` (from the first failure, or from the end of the last
lock), or at once when the right password is given.

A browser that has signed in as the name before (its device cookie) is counted on its own, per
(name, device): guesses from elsewhere do not lock it out, and it cannot guess without limit either.

Per client address: at most `address_failures` failed logins in a minute, whichever names they
were for; then the address waits for the minute to end.

Successful logins never count, so a team behind one proxy address and scripts that log in often
are never held up by their own logins.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

MINUTE = timedelta(minutes=1)
# The longest any lock lasts, whatever RESERVIA_LOGIN_LONGEST_LOCK_MINUTES says (OWASP: lock
# periods are short and bounded, so that locking is no way to keep someone out).
LOCK_CAP = timedelta(minutes=15)


@dataclass(frozen=True)
class Limits:
    """The settings, as durations; a count of 0 turns that limit off."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(seconds=30)
    longest_lock: timedelta = timedelta(minutes=15)
    address_failures: int = 30


@dataclass(frozen=True)
class Counter:
    """A row of login_counters, as plain values."""

    failures: int
    window_start: datetime
    blocked_until: datetime | None
    expires_at: datetime


def fresh(now):
    """A counter with nothing counted: what a name or address without a row has."""
    return Counter(0, now, None, now)


def wait(counter, now):
    """How long attempts under this counter are still refused; None when they are not."""
    if counter is None or counter.blocked_until is None or counter.blocked_until <= now:
        return None
    return counter.blocked_until - now


def lock_length(failures, limits):
    """How long a name is locked after its `failures`-th failure in a row (the first lock at
    `max_failures`), doubling each time up to `longest_lock`, and never past LOCK_CAP."""
    doublings = failures - limits.max_failures
    if doublings < 0:
        return None
    longest = min(limits.longest_lock, LOCK_CAP)
    if doublings >= 20:  # 30 s times a million is past any longest lock
        return longest
    return min(limits.first_lock * 2**doublings, longest)


def name_failed(counter, now, limits):
    """The name's counter after one more wrong password at `now`."""
    if counter is None or now >= counter.expires_at:
        counter = fresh(now)
    failures = counter.failures + 1
    lock = lock_length(failures, limits) if limits.max_failures > 0 else None
    if lock is None:
        return Counter(failures, counter.window_start, None, counter.window_start + limits.window)
    blocked_until = now + lock
    return Counter(failures, counter.window_start, blocked_until, blocked_until + limits.window)


def address_failed(counter, now, limits):
    """The address's counter after one more failed login from it at `now`."""
    if counter is None or now >= counter.window_start + MINUTE:
        counter = fresh(now)
    failures = counter.failures + 1
    ends = counter.window_start + MINUTE
    blocked_until = ends if 0 < limits.address_failures <= failures else None
    return Counter(failures, counter.window_start, blocked_until, ends)
