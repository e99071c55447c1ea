"""The reservation history for scripts: filtered pages as JSON, and the whole filtered history as CSV."""
from dataclasses import replace

from flask import Response, current_app, jsonify, request, stream_with_context
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.errors import Forbidden
from backend.history_csv import history_csv_lines
from backend.history_filters import parse_history_filters, parse_whole_number
from backend.views.access import login_required
from backend.views.reservation import blueprint
from backend.views.serializers import entry_json

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000


def caller_history_filters():
    """The query string's filters, limited to the caller's own reservations unless an administrator asks."""
    args = request.args
    filters = parse_history_filters(args.get("user_id"), args.get("resource_id"),
                                    args.getlist("state"), args.get("since"), args.get("until"))
    if current_user.is_admin:
        return filters
    if filters.user_id not in (None, current_user.id):
        raise Forbidden("Only administrators can see other users' history.", "FORBIDDEN")
    return replace(filters, user_id=current_user.id)


class HistoryView(MethodView):
    decorators = [login_required]

    def get(self):
        filters = caller_history_filters()
        page = parse_whole_number("page", request.args.get("page"), 1, MAX_PAGE)
        per_page = parse_whole_number("per_page", request.args.get("per_page"),
                                      min(current_app.config["RESERVIA_PAGE_SIZE"], MAX_PER_PAGE),
                                      MAX_PER_PAGE)
        history = get_database().reservation_history(**filters.as_kwargs(), page=page,
                                                     per_page=per_page)
        return jsonify(reservations=[entry_json(e) for e in history.items], count=len(history.items),
                       total=history.total, page=history.page, per_page=history.per_page,
                       pages=history.pages)


class HistoryExportView(MethodView):
    """Every matching reservation, oldest first, streamed: exports are not paginated."""

    decorators = [login_required]

    def get(self):
        entries = get_database().iter_history(**caller_history_filters().as_kwargs())
        return Response(stream_with_context(history_csv_lines(entries)), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="reservia-history.csv"'})


blueprint.add_url_rule("/reservation/history", view_func=HistoryView.as_view("history"))
blueprint.add_url_rule("/reservation/history/export",
                       view_func=HistoryExportView.as_view("history_export"))
