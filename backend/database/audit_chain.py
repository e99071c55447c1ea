"""How audit entries are chained and checked: plain functions over stored values, no database.

Each entry's hash is SHA-256 over the canonical JSON of its stored values (id, time, actor, how,
where from, action, object, changes, reason) and the previous entry's hash, so changing, removing
or inserting an entry breaks every hash after it. Pruning leaves a checkpoint, the pruned head's id
and hash signed with the site's secret key (HMAC-SHA256): the chain of the entries kept starts
there, and a checkpoint written without the key does not verify.
"""
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

# What the first entry of a chain that was never pruned follows.
GENESIS = "0" * 64

# The stored columns the hash covers, in this order.
HASHED = ("id", "at", "actor_id", "actor_name", "via", "source_address", "action", "object_type",
          "object_id", "object_name", "changes", "reason")


def moment_text(moment):
    """A stored time as hashed: UTC, microseconds, the same on every engine."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def plain(value):
    """A value as the audit log keeps it in JSON: tuples as lists, times as ISO 8601 text."""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def changes_text(changes):
    """`{"field": [old, new]}` as canonical JSON text, or None for no changes."""
    if not changes:
        return None
    return canonical({field: [plain(old), plain(new)] for field, (old, new) in changes.items()})


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(values, previous_hash):
    """The hash of one entry: `values` maps HASHED's names to the stored values."""
    content = [moment_text(values[name]) if name == "at" else values[name] for name in HASHED]
    return hashlib.sha256(canonical([content, previous_hash]).encode("utf-8", "surrogatepass")).hexdigest()


def checkpoint_signature(secret_key, entry_id, entry_hash_):
    """HMAC-SHA256 with the site's secret key over the pruned head's id and hash."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, f"audit-checkpoint:{entry_id}:{entry_hash_}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What verify found: how many entries were checked, and the first broken one (its id and what
    is wrong), or None when the chain is whole."""

    checked: int
    broken_id: int | None = None
    problem: str | None = None

    @property
    def whole(self):
        return self.broken_id is None and self.problem is None


def walk(rows, checkpoint, secret_key):
    """Check the chain: `rows` in id order (mappings with HASHED's names, previous_hash and hash),
    `checkpoint` (entry_id, entry_hash, signature) or None."""
    if checkpoint is not None:
        entry_id, head_hash, signature = checkpoint
        if not hmac.compare_digest(signature, checkpoint_signature(secret_key, entry_id, head_hash)):
            return Verdict(0, None, f"the checkpoint after entry {entry_id} is not signed with this site's key")
        previous_id, previous_hash = entry_id, head_hash
    else:
        previous_id, previous_hash = 0, GENESIS
    checked = 0
    for row in rows:
        if row["id"] != previous_id + 1:
            return Verdict(checked, row["id"], f"entry {row['id']} follows entry {previous_id}: entries are missing")
        if row["previous_hash"] != previous_hash:
            return Verdict(checked, row["id"], f"entry {row['id']} does not follow the entry before it")
        if row["hash"] != entry_hash(row, previous_hash):
            return Verdict(checked, row["id"], f"entry {row['id']} was changed after it was written")
        checked += 1
        previous_id, previous_hash = row["id"], row["hash"]
    return Verdict(checked)
