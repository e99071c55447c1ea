"""The dashboard's filters read from the query string: ?q=, ?label= (repeated) and ?page=."""
from backend.domain.dashboard import MAX_SEARCH, DashboardFilters
from backend.domain.labels import is_label
from backend.errors import Invalid
from backend.forms.numbers import parse_whole_number


def dashboard_filters(args):
    """DashboardFilters from ?q=, ?label= (repeated) and ?page=; Invalid names the bad one."""
    text = (args.get("q") or "").strip()
    if len(text) > MAX_SEARCH:
        raise Invalid(f"The search is at most {MAX_SEARCH} characters.", "INVALID_INPUT")
    labels = tuple(sorted({label.strip().lower() for label in args.getlist("label") if label.strip()}))
    bad = [label for label in labels if not is_label(label)]
    if bad:
        raise Invalid(f"{bad[0]!r} is not a label.", "INVALID_INPUT")
    return DashboardFilters(text, labels, parse_whole_number("page", args.get("page"), 1, 100_000))
