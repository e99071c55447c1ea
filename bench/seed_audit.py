"""A long audit log written straight into the SQLite file, as seed.py does for history and
bookings: what a site that has run for years holds, in a minute, not in years.

The audit entries are older than everything the benchmark's own setup recorded (accounts made,
sign-ins): the seeded ones take the first ids and the setup's entries are chained again after
them, so `reservia audit verify` still finds the chain whole and every writer still extends it
from its head as it would on a real site."""
import itertools
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

from backend.database.audit_chain import GENESIS, HASHED, changes_text, entry_hash

BATCH = 50_000
# SQLAlchemy's storage format for DateTime on SQLite (naive UTC, as the UTCDateTime column writes it).
_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
# What a busy site's log is mostly made of, in turn.
_KINDS = (("session.login", "session"), ("session.logout", "session"), ("session.login_failed", "session"),
          ("resource.modify", "resource"), ("token.create", "token"), ("reservation.force_release", "reservation"),
          ("booking.cancel", "booking"), ("user.modify", "user"))
_VIAS = ("page", "api", "token", "page", "sso")


def _connect(path):
    return sqlite3.connect(path, isolation_level=None, timeout=60)


def _seeded(count, user_ids, names, end):
    """`count` entries, one every ~30 s back from `end`, without their ids and hashes."""
    start = end - timedelta(seconds=30 * count)
    for n in range(count):
        action, object_type = _KINDS[n % len(_KINDS)]
        actor = user_ids[n % len(user_ids)]
        yield {
            "at": start + timedelta(seconds=30 * n, microseconds=n % 997 + 1),
            "actor_id": actor, "actor_name": names[actor], "via": _VIAS[n % len(_VIAS)],
            "source_address": f"10.0.{n % 200}.{n % 250 + 1}", "action": action, "object_type": object_type,
            "object_id": (n * 7) % 5000 + 1, "object_name": f"object {(n * 7) % 5000 + 1}",
            "changes": changes_text({"name": [f"old {n}", f"new {n}"]}) if object_type in ("resource", "user")
            else None,
            "reason": None,
        }


def _existing(connection):
    """The entries already recorded, oldest first, as mappings of HASHED's names (times aware)."""
    rows = connection.execute(f"SELECT {', '.join(HASHED)} FROM audit_entries ORDER BY id").fetchall()
    entries = []
    for row in rows:
        entry = dict(zip(HASHED, row, strict=True))
        entry["at"] = datetime.strptime(entry["at"], _FORMAT).replace(tzinfo=UTC)
        entries.append(entry)
    return entries


def add_audit_entries(path, count, user_ids):
    """Put `count` entries before those recorded so far and chain them all again from the start;
    returns how many were seeded. Refuses a log that was pruned (it has a checkpoint to follow)."""
    with closing(_connect(path)) as connection:
        if connection.execute("SELECT COUNT(*) FROM audit_checkpoints").fetchone()[0]:
            raise ValueError("the audit log was pruned: seed only a log that starts at its genesis")
        names = dict(connection.execute("SELECT id, name FROM users").fetchall())
        later = _existing(connection)
        end = min([entry["at"] for entry in later] + [datetime.now(UTC)]) - timedelta(minutes=1)
        entries = itertools.chain(_seeded(count, [u for u in user_ids if u in names], names, end), later)
        columns = (*HASHED, "previous_hash", "hash")
        sql = f"INSERT INTO audit_entries ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        previous, number = GENESIS, 0
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM audit_entries")
        while batch := list(itertools.islice(entries, BATCH)):
            rows = []
            for entry in batch:
                number += 1
                entry = {**entry, "id": number}
                digest = entry_hash(entry, previous)
                stored = {**entry, "at": entry["at"].astimezone(UTC).replace(tzinfo=None).strftime(_FORMAT)}
                rows.append((*(stored[name] for name in HASHED), previous, digest))
                previous = digest
            connection.executemany(sql, rows)
        connection.execute("COMMIT")
        return number - len(later)
