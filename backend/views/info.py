"""Service facts and read-only lists: is it alive, which version, which resources and users."""
import ipaddress

from flask import Blueprint, current_app, jsonify, request
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.errors import Forbidden
from backend.models.api_token import METRICS
from backend.serializers import resource_json, user_json
from backend.version import __version__
from backend.web.access import admin_required, login_required
from backend.web.bearer import bearer_scope
from backend.web.openapi import openapi_document
from backend.web.prometheus import CONTENT_TYPE, exposition

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
        resources = part.list(with_health=True)
        # A site where nothing is booked reads no bookings.
        following = database.booking_reads.next_bookings() if any(r.booked_until for r in resources) else {}
        return jsonify(resources=[resource_json(r, part.max_hold_minutes(r), following.get(r.id), r.health_check)
                                  for r in resources],
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


class MetricsView(MethodView):
    """Prometheus metrics, read from the database at scrape time. Allowed from the networks of
    RESERVIA_METRICS_NETWORKS (the client's address as Reservia sees it: behind a reverse proxy,
    the proxy's unless RESERVIA_PROXIES is set), with a token of the metrics scope, or to
    administrators; everyone else gets 403."""

    def get(self):
        if not (_from_metrics_network() or bearer_scope() == METRICS
                or (current_user.is_authenticated and current_user.is_admin)):
            raise Forbidden("Metrics are for the networks in RESERVIA_METRICS_NETWORKS, metrics tokens "
                            "and administrators.", "METRICS_FORBIDDEN")
        body = exposition(get_database().metrics.snapshot())
        return body, 200, {"Content-Type": CONTENT_TYPE}


def _from_metrics_network():
    setting = current_app.config["RESERVIA_METRICS_NETWORKS"]
    if not setting or not request.remote_addr:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr.split("%")[0])
    except ValueError:
        return False
    networks = [ipaddress.ip_network(item.strip(), strict=False) for item in setting.split(",") if item.strip()]
    mapped = getattr(address, "ipv4_mapped", None)
    return any(a in n for n in networks for a in (address, mapped) if a is not None and a.version == n.version)


blueprint.add_url_rule("/metrics", view_func=MetricsView.as_view("metrics"))
blueprint.add_url_rule("/info/is_alive", view_func=IsAliveView.as_view("is_alive"))
blueprint.add_url_rule("/info/get_version", view_func=VersionView.as_view("get_version"))
blueprint.add_url_rule("/info/resources", view_func=ResourcesView.as_view("resources"))
blueprint.add_url_rule("/info/labels", view_func=LabelsView.as_view("labels"))
blueprint.add_url_rule("/info/users", view_func=UsersView.as_view("users"))
blueprint.add_url_rule("/openapi.json", view_func=OpenApiView.as_view("openapi"))
