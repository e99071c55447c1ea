"""Calendar periods of the site's time zone (days, ISO weeks, months) and the splitting of spans of
time between them, exact to the second: a hold from 23:00 to 01:00 is an hour on each day.

Plain Python: the utilization report (backend/database/utilization.py) and its tests use it.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

GROUPS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    """One period: its name (2026-11-25, 2026-W48, 2026-11) and its bounds in UTC, [start, end)."""

    key: str
    start: datetime
    end: datetime

    @property
    def seconds(self):
        return (self.end - self.start).total_seconds()


def _first_day(day, group_by):
    if group_by == "week":
        return day - timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def _next_day(first, group_by):
    if group_by == "week":
        return first + timedelta(days=7)
    if group_by == "month":
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first + timedelta(days=1)


def _key(first, group_by):
    if group_by == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if group_by == "month":
        return f"{first:%Y-%m}"
    return first.isoformat()


def _midnight(day, zone):
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def period_of(moment, zone, group_by):
    """The whole period (not clipped) that the UTC instant `moment` falls in."""
    first = _first_day(moment.astimezone(zone).date(), group_by)
    following = _next_day(first, group_by)
    return Period(_key(first, group_by), _midnight(first, zone), _midnight(following, zone))


def periods_between(start, end, zone, group_by):
    """The periods that [start, end) touches, in order, each clipped to [start, end)."""
    found = []
    cursor = start
    while cursor < end:
        whole = period_of(cursor, zone, group_by)
        found.append(Period(whole.key, max(whole.start, start), min(whole.end, end)))
        cursor = whole.end
    return found


def count_periods(start, end, zone, group_by):
    """How many periods [start, end) touches, without listing them (to refuse huge reports)."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    if group_by == "day":
        return (last - first).days + 1
    if group_by == "week":
        return (_first_day(last, "week") - _first_day(first, "week")).days // 7 + 1
    return (last.year - first.year) * 12 + last.month - first.month + 1


def split(start, end, zone, group_by):
    """[(period key, seconds)] of the span [start, end) cut at the periods' bounds."""
    parts = []
    cursor = start
    while cursor < end:
        whole = period_of(cursor, zone, group_by)
        stop = min(whole.end, end)
        parts.append((whole.key, (stop - cursor).total_seconds()))
        cursor = stop
    return parts


def percentile(values, fraction):
    """The nearest-rank percentile of `values` (sorted or not): the smallest value that at least
    `fraction` of them do not exceed; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]



