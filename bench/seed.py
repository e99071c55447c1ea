"""Bulk rows written straight into the SQLite file: a long history and long queues in seconds, not hours."""
import itertools
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

BATCH = 50_000
# SQLAlchemy's storage format for DateTime on SQLite (naive UTC, as the UTCDateTime column writes it).
_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_ENDINGS = ("released", "released", "released", "cancelled", "expired")


def _stamp(moment):
    return moment.strftime(_FORMAT)


def _connect(path):
    connection = sqlite3.connect(path, isolation_level=None, timeout=60)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _insert(connection, rows):
    """Insert reservation rows (dicts of the same keys) in batches, each under the write lock."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    sql = (f"INSERT INTO reservations ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    total = 0
    rows = itertools.chain([first], rows)
    while batch := list(itertools.islice(rows, BATCH)):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, [tuple(row[c] for c in columns) for row in batch])
        connection.execute("COMMIT")
        total += len(batch)
    return total


def _history_rows(count, user_ids, resource_ids, end):
    """Finished reservations, oldest first, one every ~40 s back from `end`."""
    start = end - timedelta(seconds=40 * count)
    users, resources = len(user_ids), len(resource_ids)
    for n in range(count):
        requested = start + timedelta(seconds=40 * n, microseconds=n % 997 + 1)
        state = _ENDINGS[n % len(_ENDINGS)]
        approved = requested + timedelta(seconds=5) if state != "cancelled" else None
        yield {
            "user_id": user_ids[n % users],
            "resource_id": resource_ids[(n * 7) % resources],
            "state": state,
            "requested_at": _stamp(requested),
            "approved_at": _stamp(approved) if approved else None,
            "ended_at": _stamp(requested + timedelta(seconds=30)),
            "valid_until": None,
            "end_reason": None,
            "ended_by_id": None,
        }


def add_history(path, count, user_ids, resource_ids):
    """Add `count` finished reservations that ended before now; returns how many were written."""
    with closing(_connect(path)) as connection:
        now = datetime.now(UTC).replace(tzinfo=None)
        oldest = connection.execute("SELECT MIN(requested_at) FROM reservations").fetchone()[0]
        end = min(now - timedelta(hours=1),
                  datetime.strptime(oldest, _FORMAT) if oldest else now)
        return _insert(connection, _history_rows(count, user_ids, resource_ids, end))


def add_queues(path, resource_ids, user_ids, waiting_per_resource):
    """Give each resource a holder and `waiting_per_resource` queued requests, each from a different user."""
    if waiting_per_resource + 1 > len(user_ids):
        raise ValueError("not enough users for that queue length")
    now = datetime.now(UTC).replace(tzinfo=None)

    def rows():
        for offset, resource_id in enumerate(resource_ids):
            for k in range(waiting_per_resource + 1):
                requested = now - timedelta(minutes=1) + timedelta(microseconds=offset * 10 + k + 1)
                yield {
                    "user_id": user_ids[(offset + k) % len(user_ids)],
                    "resource_id": resource_id,
                    "state": "approved" if k == 0 else "requested",
                    "requested_at": _stamp(requested),
                    "approved_at": _stamp(requested) if k == 0 else None,
                    "ended_at": None,
                    "valid_until": None,
                    "end_reason": None,
                    "ended_by_id": None,
                }

    with closing(_connect(path)) as connection:
        return _insert(connection, rows())
