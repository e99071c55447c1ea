"""Requesting, cancelling, releasing and keeping alive reservations; the queues."""
from flask import Blueprint, current_app, jsonify
from flask.views import MethodView
from flask_login import current_user
from markupsafe import Markup

from backend.database import get_database
from backend.forms.binding import bind_form
from backend.forms.query import query_id
from backend.forms.reservation import KeepAliveForm, RequestActionForm, RequestForm
from backend.serializers import bounded_json, entry_json, iso, lease_json
from backend.web.access import login_required
from backend.web.messages import clock
from backend.web.responses import respond

blueprint = Blueprint("reservation", __name__)


class RequestView(MethodView):
    """A resource by name, or `count` resources carrying `labels`: one request, one id."""

    decorators = [login_required]

    def post(self):
        form = bind_form(RequestForm)
        reservations = get_database().reservations
        lease = form.lease_seconds.data
        if form.resource_ids.data:
            outcome = reservations.request_resources(current_user, form.resource_ids.data, form.hold_minutes.data,
                                                     form.note.data, lease)
            return respond(_label_request_json(outcome), 201)
        if form.labels.data:
            outcome = reservations.request_labels(current_user, form.labels.data, form.count.data or 1,
                                                  form.hold_minutes.data, form.note.data, lease)
            return respond(_label_request_json(outcome), 201)
        entry = reservations.request(current_user, form.resource_id.data, form.hold_minutes.data, form.note.data,
                                     lease)
        r = entry.reservation
        if r.state == "approved":
            message = Markup("Reservation approved: you hold {}.").format(entry.resource_name)
            if r.valid_until:
                message += Markup(" It is yours until {}.").format(clock(r.valid_until))
        else:
            message = f"{entry.resource_name} is busy: you are queued at position {entry.position}."
        if entry.bounded_by is not None:
            message += Markup(" The hold ends early: the resource is booked from {}.").format(
                clock(entry.bounded_by.start))
        return respond({"message": message, "request_id": r.id, "reservation_id": r.id,
                        "resource_id": r.resource_id, "status": r.state, "position": entry.position,
                        "valid_until_date": iso(r.valid_until), **lease_json(r), **bounded_json(entry.bounded_by)},
                       201)


def _label_request_json(outcome):
    r = outcome.request
    what = f"{r.count} × {', '.join(sorted(r.label_set))}"
    if r.names_resources:
        what = f"resources {', '.join(sorted(label[1:] for label in r.label_set))}"
    if r.state == "approved":
        body = {"message": f"Request approved: you hold {what}: {', '.join(outcome.resource_names)}.",
                "status": r.state, "request_id": r.id, "resource_ids": list(outcome.resource_ids),
                "position": 0}
    else:
        body = {"message": f"Not enough free for {what}: your request waits at position {outcome.position}"
                           f" with {len(outcome.resource_ids)} kept so far.",
                "status": r.state, "request_id": r.id, "position": outcome.position}
    body.update(labels=sorted(r.label_set), count=r.count, valid_until_date=iso(r.valid_until), **lease_json(r),
                **bounded_json(outcome.bounded_by))
    return body


def _ids(resource_ids):
    return ", ".join(str(i) for i in resource_ids)


def _target(form):
    return {"resource_id": form.resource_id.data, "request_id": form.request_id.data}


class CancelView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(RequestActionForm)
        r = get_database().reservations.cancel(current_user, **_target(form))
        return respond({"message": "Request cancelled.", "request_id": r.id, "reservation_id": r.id,
                        "resource_id": r.resource_id, "cancelled_date": iso(r.ended_at)})


class ReleaseView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(RequestActionForm)
        outcome = get_database().reservations.release(current_user, **_target(form))
        r, following = outcome.reservation, outcome.next_reservation
        message = "Released."
        if following is not None:
            verb = "now holds it" if following.state == "approved" else "keeps it for a label request"
            message = f"Released — {outcome.next_user_name} {verb}."
        elif len(outcome.resource_ids) > 1:
            message = f"Released resources {_ids(outcome.resource_ids)}."
        return respond({"message": message, "request_id": r.id, "reservation_id": r.id,
                        "resource_id": r.resource_id, "resource_ids": list(outcome.resource_ids),
                        "released_date": iso(r.ended_at),
                        "next_reservation_id": following.id if following else None})


class KeepAliveView(MethodView):
    decorators = [login_required]

    def post(self):
        form = bind_form(KeepAliveForm)
        kept = get_database().reservations.keep_alive(current_user, hold_minutes=form.hold_minutes.data,
                                                      **_target(form))
        outcome = kept.outcome
        r = outcome.request
        name = outcome.resource_name or f"Request {r.id}"
        until = iso(r.valid_until)
        if not until:
            message = f"{name} kept; it does not expire."
        elif kept.moved or r.state != "approved":
            message = Markup("{} is kept until {}.").format(name, clock(r.valid_until))
        else:
            message = Markup("Nothing changed: {} is already kept until {}, the longest it may be "
                             "held.").format(name, clock(r.valid_until))
        return respond({"message": message, "request_id": r.id, "reservation_id": r.id,
                        "resource_id": r.resource_id, "resource_ids": list(outcome.resource_ids),
                        "valid_until_date": until, **lease_json(r), **bounded_json(outcome.bounded_by)})


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
        entries, until = get_database().reservations.active_until(resource_id)
        payload = {"reservations": [entry_json(e) for e in entries], "count": len(entries)}
        return current_app.json.response(payload).get_data(), until


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
