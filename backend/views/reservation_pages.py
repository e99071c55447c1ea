"""The pages people read: the resource dashboard, its refreshing board, and the reservation history."""
import re

from flask import current_app, render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user
from werkzeug.http import quote_etag

from backend.database import get_database
from backend.database.history import HistoryFilters
from backend.domain.dashboard import NO_FILTERS
from backend.domain.durations import minutes_text
from backend.forms.dashboard import dashboard_filters
from backend.forms.history import HistoryFilterForm
from backend.forms.history_filters import parse_period, zone_named
from backend.forms.numbers import whole_number
from backend.forms.query import query_paging
from backend.views.booking_pages import upcoming_bookings
from backend.views.reservation import blueprint
from backend.web.access import login_required
from backend.web.board_cards_sent import answer_with_cards_the_page_has, asked, cut_board_answer, shared_board_answer
from backend.web.board_parts import board_context, board_page, kept
from backend.web.conditional import page_unless_unchanged
from backend.web.moments import day_clock
from backend.web.notices import notices_version
from backend.web.pages import page

blueprint.add_app_template_filter(minutes_text, "minutes")
blueprint.add_app_template_global(day_clock, "day_clock")


@blueprint.app_context_processor
def _page_helpers():
    """Lets the layout ask for the default-password banner only where it is shown."""
    return {"administrators_on_default_password": lambda: get_database().users.names_to_change_password()}


def _board_context():
    """The template names of the user's dashboard under the query string's filters."""
    filters = dashboard_filters(request.args) if request.query_string else NO_FILTERS
    dashboard = get_database().boards.dashboard(current_user.id, filters)
    return board_context(dashboard, current_user.id, current_user.is_admin)


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
    while nothing they show has changed (see conditional.py). The same refresh tells the page's
    notices whether one arrived (web/notices.py): the ETag names the reader's notices validator
    too, and a sent board carries it in Reservia-Notices, so the open dashboard makes one
    request per interval, not one for the board and one for the notices. A changed board leaves
    out the cards the page says it already shows (web/board_cards_sent.py)."""

    decorators = [login_required]

    @page
    def get(self):
        """The dashboard's cards, which its script fetches."""
        filters = dashboard_filters(request.args) if request.query_string else NO_FILTERS
        notices = notices_version()
        database = get_database()
        me, admin = current_user.id, current_user.is_admin
        # What a board depends on besides its reader's own holds and requests (web/board_parts.py).
        key = ("board", filters, admin, database.policies.barred(me), request.script_root)
        involved = database.boards.involves(me)

        shared = None if involved or not kept() else key
        has = asked(request.headers)
        answer = None if has is None or not kept() else (
            shared_board_answer(has) if shared is not None else cut_board_answer(has))
        response = page_unless_unchanged(
            ("board", me, filters),
            lambda: board_page(key, database.boards.dashboard(me, filters, for_script=True), me, admin, involved),
            lambda: database.boards.next_change(), also=notices, shared=shared, answer=answer)
        response.headers["Reservia-Notices"] = quote_etag(notices, weak=True)  # as the feed's ETag
        return response if has is None else answer_with_cards_the_page_has(response, has, answer is not None)


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
                                   own=_whose(form) == current_user.id, export_query={},
                                   bookings=upcoming_bookings(current_user.id))
        since, until = parse_period(form.since.data, form.until.data, zone_named(form.tz.data))
        filters = HistoryFilters(user_id=_whose(form), resource_id=form.resource_id.data,
                                 states=(form.state.data,) if form.state.data else (), since=since, until=until)
        page, per_page = query_paging(current_app.config["RESERVIA_PAGE_SIZE"])
        history = database.history.page(current_user, filters, page, per_page)
        return render_template("reservation/mine.html", history=history, form=form, query=query,
                               own=filters.user_id == current_user.id,
                               export_query=_export_query(filters), bookings=upcoming_bookings(current_user.id))


def _whose(form):
    """The user id the filter form asks for: the caller's own unless an administrator chose."""
    choice = form.user.data if "user" in form else ""
    if not choice:
        return current_user.id
    return None if choice == "all" else whole_number(choice)


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
