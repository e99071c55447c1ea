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


def add_bookings(path, resource_ids, user_ids, per_resource, first_in=timedelta(days=1),
                 every=timedelta(hours=3), length=timedelta(hours=1)):
    """Give each resource `per_resource` future bookings (one hour every three, from a day on),
    each of a user in turn, and mark the resources booked (resources.booked_until) as booking
    does; returns how many were written. The database's own triggers still refuse overlaps."""
    now = datetime.now(UTC).replace(tzinfo=None)
    start = (now + first_in).replace(minute=0, second=0, microsecond=0)
    rows = [(user_ids[(n + k) % len(user_ids)], resource_id, _stamp(start + k * every),
             _stamp(start + k * every + length), _stamp(now), _stamp(now))
            for n, resource_id in enumerate(resource_ids) for k in range(per_resource)]
    last = _stamp(start + (per_resource - 1) * every + length)
    with closing(_connect(path)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO bookings (user_id, resource_id, start_at, end_at, status, maintenance, created_at, "
            "sequence, updated_at) VALUES (?, ?, ?, ?, 'booked', 0, ?, 0, ?)", rows)
        connection.execute("UPDATE bookings SET booking_id = id, series_id = id WHERE booking_id IS NULL")
        connection.executemany("UPDATE resources SET booked_until = ? WHERE id = ?",
                               [(last, resource_id) for resource_id in resource_ids])
        connection.execute("COMMIT")
    return len(rows)


def add_rules(path, user_ids, resource_ids, rules=100, groups=20, groups_per_user=2):
    """`groups` groups, each user a member of `groups_per_user` of them, and `rules` rules spread
    over the groups (and a few for everyone), scoped in turn to every resource, one resource and
    one label, with limits generous enough that nothing the benchmark does is refused; returns
    how many rules were written."""
    now = _stamp(datetime.now(UTC).replace(tzinfo=None))
    with closing(_connect(path)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        group_ids = []
        for n in range(groups):
            cursor = connection.execute(
                "INSERT INTO groups (name, name_key, description, created_at) VALUES (?, ?, '', ?)",
                (f"bench-team-{n:02d}", f"bench-team-{n:02d}", now))
            group_ids.append(cursor.lastrowid)
        connection.executemany(
            "INSERT INTO user_groups (user_id, group_id, source) VALUES (?, ?, 'admin')",
            [(user_id, group_ids[(k + j * 7) % groups]) for k, user_id in enumerate(user_ids)
             for j in range(groups_per_user)])
        rows = []
        for n in range(rules):
            # Every tenth rule is everyone's; the others belong to the groups in turn.
            group_id = None if n % 10 == 9 else group_ids[n % groups]
            scope = n % 3
            rows.append((group_id, resource_ids[n % len(resource_ids)] if scope == 1 else None,
                         f"lab-{n % 12}" if scope == 2 else None, 24 * 60, 50, 500, 10 + n % 60, now))
        connection.executemany(
            "INSERT INTO group_rules (group_id, resource_id, label, max_hold_minutes, max_open_requests, "
            "max_booked_hours_per_week, priority, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        connection.execute("COMMIT")
    return len(rows)


def overlapping_bookings(path):
    """Pairs of live bookings of one resource whose windows overlap: none, if the database holds."""
    with closing(_connect(path)) as connection:
        return connection.execute(
            "SELECT COUNT(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id "
            "WHERE a.status IN ('booked', 'active') AND b.status IN ('booked', 'active') "
            "AND a.start_at < b.end_at AND b.start_at < a.end_at").fetchone()[0]
