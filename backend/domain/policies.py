"""The group rules as plain values: which rules apply to a user and a request, the most generous
of them, the booked-hours week, and the priority class a waiting request has reached.

One definition each, for the Database layer's checks (backend/database/policies.py), the queue's
order (backend/database/pool.py) and /session/limits; docs/policies.md says what they mean.
Nothing here knows Flask or SQL (tests/test_domain_policies.py).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_PRIORITY = 50
LOWEST_PRIORITY, HIGHEST_PRIORITY = 0, 100
LIMITS = ("max_hold_minutes", "max_open_requests", "max_booked_hours_per_week")


@dataclass(frozen=True)
class Rule:
    """A rule as plain values: its group (None: everyone), its scope (a resource, a label, or
    neither: everything) and what it sets (None: nothing said)."""

    id: int
    group_id: int | None
    resource_id: int | None = None
    label: str | None = None
    max_hold_minutes: int | None = None
    max_open_requests: int | None = None
    max_booked_hours_per_week: int | None = None
    priority: int | None = None

    @property
    def scope(self):
        """("resource", id), ("label", name) or ("all", None): rules of one scope are compared."""
        if self.resource_id is not None:
            return ("resource", self.resource_id)
        if self.label is not None:
            return ("label", self.label)
        return ("all", None)


def rules_of(rules, group_ids):
    """The rules that apply to a member of these groups: theirs, and everyone's."""
    return [r for r in rules if r.group_id is None or r.group_id in group_ids]


def touches(rule, resource_ids=(), labels=()):
    """Whether a rule speaks about a request for these resources (by name) or labels (the labels
    asked for, or carried by the resources named)."""
    kind, subject = rule.scope
    if kind == "all":
        return True
    if kind == "resource":
        return subject in resource_ids
    return subject in labels


def most_generous(rules, limit):
    """Per scope, the largest value of `limit` the rules set: {scope: value}. A rule that does
    not set it says nothing, so a rule giving only a priority lifts no limit."""
    found = {}
    for rule in rules:
        value = getattr(rule, limit)
        if value is not None:
            found[rule.scope] = max(value, found.get(rule.scope, value))
    return found


def priority_of(rules):
    """The priority class the rules give (the highest), or the default."""
    given = [r.priority for r in rules if r.priority is not None]
    return max(given) if given else DEFAULT_PRIORITY


def bounded(*limits):
    """The smallest of the limits given, ignoring None (none set); None when none is."""
    limits = [limit for limit in limits if limit is not None]
    return min(limits) if limits else None


def week_window(now, zone="UTC"):
    """(start, end) of the week `now` is in, Monday 00:00 to Monday 00:00 in the zone, as
    aware instants; a day of a clock change makes the week 167 or 169 hours long."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).date()
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    following = monday + timedelta(days=7)
    end = datetime(following.year, following.month, following.day, tzinfo=tz)
    return start, end


def overlap_hours(start, end, window_start, window_end):
    """Hours of [start, end) inside the window."""
    seconds = (min(end, window_end) - max(start, window_start)).total_seconds()
    return max(seconds, 0) / 3600


def effective_class(priority, requested_at, now, aging):
    """The class a waiting request has reached: its own, one more per `aging` waited (whole
    classes), never above the highest. `aging` None or zero: no aging."""
    priority = DEFAULT_PRIORITY if priority is None else priority
    if not aging or now is None or requested_at is None or now <= requested_at:
        return min(priority, HIGHEST_PRIORITY)
    return min(priority + int((now - requested_at) // aging), HIGHEST_PRIORITY)


def service_key(row, now, aging):
    """The order of service at `now`: higher class first, then first come (requested_at), then
    the row id. Anything with `priority`, `requested_at` and `id` (id None sorts last: a row
    not yet stored is the newest)."""
    row_id = row.id if row.id is not None else float("inf")
    return (-effective_class(row.priority, row.requested_at, now, aging), row.requested_at, row_id)


def hours_text(hours):
    """9.5 -> "9 h 30", 10 -> "10 h": how pages say booked hours."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


def next_rise(rows, now, aging):
    """The next moment after `now` at which a waiting row reaches a higher class (places may
    change then by themselves), or None: no aging, or nothing waits that can still rise."""
    if not aging or now is None:
        return None
    moments = []
    for row in rows:
        if row.state != "requested" or row.parent_id is not None or row.requested_at is None:
            continue
        if effective_class(row.priority, row.requested_at, now, aging) >= HIGHEST_PRIORITY:
            continue
        steps = int((now - row.requested_at) // aging) + 1
        moments.append(row.requested_at + steps * aging)
    return min(moments, default=None)
