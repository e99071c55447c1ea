"""Utilization reports: the figures as JSON and CSV for scripts and spreadsheets, and the Reports
page with its charts, for anyone signed in (the top users only for administrators)."""
import csv
import io
from dataclasses import asdict, fields
from datetime import timedelta
from statistics import median
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.database.utilization import UtilizationRow
from backend.domain.periods import percentile
from backend.errors import Invalid
from backend.forms.reports import parse_report_query
from backend.serializers import iso
from backend.web.access import login_required
from backend.web.charts import line_chart, new_nonce
from backend.web.headers import style_nonce_policy
from backend.web.pages import page

blueprint = Blueprint("reports", __name__)
COLUMNS = [f.name for f in fields(UtilizationRow)]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def site_zone():
    return ZoneInfo(current_app.config["RESERVIA_TIME_ZONE"])


def _report(details=False):
    database = get_database()
    zone = site_zone()
    query = parse_report_query(request.args, zone, database.now())
    report = database.utilization.report(query.start, query.end, zone, query.group_by,
                                         query.resource_id, query.label, details=details)
    return query, report


class UtilizationView(MethodView):
    decorators = [login_required]

    def get(self):
        query, report = _report()
        return {"from": iso(query.start), "to": iso(query.end), "rows": [asdict(row) for row in report.rows]}


class UtilizationCsvView(MethodView):
    decorators = [login_required]

    def get(self):
        _, report = _report()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        for row in report.rows:
            writer.writerow(["" if value is None else value for value in asdict(row).values()])
        return Response(buffer.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="reservia-utilization.csv"'})


class ReportsPage(MethodView):
    decorators = [login_required]

    @page
    def get(self):
        nonce = new_nonce()
        try:
            query, report = _report(details=True)
        except Invalid as error:
            return self._render(None, None, nonce, error=error.message, status=400)
        return self._render(query, report, nonce)

    def _render(self, query, report, nonce, error=None, status=200):
        database = get_database()
        resources = database.resources.list()
        labels = sorted({label for r in resources for label in r.labels})
        charts = _charts(report, nonce) if report is not None else {}
        totals = _totals(report) if report is not None else []
        zone = site_zone()
        html = render_template(
            "reports/page.html", query=query, report=report, charts=charts, error=error, args=request.args,
            resources=resources, labels=labels, zone=zone, weekdays=WEEKDAYS, totals=totals,
            typed_from=query.start.astimezone(zone).date().isoformat() if query else request.args.get("from", ""),
            typed_to=_last_day(query, zone) if query else request.args.get("to", ""),
            show_top_users=current_user.is_admin)
        return html, status, {"Content-Security-Policy": style_nonce_policy(nonce)}


def _last_day(query, zone):
    return (query.end - timedelta(microseconds=1)).astimezone(zone).date().isoformat()


def _totals(report):
    """One line per resource over the whole report, for the page's table (the CSV has every period)."""
    found = {}
    for row in report.rows:
        t = found.setdefault(row.resource_id, {"name": row.resource_name, "held": 0.0, "booked": 0.0,
                                               "maintenance": 0.0, "requests": 0, "no_shows": 0, "shares": []})
        t["held"] += row.held_seconds
        t["booked"] += row.booked_seconds
        t["maintenance"] += row.maintenance_seconds
        t["requests"] += row.requests
        t["no_shows"] += row.no_shows
        t["shares"].append(row.utilization)
    for t in found.values():
        t["utilization"] = sum(t.pop("shares")) / len(report.periods) if report.periods else 0.0
    return sorted(found.values(), key=lambda t: t["name"])


def _charts(report, nonce):
    """The page's charts: utilization per resource and per label, and wait times, over time."""
    keys = [p.key for p in report.periods]
    by_resource = {}
    for row in report.rows:
        by_resource.setdefault(row.resource_name, {})[row.period] = row
    busiest = sorted(by_resource.items(), key=lambda item: -sum(r.held_seconds for r in item[1].values()))
    resource_series = [(name, [round(rows[k].utilization * 100, 1) if k in rows else None for k in keys])
                       for name, rows in busiest]
    label_series = []
    ids_by_label = report.labels
    by_id = {}
    for row in report.rows:
        by_id.setdefault(row.resource_id, {})[row.period] = row
    for label, ids in sorted(ids_by_label.items(), key=lambda item: -len(item[1])):
        values = []
        for k in keys:
            shares = [by_id[rid][k].utilization for rid in ids if rid in by_id and k in by_id[rid]]
            values.append(round(sum(shares) / len(shares) * 100, 1) if shares else None)
        label_series.append((label, values))
    waits = report.waits_by_period
    wait_series = [
        ("median", [round(median(waits[k]) / 60, 1) if waits.get(k) else None for k in keys]),
        ("90th percentile", [round(percentile(waits[k], 0.9) / 60, 1) if waits.get(k) else None for k in keys]),
    ]
    charts = {"resources": line_chart("Utilization per resource (%)", keys, resource_series, nonce, percent=True),
              "waits": line_chart("Wait before approval (minutes)", keys, wait_series, nonce, y_title="minutes")}
    if label_series:
        charts["labels"] = line_chart("Utilization per label (%)", keys, label_series, nonce, percent=True)
    return charts


blueprint.add_url_rule("/reports", view_func=ReportsPage.as_view("page"))
blueprint.add_url_rule("/reports/utilization", view_func=UtilizationView.as_view("utilization"))
blueprint.add_url_rule("/reports/utilization.csv", view_func=UtilizationCsvView.as_view("utilization_csv"))
