"""Requesting, cancelling, releasing and keeping alive reservations; the queues."""
from flask import Blueprint, current_app, jsonify
from flask.views import MethodView
from flask_login import current_user
from markupsafe import Markup

from backend.database import get_database
from backend.database.results import first_deadline
from backend.forms.binding import bind_form
from backend.forms.query import query_id
from backend.forms.reservation import KeepAliveForm, RequestForm, ResourceActionForm
from backend.serializers import entry_json, iso
from backend.web.access import login_required
from backend.web.messages import clock
from backend.web.responses import respond

blueprint = Blueprint("reservation", __name__)


class RequestView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(RequestForm)
        entry = get_database().reservations.request(current_user, form.resource_id.data,
                                                    form.hold_minutes.data, form.note.data)
        r = entry.reservation
        if r.state == "approved":
            message = Markup("Reservation approved: you hold {}.").format(entry.resource_name)
            if r.valid_until:
                message += Markup(" It is yours until {}.").format(clock(r.valid_until))
        else:
            message = f"{entry.resource_name} is busy: you are queued at position {entry.position}."
        return respond({"message": message, "reservation_id": r.id, "resource_id": r.resource_id,
                        "status": r.state, "position": entry.position,
                        "valid_until_date": iso(r.valid_until)}, 201)


class CancelView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(ResourceActionForm)
        r = get_database().reservations.cancel(current_user, form.resource_id.data)
        return respond({"message": "Request cancelled.", "reservation_id": r.id,
                        "resource_id": r.resource_id, "cancelled_date": iso(r.ended_at)})


class ReleaseView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(ResourceActionForm)
        outcome = get_database().reservations.release(current_user, form.resource_id.data)
        r, following = outcome.reservation, outcome.next_reservation
        message = "Released."
        if following is not None:
            message = f"Released — {outcome.next_user_name} now holds it."
        return respond({"message": message, "reservation_id": r.id, "resource_id": r.resource_id,
                        "released_date": iso(r.ended_at),
                        "next_reservation_id": following.id if following else None})


class KeepAliveView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(KeepAliveForm)
        kept = get_database().reservations.keep_alive(current_user, form.resource_id.data,
                                                      form.hold_minutes.data)
        entry = kept.entry
        r = entry.reservation
        until = iso(r.valid_until)
        if not until:
            message = f"{entry.resource_name} kept; it does not expire."
        elif kept.moved or r.state != "approved":
            message = Markup("{} is kept until {}.").format(entry.resource_name, clock(r.valid_until))
        else:
            message = Markup("Nothing changed: {} is already kept until {}, the longest it may be "
                             "held.").format(entry.resource_name, clock(r.valid_until))
        return respond({"message": message, "reservation_id": r.id, "resource_id": r.resource_id,
                        "valid_until_date": until})


class ActiveView(MethodView):
    """Every hold and queued request, optionally for one resource."""

    decorators = [login_required]

    def get(self):
        resource_id = query_id("resource_id")
        # Scripts poll this list; its JSON is kept as long as the list itself (see read_cache.py).
        body = get_database().cached(("active-json", resource_id), lambda: self.render(resource_id))
        return current_app.response_class(body, mimetype=current_app.json.mimetype)

    @staticmethod
    def render(resource_id):
        entries = get_database().reservations.active(resource_id=resource_id)
        payload = {"reservations": [entry_json(e) for e in entries], "count": len(entries)}
        return current_app.json.response(payload).get_data(), first_deadline(entries)


class ActiveForUserView(MethodView):
    """The caller's own hold or queued request on one resource, or null."""

    decorators = [login_required]

    def get(self):
        entry = get_database().reservations.active_for(current_user, query_id("resource_id", required=True))
        return jsonify(reservation=entry_json(entry) if entry else None)


blueprint.add_url_rule("/reservation/request", view_func=RequestView.as_view("request"))
blueprint.add_url_rule("/reservation/cancel", view_func=CancelView.as_view("cancel"))
blueprint.add_url_rule("/reservation/release", view_func=ReleaseView.as_view("release"))
blueprint.add_url_rule("/reservation/keep_alive", view_func=KeepAliveView.as_view("keep_alive"))
blueprint.add_url_rule("/reservation/active", view_func=ActiveView.as_view("active"))
blueprint.add_url_rule("/reservation/active/all_users", view_func=ActiveView.as_view("active_all_users"))
blueprint.add_url_rule("/reservation/active/user", view_func=ActiveForUserView.as_view("active_user"))
