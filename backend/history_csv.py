"""The reservation history as CSV, written a row at a time so that exports of any size stream."""
import csv
import io

from backend.views.serializers import iso

COLUMNS = ("id", "user_id", "user_name", "resource_id", "resource_name", "status",
           "request_date", "approved_date", "end_date", "valid_until_date", "end_reason")

# A spreadsheet runs a cell starting with these as a formula; names and reasons are typed by people.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value):
    if value and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _row(entry):
    r = entry.reservation
    return (r.id, r.user_id, _safe_text(entry.user_name), r.resource_id,
            _safe_text(entry.resource_name), r.state, iso(r.requested_at), iso(r.approved_at),
            iso(r.ended_at), iso(r.valid_until), _safe_text(r.end_reason) or "")


def history_csv_lines(entries):
    """The header, then one CSV line per history entry, each as a string ending in CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_row(entry))
        yield buffer.getvalue()
