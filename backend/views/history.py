"""The reservation history for scripts: filtered pages as JSON, and the whole filtered history as CSV."""
from flask import Response, current_app, jsonify, stream_with_context
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.forms.query import query_history_filters, query_paging
from backend.serializers import entry_json, history_csv_lines
from backend.views.reservation import blueprint
from backend.web.access import login_required


class HistoryView(MethodView):
    """Everyone's history for administrators; the caller's own for everybody else."""

    decorators = [login_required]

    def get(self):
        filters = query_history_filters()
        page, per_page = query_paging(current_app.config["RESERVIA_PAGE_SIZE"])
        history = get_database().history.page(current_user, filters, page, per_page)
        return jsonify(reservations=[entry_json(e) for e in history.items], count=len(history.items),
                       total=history.total, page=history.page, per_page=history.per_page,
                       pages=history.pages)


class HistoryExportView(MethodView):
    """Every matching reservation, oldest first, streamed: exports are not paginated."""

    decorators = [login_required]

    def get(self):
        entries = get_database().history.rows(current_user, query_history_filters())
        return Response(stream_with_context(history_csv_lines(entries)), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="reservia-history.csv"'})


blueprint.add_url_rule("/reservation/history", view_func=HistoryView.as_view("history"))
blueprint.add_url_rule("/reservation/history/export",
                       view_func=HistoryExportView.as_view("history_export"))
