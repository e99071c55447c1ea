"""Booking resources ahead: book, list the shared calendar, cancel, check in (JSON)."""
from flask import jsonify, request
from flask.views import MethodView
from flask_login import current_user
from markupsafe import Markup

from backend.database import get_database
from backend.database.bookings import Repeat
from backend.errors import Invalid
from backend.forms.binding import bind_form
from backend.forms.bookings import BookForm, BookingCancelForm, BookingIdForm
from backend.forms.history_filters import parse_moment
from backend.forms.query import query_id
from backend.models.states import BOOKING_STATUSES
from backend.serializers import booking_json, conflict_json, iso
from backend.views.reservation import blueprint
from backend.web.access import login_required
from backend.web.messages import clock
from backend.web.responses import respond


class BookView(MethodView):
    """One resource, or `count` carrying labels, for a window; once or repeating."""

    decorators = [login_required]

    def post(self):
        form = bind_form(BookForm)
        repeat = form.repeat.data
        outcome = get_database().bookings.book(
            current_user, form.start_at, form.end_at, resource_id=form.resource_id.data,
            labels=form.labels.data or (), count=form.count.data or 1, note=form.note.data,
            repeat=Repeat(**repeat) if repeat else None, skip_conflicts=form.skip_conflicts.data,
            force=form.force.data, maintenance=form.maintenance.data)
        if repeat:
            skipped = [{"start": iso(since), "end": iso(until), "conflicts": [conflict_json(c) for c in clashes]}
                       for since, until, clashes in outcome.skipped]
            message = f"Booked {len(outcome.bookings)} occurrences" + (
                f"; {len(skipped)} already booked were skipped." if skipped else ".")
            return respond({"message": message, "series_id": outcome.series_id, "bookings": [
                {"booking_id": b.booking_id, "start": iso(b.start), "end": iso(b.end),
                 "resource_ids": list(b.resource_ids)} for b in outcome.bookings], "skipped": skipped}, 201)
        booked = outcome.bookings[0]
        message = Markup("Booked from {} to {}.").format(clock(booked.start), clock(booked.end))
        return respond({"message": message, "booking_id": booked.booking_id, "series_id": outcome.series_id,
                        "status": "booked", "resource_ids": list(booked.resource_ids), "start": iso(booked.start),
                        "end": iso(booked.end)}, 201)


class BookingsView(MethodView):
    """The shared calendar: everyone's bookings, filtered."""

    decorators = [login_required]

    def get(self):
        status = request.args.get("status") or None
        if status is not None and status not in BOOKING_STATUSES:
            raise Invalid(f"status must be one of {', '.join(BOOKING_STATUSES)}.", "INVALID_STATUS")
        database = get_database()
        # A booking whose start has passed is shown active, as the queue will have it.
        database.reservations.settle_overdue()
        rows = database.booking_reads.listing(query_id("resource_id"), query_id("user_id"),
                                              parse_moment("from", request.args.get("from")),
                                              parse_moment("to", request.args.get("to")), status)
        return jsonify(bookings=[booking_json(r) for r in rows], count=len(rows))


class CancelBookingView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(BookingCancelForm)
        cancelled = get_database().bookings.cancel(current_user, form.booking_id.data, form.series_id.data,
                                                   form.since)
        return respond({"message": f"Cancelled {len(cancelled)} booking{'s' if len(cancelled) != 1 else ''}.",
                        "cancelled": cancelled})


class CheckInView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(BookingIdForm)
        until = get_database().bookings.check_in(current_user, form.booking_id.data)
        return respond({"message": Markup("Checked in: it is yours until {}.").format(clock(until)),
                        "booking_id": form.booking_id.data, "valid_until_date": iso(until)})


blueprint.add_url_rule("/reservation/book", view_func=BookView.as_view("book"))
blueprint.add_url_rule("/reservation/bookings", view_func=BookingsView.as_view("bookings"))
blueprint.add_url_rule("/reservation/booking/cancel", view_func=CancelBookingView.as_view("cancel_booking"))
blueprint.add_url_rule("/reservation/booking/checkin", view_func=CheckInView.as_view("checkin_booking"))
