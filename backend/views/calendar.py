"""Calendar feeds of bookings (iCalendar), addressed with the reader's calendar key, and renewing
that key."""
from flask import Blueprint, Response, request
from flask.views import MethodView
from flask_login import current_user

from backend.calendar_feed import feed
from backend.database import get_database
from backend.views.session import blueprint as session
from backend.web.access import login_required
from backend.web.responses import respond

blueprint = Blueprint("calendar", __name__)
ICS = "text/calendar; charset=utf-8"


def _reader():
    """The user whose key the address carries (?key=); 404 for a wrong or renewed key."""
    return get_database().calendar_keys.user_id_for(request.args.get("key"))


def _answer(name, rows):
    body = feed(name, rows, request.host.split(":")[0] or "reservia")
    return Response(body, mimetype="text/calendar", headers={"Content-Type": ICS, "Cache-Control": "no-store"})


class ResourceFeedView(MethodView):
    """Every booking of one resource."""

    def get(self, resource_id):
        _reader()
        database = get_database()
        resource = database.resources.get(resource_id)
        database.reservations.settle_overdue()
        return _answer(f"Reservia: {resource.name}", database.booking_reads.feed(resource_id=resource_id))


class MineFeedView(MethodView):
    """The key's owner's own bookings."""

    def get(self):
        user_id = _reader()
        database = get_database()
        database.reservations.settle_overdue()
        return _answer("Reservia: my bookings", database.booking_reads.feed(user_id=user_id))


class CalendarKeyView(MethodView):
    """A new calendar key: subscriptions with the old one stop working."""

    decorators = [login_required]

    def post(self):
        key = get_database().calendar_keys.renew(current_user)
        return respond({"message": "Your calendar key was renewed: subscribe again with the new addresses.",
                        "calendar_key": key}, default_endpoint="session.password")


blueprint.add_url_rule("/calendar/resource/<id:resource_id>.ics", view_func=ResourceFeedView.as_view("resource"))
blueprint.add_url_rule("/calendar/mine.ics", view_func=MineFeedView.as_view("mine"))
# The key belongs to the account: its URL, like the account's other settings, is under /session.
session.add_url_rule("/session/calendar_key", view_func=CalendarKeyView.as_view("calendar_key"))
