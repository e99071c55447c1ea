"""How many threads of one server process GET /reservation/wait may hold open.

A held wait keeps its thread for up to 30 seconds. Held waits must never take every thread of a
process, or the pages queue behind them: a site of 4 threads per process that let 4 waits be held
answered 3-7% of its dashboards' refreshes. So where the server says how many threads it has,
waits take at most half of them by default, and never all of them even when the operator asks for
more; where it does not say, one thread at most, which any server with threads can spare.

A held wait is worth its thread for the waiter who can be approved next: it is the one a release
approves, and the one that must hear of it within milliseconds. So the slots go first to
requests at position 1 (nobody is served before them: a resource freed from what they ask for
is theirs); a request further back is held only while half of the slots stay free for those
(`may_hold`), else told to ask again after a pause that grows with its position
(`retry_after_seconds`): it cannot be approved before everyone ahead of it was.
"""
from dataclasses import dataclass

# Werkzeug's development server (`python app.py`) starts a thread per request: a held wait takes
# nobody's thread, and this is only a bound on sleeping threads.
DEVELOPMENT_SERVER_WAITS = 4


@dataclass(frozen=True)
class ServerThreads:
    """What the server serving this process says of its threads.

    `count`: threads per process, None when the server does not say; `multithread`: the WSGI flag,
    whether one process runs several requests at once; `unbounded`: a new thread for each request.
    """

    server: str
    count: int | None = None
    multithread: bool = True
    unbounded: bool = False

    def describe(self):
        if self.count is not None:
            return f"{self.count} threads per process ({self.server})"
        if self.unbounded:
            return f"a thread per request ({self.server})"
        return f"threads per process unknown ({self.server or 'unknown server'})"


def held_waits(threads, explicit=None):
    """Threads of one process that waits may hold: `explicit` (RESERVIA_WAIT_THREADS when set)
    or a share derived from the server's `threads` (a ServerThreads).

    Where the count is known, an explicit number is honoured up to all threads but one, and the
    default is half of them (1 of 2, 4 of 8; none of 1). Where it is not, an explicit number is
    the operator's own measure; the default holds one thread if the process has several (none if
    it serves one request at a time), and the old 4 for the development server's unbounded threads.
    """
    if threads.count is not None:
        spare = max(threads.count - 1, 0)
        return min(explicit, spare) if explicit is not None else threads.count // 2
    if explicit is not None:
        return explicit
    if threads.unbounded:
        return DEVELOPMENT_SERVER_WAITS
    return 1 if threads.multithread else 0


# What a waiter that could not be held is told to wait before asking again, at most.
LONGEST_RETRY_AFTER = 10


def is_next_in_line(position):
    """Whether a queued request is the one a release would approve (nobody is served before it)."""
    return position is not None and position <= 1


def may_hold(taken, total, next_in_line):
    """Whether one more wait may be held when `taken` of `total` slots are: one next in line takes
    any free slot, one further back only while half of them (rounded up) stay free."""
    if taken >= total:
        return False
    return next_in_line or taken + 1 <= total // 2


def retry_after_seconds(position):
    """When a waiter not held should ask again: in 1 s when next in line, later the further back it
    is (its position in seconds, at most LONGEST_RETRY_AFTER)."""
    if position is None or position <= 1:
        return 1
    return min(position, LONGEST_RETRY_AFTER)
