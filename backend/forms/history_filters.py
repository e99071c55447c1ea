"""History filters as people type them, in a query string or on the command line, made into typed values."""
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.database.history import HistoryFilters
from backend.errors import Invalid
from backend.forms.numbers import parse_id
from backend.models.states import STATES

# In a query string an unencoded "+" arrives as a space: "10:00:00 01:00" was meant as "+01:00".
_OFFSET_AS_SPACE = re.compile(r"^(.*\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


def zone_named(name):
    """The IANA time zone a page says its reader is in (Europe/Berlin), or UTC when it names none
    Reservia knows."""
    if not name:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def parse_moment(name, raw, zone=timezone.utc):
    """An ISO 8601 date or date and time as an aware UTC datetime; `Z` and offsets are honoured,
    a time without an offset is in `zone` (UTC unless a page says), and a date alone is midnight
    there."""
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    offset_lost = _OFFSET_AS_SPACE.match(text)
    if offset_lost:
        text = f"{offset_lost.group(1)}+{offset_lost.group(2)}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{name} must be an ISO 8601 date or date and time, such as "
                      f"2026-11-25 or 2026-11-25T14:30:00Z; got {raw!r}.", "INVALID_DATE") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise Invalid(f"{name} is out of range: in UTC it falls outside the years 1 to 9999.",
                      "INVALID_DATE") from None


def parse_states(raws):
    """Reservation states from repeated values and comma-separated lists; empty means every state."""
    states = []
    for raw in raws or ():
        for part in str(raw).split(","):
            state = part.strip().lower()
            if not state:
                continue
            if state not in STATES:
                raise Invalid(f"Unknown state {part.strip()!r}; use one of {', '.join(STATES)}.",
                              "INVALID_STATE")
            if state not in states:
                states.append(state)
    return tuple(states)


def check_period(since, until):
    """Refuse a period that ends before it starts."""
    if since is not None and until is not None and since >= until:
        raise Invalid("since must be earlier than until.", "INVALID_PERIOD")


def parse_history_filters(user_id=None, resource_id=None, states=(), since=None, until=None):
    """Typed filters from raw text values, or Invalid naming the first bad one."""
    filters = HistoryFilters(
        user_id=parse_id("user_id", user_id),
        resource_id=parse_id("resource_id", resource_id),
        states=parse_states(states),
        since=parse_moment("since", since),
        until=parse_moment("until", until),
    )
    check_period(filters.since, filters.until)
    return filters
