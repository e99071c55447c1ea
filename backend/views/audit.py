"""The audit log for administrators: filtered pages as JSON or as a page, and the same as CSV."""
from flask import Response, render_template, request, stream_with_context
from flask.views import MethodView

from backend.database import get_database
from backend.database.audit import ACTIONS, OBJECT_TYPES
from backend.database.audit_log import AuditFilters
from backend.errors import Invalid
from backend.forms.audit import FILTER_NAMES, parse_audit_filters, parse_audit_page
from backend.serializers import audit_csv_lines, audit_json
from backend.views.admin import blueprint
from backend.web.access import admin_required
from backend.web.responses import wants_json


def audit_page(error=None):
    """The admin page: the filters as typed, and (unless they were refused) a page of entries."""
    found = None
    if error is None:
        filters = parse_audit_filters(request.args)
        found = get_database().audit_log.search(filters, parse_audit_page(request.args))
    typed = {name: request.args.get(name, "") for name in FILTER_NAMES}
    return render_template("admin/audit.html", found=found, typed=typed, error=error,
                           query={name: value for name, value in typed.items() if value},
                           actions=sorted(ACTIONS), object_types=OBJECT_TYPES), 400 if error else 200


class AuditView(MethodView):
    """?actor=&action=&object_type=&object_id=&from=&to=&page=: newest first, 50 a page."""

    decorators = [admin_required]

    def get(self):
        if not wants_json():
            try:
                parse_audit_filters(request.args)
                parse_audit_page(request.args)
            except Invalid as refused:
                return audit_page(refused.message)
            return audit_page()
        found = get_database().audit_log.search(parse_audit_filters(request.args), parse_audit_page(request.args))
        return {"entries": [audit_json(e) for e in found.entries], "count": found.count, "page": found.page,
                "pages": found.pages}


class AuditExportView(MethodView):
    """Every matching entry, newest first, streamed as CSV (formula-safe, like the history's)."""

    decorators = [admin_required]

    def get(self):
        filters: AuditFilters = parse_audit_filters(request.args)
        entries = get_database().audit_log.all(filters)
        return Response(stream_with_context(audit_csv_lines(entries)), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="reservia-audit.csv"'})


blueprint.add_url_rule("/admin/audit", view_func=AuditView.as_view("audit"))
blueprint.add_url_rule("/admin/audit.csv", view_func=AuditExportView.as_view("audit_export"))
