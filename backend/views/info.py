"""Service facts and read-only lists: is it alive, which version, which resources and users."""
from flask import Blueprint, jsonify
from flask.views import MethodView

from backend.database import get_database
from backend.serializers import resource_json, user_json
from backend.version import __version__
from backend.web.access import admin_required, login_required
from backend.web.openapi import openapi_document

blueprint = Blueprint("info", __name__)


class IsAliveView(MethodView):
    """Health check for monitors and load balancers; needs no login and no database."""

    def get(self):
        return jsonify(status="alive", service="Reservia")


class VersionView(MethodView):
    def get(self):
        return jsonify(version=__version__)


class ResourcesView(MethodView):
    decorators = [login_required]

    def get(self):
        database = get_database()
        part = database.resources
        resources = part.list()
        # A site where nothing is booked reads no bookings.
        following = database.booking_reads.next_bookings() if any(r.booked_until for r in resources) else {}
        return jsonify(resources=[resource_json(r, part.max_hold_minutes(r), following.get(r.id)) for r in resources],
                       count=len(resources))


class LabelsView(MethodView):
    """Each label on an active resource: how many active resources carry it, how many are free."""

    decorators = [login_required]

    def get(self):
        return jsonify(labels=get_database().labels.summary())


class OpenApiView(MethodView):
    """The OpenAPI 3.1 description of the JSON API, for generating clients in other languages."""

    def get(self):
        return jsonify(openapi_document())


class UsersView(MethodView):
    decorators = [admin_required]

    def get(self):
        database = get_database()
        users, groups = database.users.list(), database.groups.of_users()
        return jsonify(users=[user_json(u, groups.get(u.id, ())) for u in users], count=len(users))


blueprint.add_url_rule("/info/is_alive", view_func=IsAliveView.as_view("is_alive"))
blueprint.add_url_rule("/info/get_version", view_func=VersionView.as_view("get_version"))
blueprint.add_url_rule("/info/resources", view_func=ResourcesView.as_view("resources"))
blueprint.add_url_rule("/info/labels", view_func=LabelsView.as_view("labels"))
blueprint.add_url_rule("/info/users", view_func=UsersView.as_view("users"))
blueprint.add_url_rule("/openapi.json", view_func=OpenApiView.as_view("openapi"))
