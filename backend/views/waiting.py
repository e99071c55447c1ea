"""Waiting for a request's turn: GET /reservation/wait answers when it is approved or ended."""
from flask import jsonify, request
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.database.waiting import MAX_WAIT_SECONDS
from backend.forms.numbers import parse_whole_number
from backend.forms.query import query_id
from backend.serializers import iso
from backend.views.reservation import blueprint
from backend.web.access import login_required
from backend.web.wait_slots import wait_slots


def query_timeout():
    """?timeout= in whole seconds: 0 (the default) answers at once; more than the most is the most."""
    raw = request.args.get("timeout", "").strip()
    if raw in ("", "0"):
        return 0
    return min(parse_whole_number("timeout", raw, maximum=24 * 3600), MAX_WAIT_SECONDS)


def status_json(found):
    body = {"request_id": found.request_id, "status": found.status, "state": found.state,
            "position": found.position, "resource_ids": list(found.resource_ids),
            "valid_until_date": iso(found.valid_until), "booking_id": found.booking_id}
    if found.lease_until is not None:
        body["lease_until_date"] = iso(found.lease_until)
    if found.end_reason is not None:
        body["end_reason"] = found.end_reason
    return body


class WaitView(MethodView):
    """Where one's request stands, answered once it is approved or ended or `timeout` has passed.

    `Retry-After` says when to ask again when the server did not hold the request open: 1 s for
    the request next in line, longer the further back it is.
    """

    decorators = [login_required]

    def get(self):
        request_id = query_id("request_id", required=True)
        found, retry_after = get_database().waiting.wait(current_user, request_id, query_timeout(), wait_slots())
        response = jsonify(status_json(found))
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response


blueprint.add_url_rule("/reservation/wait", view_func=WaitView.as_view("wait"))
