"""The audit log's filters as a query string or the admin page's form types them, made into typed
values: `from` and `to` are read by the history's one date parser (a date alone as `to` runs
through the end of that day)."""
from datetime import timezone

from backend.database.audit import ACTIONS, OBJECT_TYPES
from backend.database.audit_log import AuditFilters
from backend.errors import Invalid
from backend.forms.history_filters import parse_moment
from backend.forms.numbers import parse_id, parse_whole_number
from backend.forms.query import MAX_PAGE

# The query string's names, in the order the page shows them.
FILTER_NAMES = ("actor", "action", "object_type", "object_id", "from", "to")


def _text(args, name):
    value = (args.get(name) or "").strip()
    return value or None


def parse_audit_filters(args, zone=timezone.utc):
    """AuditFilters from a query string's values, or Invalid naming the first bad one."""
    action, object_type = _text(args, "action"), _text(args, "object_type")
    if action is not None and action not in ACTIONS:
        raise Invalid(f"Unknown action {action!r}; use one of {', '.join(sorted(ACTIONS))}.", "INVALID_ACTION")
    if object_type is not None and object_type not in OBJECT_TYPES:
        raise Invalid(f"Unknown object_type {object_type!r}; use one of {', '.join(OBJECT_TYPES)}.",
                      "INVALID_OBJECT_TYPE")
    actor = _text(args, "actor")
    if actor is not None and len(actor) > 200:
        raise Invalid("actor is longer than any name (200 characters).", "INVALID_INPUT")
    since = parse_moment("from", args.get("from"), zone)
    until = parse_moment("to", args.get("to"), zone, end_of_day=True)
    if since is not None and until is not None and since >= until:
        raise Invalid("from must be earlier than to.", "INVALID_PERIOD")
    return AuditFilters(actor=actor, action=action, object_type=object_type,
                        object_id=parse_id("object_id", args.get("object_id")), since=since, until=until)


def parse_audit_page(args):
    """?page= from 1."""
    return parse_whole_number("page", args.get("page"), 1, MAX_PAGE)
