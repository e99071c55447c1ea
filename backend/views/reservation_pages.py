"""The pages people read: the resource dashboard, its refreshing board, and the reservation history."""
from datetime import datetime, time, timedelta, timezone

from flask import current_app, render_template, request
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.forms.history import HistoryFilterForm
from backend.views.access import login_required
from backend.views.reservation import blueprint


@blueprint.app_context_processor
def _page_helpers():
    """Lets the layout ask for the default-password banner only where it is shown."""
    return {"admin_password_is_default": lambda: get_database().admin_uses_default_password()}


def _board_context():
    return {"boards": get_database().resource_board(), "me": current_user.id,
            "refresh_seconds": current_app.config["RESERVIA_REFRESH_SECONDS"]}


class DashboardView(MethodView):
    decorators = [login_required]

    def get(self):
        return render_template("reservation/dashboard.html", **_board_context())


class BoardView(MethodView):
    """The dashboard's cards alone, which its script fetches every few seconds."""

    decorators = [login_required]

    def get(self):
        return render_template("reservation/_board.html", **_board_context())


class MyReservationsView(MethodView):
    """The caller's reservations; administrators may choose someone else's, or everyone's."""

    decorators = [login_required]

    def get(self):
        database = get_database()
        form = HistoryFilterForm(request.args)
        form.resource_id.choices = [("", "Any resource")] + database.resource_names()
        if current_user.is_admin:
            form.user.choices = [("", "Me"), ("all", "Everyone")] + [
                (str(u.id), u.name) for u in database.list_users() if u.id != current_user.id]
        else:
            del form.user
        filters = {"user_id": current_user.id}
        if form.validate():
            filters.update(resource_id=form.resource_id.data,
                           states=[form.state.data] if form.state.data else None,
                           since=_start_of(form.since.data),
                           until=_start_of(form.until.data, days_after=1))
            if "user" in form and form.user.data:
                filters["user_id"] = None if form.user.data == "all" else int(form.user.data)
        history = database.reservation_history(
            page=_page_number(), per_page=current_app.config["RESERVIA_PAGE_SIZE"], **filters)
        query = {k: v for k, v in request.args.items() if k != "page" and v}
        return render_template("reservation/mine.html", history=history, form=form, query=query,
                               own=filters["user_id"] == current_user.id,
                               export_query=_export_query(filters))


def _start_of(day, days_after=0):
    """Midnight UTC of the given date (plus some days), or None."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days_after), time.min, tzinfo=timezone.utc)


def _export_query(filters):
    """The same filters in the query string of the CSV export."""
    query = {"user_id": filters.get("user_id"), "resource_id": filters.get("resource_id"),
             "state": (filters.get("states") or [None])[0],
             "since": filters["since"].date().isoformat() if filters.get("since") else None,
             "until": filters["until"].date().isoformat() if filters.get("until") else None}
    return {k: v for k, v in query.items() if v is not None}


def _page_number():
    """?page= as a page number from 1; anything else shows the first page."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1


blueprint.add_url_rule("/", view_func=DashboardView.as_view("dashboard"))
blueprint.add_url_rule("/reservation/board", view_func=BoardView.as_view("board"))
blueprint.add_url_rule("/reservation/mine", view_func=MyReservationsView.as_view("mine"))
