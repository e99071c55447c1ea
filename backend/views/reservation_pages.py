"""The pages people read: the resource dashboard, its refreshing board, and the reservation history."""
from datetime import datetime, time, timedelta, timezone

from flask import current_app, render_template, request
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.database.history import HistoryFilters
from backend.forms.history import HistoryFilterForm
from backend.forms.query import query_paging
from backend.views.reservation import blueprint
from backend.web.access import login_required


@blueprint.app_context_processor
def _page_helpers():
    """Lets the layout ask for the default-password banner only where it is shown."""
    return {"administrators_on_default_password": lambda: get_database().users.names_to_change_password()}


def _board_context():
    return {"boards": get_database().boards.all(), "me": current_user.id,
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
        form.resource_id.choices = [("", "Any resource")] + database.resources.names()
        if current_user.is_admin:
            form.user.choices = [("", "Me"), ("all", "Everyone")] + [
                (str(u.id), u.name) for u in database.users.list() if u.id != current_user.id]
        else:
            del form.user
        filters = HistoryFilters(user_id=current_user.id)
        if form.validate():
            filters = HistoryFilters(
                user_id=_whose(form), resource_id=form.resource_id.data,
                states=(form.state.data,) if form.state.data else (),
                since=_start_of(form.since.data), until=_start_of(form.until.data, days_after=1))
        page, per_page = query_paging(current_app.config["RESERVIA_PAGE_SIZE"])
        history = database.history.page(current_user, filters, page, per_page)
        query = {k: v for k, v in request.args.items() if k != "page" and v}
        return render_template("reservation/mine.html", history=history, form=form, query=query,
                               own=filters.user_id == current_user.id,
                               export_query=_export_query(filters))


def _whose(form):
    """The user id the filter form asks for: the caller's own unless an administrator chose."""
    choice = form.user.data if "user" in form else ""
    if not choice:
        return current_user.id
    return None if choice == "all" else int(choice)


def _start_of(day, days_after=0):
    """Midnight UTC of the given date (plus some days), or None: also for the day after
    9999-12-31, which no date can name and which bounds nothing."""
    if day is None:
        return None
    try:
        return datetime.combine(day + timedelta(days=days_after), time.min, tzinfo=timezone.utc)
    except OverflowError:
        return None


def _export_query(filters):
    """The same filters in the query string of the CSV export."""
    query = {"user_id": filters.user_id, "resource_id": filters.resource_id,
             "state": (filters.states or (None,))[0],
             "since": filters.since.date().isoformat() if filters.since else None,
             "until": filters.until.date().isoformat() if filters.until else None}
    return {k: v for k, v in query.items() if v is not None}


blueprint.add_url_rule("/", view_func=DashboardView.as_view("dashboard"))
blueprint.add_url_rule("/reservation/board", view_func=BoardView.as_view("board"))
blueprint.add_url_rule("/reservation/mine", view_func=MyReservationsView.as_view("mine"))
