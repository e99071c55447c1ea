"""When a failed delivery is tried again: soon at first, then less and less often, for a day."""
from datetime import timedelta

FIRST_RETRY = timedelta(seconds=20)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)


def retry_at(attempt, created_at, now):
    """The moment of the next attempt after attempt number `attempt` failed: 20 s, 40 s, 80 s, …
    doubling up to an hour between attempts, the last one a day after the delivery was made;
    None once that day is over (the delivery is marked failed)."""
    last = created_at + GIVE_UP_AFTER
    if now >= last:
        return None
    wait = min(FIRST_RETRY * (2 ** min(attempt - 1, 20)), LONGEST_WAIT)
    return min(now + wait, last)
