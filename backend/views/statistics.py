"""Per-resource usage figures for administrators: JSON for scripts, a table and a bar chart for browsers."""
from dataclasses import asdict
from datetime import timedelta

from flask import jsonify, render_template, request
from flask.views import MethodView

from backend.database import get_database
from backend.errors import Invalid
from backend.forms.history_filters import check_period, parse_moment, zone_named
from backend.serializers import iso
from backend.views.admin import blueprint
from backend.web.access import admin_required
from backend.web.responses import wants_json

# The period shown when none is given: the last 30 days.
DEFAULT_PERIOD = timedelta(days=30)


def default_start(until):
    """The start of the default period ending at `until`."""
    try:
        return until - DEFAULT_PERIOD
    except OverflowError:
        raise Invalid("until is too early for the default period; give since as well.",
                      "INVALID_PERIOD") from None


class StatisticsView(MethodView):
    decorators = [admin_required]

    def get(self):
        database = get_database()
        zone = zone_named(request.args.get("tz"))
        try:
            since = parse_moment("since", request.args.get("since"), zone)
            until = parse_moment("until", request.args.get("until"), zone, end_of_day=True) or database.now()
            if since is None:
                since = default_start(until)
            check_period(since, until)
        except Invalid as error:
            if wants_json():
                raise
            # A bad date is a message at its field, the period form kept as typed.
            field = "since" if error.message.startswith("since") else "until"
            return render_template("admin/statistics.html", figures=None, zone=zone, error=error.message,
                                   error_field=field, typed=request.args), 400
        figures = database.statistics.per_resource(since, until)
        if wants_json():
            return jsonify(since=iso(since), until=iso(until),
                           resources=[asdict(f) for f in figures])
        return render_template("admin/statistics.html", since=since, until=until, figures=figures,
                               zone=zone, typed={"since": since.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                                                 "until": until.astimezone(zone).strftime("%Y-%m-%dT%H:%M")})


blueprint.add_url_rule("/admin/statistics", view_func=StatisticsView.as_view("statistics"))
