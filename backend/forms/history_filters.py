"""History filters as people type them, in a query string, on the history page or on the command
line, made into typed values: the one parser of `since` and `until`.

A moment with a time means exactly that instant. A date alone names a whole day of the reader's
zone (UTC unless a page says): as `since` its first instant, as `until` the end of it (midnight of
the next day), so `since=2026-11-25&until=2026-11-25` is that one day. Periods are [since, until).
"""
import re
from datetime import date, datetime, timedelta, timezone
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


def parse_moment(name, raw, zone=timezone.utc, end_of_day=False):
    """An ISO 8601 date or date and time as an aware UTC datetime; `Z` and offsets are honoured,
    a time without an offset is in `zone` (UTC unless a page says), and a date alone is midnight
    there: at the start of that day, or with `end_of_day` at its end (None after 9999-12-31,
    which bounds nothing)."""
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    day = _date_alone(text)
    if day is not None and end_of_day:
        if day == date.max:
            return None
        text = (day + timedelta(days=1)).isoformat()
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


def _date_alone(text):
    """The date when `text` is a date without a time (2026-11-25), else None."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse_period(since, until, zone=timezone.utc):
    """(since, until) from typed text or dates, each read as parse_moment says (`until` a date's
    end), or Invalid when the period ends before it starts."""
    start = parse_moment("since", _text(since), zone)
    end = parse_moment("until", _text(until), zone, end_of_day=True)
    check_period(start, end)
    return start, end


def _text(value):
    """A date picked on a page as the text a query string would carry."""
    return value.isoformat() if isinstance(value, date) else value


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


def parse_history_filters(user_id=None, resource_id=None, states=(), since=None, until=None, zone=timezone.utc):
    """Typed filters from raw text values, or Invalid naming the first bad one."""
    user_id, resource_id = parse_id("user_id", user_id), parse_id("resource_id", resource_id)
    states = parse_states(states)
    since, until = parse_period(since, until, zone)
    return HistoryFilters(user_id=user_id, resource_id=resource_id, states=states, since=since, until=until)
