"""Values read from a request's query string, by the one number parser (backend/forms/numbers.py)."""
from flask import request

from backend.forms.history_filters import parse_history_filters
from backend.forms.numbers import parse_id, parse_whole_number

# Pages beyond this are refused rather than asked of the database.
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100


def query_id(name, required=False):
    """?name= as a positive id; None when absent and optional."""
    return parse_id(name, request.args.get(name), required=required)


def query_paging(default_per_page):
    """(page, per_page) from ?page= and ?per_page=: from 1, at most MAX_PER_PAGE a page."""
    page = parse_whole_number("page", request.args.get("page"), 1, MAX_PAGE)
    per_page = parse_whole_number("per_page", request.args.get("per_page"),
                                  min(default_per_page, MAX_PER_PAGE), MAX_PER_PAGE)
    return page, per_page


def query_history_filters():
    """The history filters of the query string: ?user_id, ?resource_id, ?state (repeated or
    comma-separated), ?since, ?until."""
    args = request.args
    return parse_history_filters(args.get("user_id"), args.get("resource_id"), args.getlist("state"),
                                 args.get("since"), args.get("until"))
