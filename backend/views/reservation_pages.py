"""The pages people read: the resource dashboard, its refreshing board, and the reservation history."""
import re
from datetime import datetime, time, timedelta, timezone

from flask import current_app, render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.database.boards import FREE
from backend.database.history import HistoryFilters
from backend.forms.dashboard import NO_FILTERS, PAGE_SIZE, dashboard_filters
from backend.forms.history import HistoryFilterForm
from backend.forms.history_filters import zone_named
from backend.forms.numbers import whole_number
from backend.forms.query import query_paging
from backend.forms.reservation import hold_choices
from backend.serializers import duration_text
from backend.views.reservation import blueprint
from backend.web.access import login_required
from backend.web.conditional import page_unless_unchanged
from backend.web.pages import page


@blueprint.app_template_filter("minutes")
def _minutes(minutes):
    """A number of minutes as people say it: "10 min", "2 h", "1 h 30 min"."""
    return duration_text(timedelta(minutes=minutes))


@blueprint.app_context_processor
def _page_helpers():
    """Lets the layout ask for the default-password banner only where it is shown."""
    return {"administrators_on_default_password": lambda: get_database().users.names_to_change_password()}


def _board_context(for_script=False):
    """First the user's own holds and requests, then the labels and one page of the cards the
    search and the chosen labels leave, with the hold lengths each offers (for the board the
    page's script fetches, without the end of the day, which the script works out)."""
    database = get_database()
    filters = dashboard_filters(request.args)
    boards = database.boards.all()
    now, site_minutes = database.now(), current_app.config["RESERVIA_HOLD_MINUTES"]
    me = current_user.id
    mine = [(b, entry) for b in boards if (entry := b.entry_for(me)) is not None]
    mine.sort(key=lambda pair: pair[1].position != 0)  # holds first, then requests
    shown = [b for b in boards if filters.matches(b)]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(filters.page, pages)
    cards = shown[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    # Hold lengths are worked out only for what the page shows: with a thousand resources the
    # menus were most of its cost.
    maxima = {b.resource.id: database.resources.max_hold_minutes(b.resource) for b in cards + [b for b, _ in mine]}
    return {"boards": cards, "total": len(shown), "all_count": len(boards), "page": page, "pages": pages,
            "filters": filters, "board_query": filters.query(page=page), "chips": _label_chips(boards),
            "mine": mine, "label_requests": database.boards.label_requests(me),
            "me": me, "maxima": maxima,
            "choices": {rid: hold_choices(m, site_minutes, None if for_script else now) for rid, m in maxima.items()},
            "refresh_seconds": current_app.config["RESERVIA_REFRESH_SECONDS"]}


def _label_chips(boards):
    """(label, active resources carrying it, how many of them are free), by label."""
    counts = {}
    for board in boards:
        for label in board.resource.labels:
            total, free = counts.get(label, (0, 0))
            counts[label] = (total + 1, free + (board.state == FREE))
    return [(label, total, free) for label, (total, free) in sorted(counts.items())]


class DashboardView(MethodView):
    decorators = [login_required]

    @page
    def get(self):
        """The dashboard: one's own holds and requests, then every resource's card."""
        return render_template("reservation/dashboard.html", no_script_refresh=_no_script_refresh(),
                               **_board_context())


def _no_script_refresh():
    """Where the page reloads itself without script: after an action, back to the card used
    (?at=resource-3#resource-3). A refresh to the very address it is on, #fragment and all, would
    only scroll, so the address alternates between two spellings; None: reload as it is."""
    at = request.args.get("at", "")
    if not _ANCHOR.fullmatch(at):
        return None
    again = {} if "again" in request.args else {"again": 1}
    return url_for("reservation.dashboard", at=at, **again, **dashboard_filters(request.args).query()) + "#" + at


_ANCHOR = re.compile(r"(resource|mine|request)-[0-9]{1,19}|mine")


class BoardView(MethodView):
    """The dashboard's cards alone, which its script fetches every few seconds: `304 Not Modified`
    while nothing they show has changed (see conditional.py)."""

    decorators = [login_required]

    @page
    def get(self):
        """The dashboard's cards, which its script fetches."""
        filters = dashboard_filters(request.args) if request.query_string else NO_FILTERS
        return page_unless_unchanged(
            ("board", current_user.id, filters),
            lambda: render_template("reservation/_board.html", **_board_context(for_script=True)),
            lambda: get_database().boards.next_change())


class MyReservationsView(MethodView):
    """The caller's reservations; administrators may choose someone else's, or everyone's."""

    decorators = [login_required]

    @page
    def get(self):
        """My reservations, with filters."""
        database = get_database()
        form = HistoryFilterForm(request.args)
        form.resource_id.choices = [("", "Any resource")] + database.resources.names()
        if current_user.is_admin:
            form.user.choices = [("", "Me"), ("all", "Everyone")] + [
                (str(u.id), u.name) for u in database.users.list() if u.id != current_user.id]
        else:
            del form.user
        query = {k: v for k, v in request.args.items() if k != "page" and v}
        if set(query) == {"tz"}:
            query = {}  # the reader's zone alone filters nothing
        if not form.validate():
            # A refused filter shows its message, not a list it did not filter.
            return render_template("reservation/mine.html", history=None, form=form, query=query,
                                   own=_whose(form) == current_user.id, export_query={})
        zone = zone_named(form.tz.data)
        filters = HistoryFilters(
            user_id=_whose(form), resource_id=form.resource_id.data,
            states=(form.state.data,) if form.state.data else (),
            since=_start_of(form.since.data, zone), until=_start_of(form.until.data, zone, days_after=1))
        page, per_page = query_paging(current_app.config["RESERVIA_PAGE_SIZE"])
        history = database.history.page(current_user, filters, page, per_page)
        return render_template("reservation/mine.html", history=history, form=form, query=query,
                               own=filters.user_id == current_user.id,
                               export_query=_export_query(filters))


def _whose(form):
    """The user id the filter form asks for: the caller's own unless an administrator chose."""
    choice = form.user.data if "user" in form else ""
    if not choice:
        return current_user.id
    return None if choice == "all" else whole_number(choice)


def _start_of(day, zone, days_after=0):
    """Midnight of the given date (plus some days) in the reader's time zone, in UTC; or None: also
    for the day after 9999-12-31, which no date can name and which bounds nothing."""
    if day is None:
        return None
    try:
        return datetime.combine(day + timedelta(days=days_after), time.min, tzinfo=zone).astimezone(timezone.utc)
    except OverflowError:
        return None


def _export_query(filters):
    """The same filters in the query string of the CSV export."""
    query = {"user_id": filters.user_id, "resource_id": filters.resource_id,
             "state": (filters.states or (None,))[0],
             "since": filters.since.isoformat() if filters.since else None,
             "until": filters.until.isoformat() if filters.until else None}
    return {k: v for k, v in query.items() if v is not None}


blueprint.add_url_rule("/", view_func=DashboardView.as_view("dashboard"))
blueprint.add_url_rule("/reservation/board", view_func=BoardView.as_view("board"))
blueprint.add_url_rule("/reservation/mine", view_func=MyReservationsView.as_view("mine"))
