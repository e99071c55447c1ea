"""The pages of bookings: the week of a resource or a label, and the Book form (which posts to
POST /reservation/book, the action scripts use too)."""
from dataclasses import dataclass
from datetime import timedelta

from flask import render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.domain.weeks import parse_week, week_days
from backend.errors import NotFound
from backend.forms.booking_page import BookPageForm
from backend.forms.history_filters import zone_named
from backend.forms.query import query_id
from backend.models.states import BOOKED, BOOKING_ACTIVE
from backend.views.reservation import blueprint
from backend.web.access import login_required
from backend.web.form_pages import refused_form, show_refusals_at_fields
from backend.web.pages import page

# What the calendar shows: bookings still to come or running, and those that ran.
SHOWN_GONE = ("cancelled",)
UPCOMING = (BOOKED, BOOKING_ACTIVE)


@dataclass(frozen=True)
class Block:
    """One booking or hold as drawn in one day's column."""

    kind: str  # booking, maintenance, hold
    first: int  # the grid lines it spans in its day (weeks.Day.place)
    last: int
    start: object
    end: object
    user_name: str
    resource_name: str
    note: str | None = None
    booking_id: int | None = None
    status: str | None = None
    can_cancel: bool = False


def _zone_name(zone):
    return getattr(zone, "key", "UTC")


def _chosen(boards, resource_id, label):
    """The boards the page is about: one resource, or those carrying a label."""
    if resource_id is not None:
        chosen = [b for b in boards if b.resource.id == resource_id]
        if not chosen:
            raise NotFound(f"No resource with id {resource_id}.", "RESOURCE_NOT_FOUND")
        return chosen
    if label:
        chosen = [b for b in boards if label in b.resource.labels]
        if not chosen:
            raise NotFound(f"No resource carries the label {label!r}.", "UNKNOWN_LABEL")
        return chosen
    return []


def _blocks(day, bookings, boards, now):
    blocks = []
    for b in bookings:
        place = day.place(b.start_at, b.end_at)
        if place:
            blocks.append(Block("maintenance" if b.maintenance else "booking", *place, b.start_at, b.end_at,
                                b.user_name, b.resource_name, b.note, b.booking_id, b.status,
                                b.status in UPCOMING and (current_user.is_admin or b.user_id == current_user.id)))
    for board in boards:
        holder = board.holder
        if holder is None or holder.reservation.booking_id is not None or not day.holds(now):
            continue  # a booking's own hold is its block already
        since = holder.reservation.approved_at or now
        until = holder.reservation.valid_until or day.end
        place = day.place(since, until)
        if place:
            blocks.append(Block("hold", *place, since, holder.reservation.valid_until, holder.user_name,
                                board.resource.name, holder.reservation.note))
    return sorted(blocks, key=lambda block: block.start)  # earlier ones first, in the first columns


class CalendarView(MethodView):
    """The week of one resource (?resource_id=) or of the resources carrying a label (?label=):
    bookings as blocks, today's holds, the now-line; ?week= any day of the week, ?tz= the zone
    to draw it in (the page's script adds the reader's; without script, UTC)."""

    decorators = [login_required]

    @page
    def get(self):
        """The week view of a resource or a label."""
        database = get_database()
        database.reservations.settle_overdue()
        resource_id, label = query_id("resource_id"), (request.args.get("label") or "").strip().lower() or None
        zone = zone_named(request.args.get("tz"))
        now = database.now()
        monday = parse_week(request.args.get("week"), now.astimezone(zone).date())
        days = week_days(monday, zone)
        boards = database.boards.all()
        chosen = _chosen(boards, resource_id, label)
        ids = {b.resource.id for b in chosen}
        bookings = []
        if chosen:
            bookings = [b for b in database.booking_reads.listing(resource_id, since=days[0].start, until=days[-1].end)
                        if b.resource_id in ids and b.status not in SHOWN_GONE]
        tz = {"tz": request.args["tz"]} if request.args.get("tz") else {}
        about = {"resource_id": resource_id} if resource_id else {"label": label} if label else {}
        week_url = lambda d: url_for("reservation.calendar", week=d.isoformat(), **about, **tz)  # noqa: E731
        week = [{"day": d, "today": d.holds(now), "now": d.line(now),
                 "blocks": _blocks(d, bookings, chosen, now)} for d in days]
        labels = sorted({name for b in boards for name in b.resource.labels})
        return render_template("reservation/calendar.html", week=week, chosen=chosen, label=label,
                               resource_id=resource_id, boards=boards, labels=labels, zone_name=_zone_name(zone),
                               tz_given=bool(tz), previous_url=week_url(monday - timedelta(days=7)),
                               next_url=week_url(monday + timedelta(days=7)), this_url=week_url(now.date()),
                               book_query=about, now=now,
                               local=lambda moment, format="%H:%M": moment.astimezone(zone).strftime(format))


def book_page():
    """The Book form, filled in from the query string (?resource_id=, ?label=, ?date=) or, after a
    refusal, with what was typed and the messages at the fields."""
    database = get_database()
    form = refused_form("reservation.book", BookPageForm)
    if form is None:
        form = BookPageForm(formdata=None, meta={"csrf": False})
        form.resource_id.data = query_id("resource_id")
        form.labels.data = [request.args["label"].lower()] if request.args.get("label") else []
        form.date.data = request.args.get("date") or database.now().date().isoformat()
    resources = [(b.resource.id, b.resource.name) for b in database.boards.all()]
    return render_template("reservation/book.html", form=form, resources=resources)


def upcoming_bookings(user_id):
    """The user's bookings still to come or running, for My reservations."""
    database = get_database()
    database.reservations.settle_overdue()
    return [b for b in database.booking_reads.listing(user_id=user_id, since=database.now())
            if b.status in UPCOMING]


def after_booking(form):
    """Where the browser goes once its booking is made: the week it is in."""
    week = form.start_at.date().isoformat()
    tz = {"tz": form.time_zone.data} if form.time_zone.data else {}
    if form.resource_id.data:
        return url_for("reservation.calendar", resource_id=form.resource_id.data, week=week, **tz)
    return url_for("reservation.calendar", label=form.labels.data[0], week=week, **tz)


show_refusals_at_fields(blueprint, {"reservation.book": BookPageForm}, pages={"reservation.book": "reservation.book"})
blueprint.add_url_rule("/reservation/calendar", view_func=CalendarView.as_view("calendar"))
