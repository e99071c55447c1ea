"""The query of a utilization report (`from`, `to`, `resource_id`, `label`, `group_by`), as typed
in a URL or the Reports page's filters, made into typed values or Invalid naming the bad one.

`from` and `to` take dates or instants (backend/forms/history_filters.py): a date is a whole day
of the site's time zone, and `to` includes it. Without them the report covers the last 30 days,
today included.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.domain.labels import is_label
from backend.domain.periods import GROUPS, count_periods
from backend.errors import Invalid
from backend.forms.history_filters import check_period, parse_moment
from backend.forms.numbers import parse_id

DEFAULT_DAYS = 30
# Rows a report may have per resource: ten years of days.
MAX_PERIODS = 3700


@dataclass(frozen=True)
class ReportQuery:
    start: datetime
    end: datetime
    group_by: str
    resource_id: int | None
    label: str | None


def parse_report_query(args, zone, now):
    """The ReportQuery of a query string (a dict-like of text), read in the site's `zone`."""
    group_by = (args.get("group_by") or "day").strip().lower()
    if group_by not in GROUPS:
        raise Invalid(f"group_by must be one of {', '.join(GROUPS)}; got {args.get('group_by')!r}.",
                      "INVALID_GROUP_BY")
    resource_id = parse_id("resource_id", args.get("resource_id"))
    label = (args.get("label") or "").strip().lower() or None
    if label is not None and not is_label(label):
        raise Invalid(f"label {args.get('label')!r} is not a label.", "INVALID_LABEL")
    end = parse_moment("to", args.get("to"), zone, end_of_day=True)
    if end is None:
        today = now.astimezone(zone).date()
        end = parse_moment("to", today.isoformat(), zone, end_of_day=True)
    start = parse_moment("from", args.get("from"), zone)
    if start is None:
        first = (end - timedelta(microseconds=1)).astimezone(zone).date() - timedelta(days=DEFAULT_DAYS - 1)
        start = parse_moment("from", first.isoformat(), zone)
    try:
        check_period(start, end)
    except Invalid:
        raise Invalid("from must be earlier than to.", "INVALID_PERIOD") from None
    if count_periods(start, end, zone, group_by) > MAX_PERIODS:
        raise Invalid(f"The report would have more than {MAX_PERIODS:,} periods per resource: "
                      "choose a shorter time or group by week or month.", "PERIOD_TOO_LONG")
    return ReportQuery(start, end, group_by, resource_id, label)
