"""Administrators give a resource a health check, or take it away (JSON, or the resource's page)."""
from flask import current_app
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.forms.binding import bind_form
from backend.forms.health_checks import HealthCheckForm, HealthCheckRemoveForm
from backend.serializers import health_check_json
from backend.views.admin import blueprint
from backend.web.access import admin_required
from backend.web.responses import respond


class HealthCheckView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(HealthCheckForm)
        config = current_app.config
        check = get_database().health_checks.set(
            current_user, form.resource_id.data, form.kind.data, form.target.data,
            form.interval_seconds.data or config["RESERVIA_HEALTH_INTERVAL"],
            form.timeout_seconds.data or config["RESERVIA_HEALTH_TIMEOUT"],
            form.failures_before_maintenance.data or config["RESERVIA_HEALTH_FAILURES"])
        return respond({"message": "Health check set: the worker runs it from now on.",
                        "resource_id": check.resource_id, "health_check": health_check_json(check)})


class HealthCheckRemoveView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(HealthCheckRemoveForm)
        get_database().health_checks.remove(current_user, form.resource_id.data)
        return respond({"message": "Health check removed.", "resource_id": form.resource_id.data})


blueprint.add_url_rule("/admin/resource/health_check", view_func=HealthCheckView.as_view("health_check"))
blueprint.add_url_rule("/admin/resource/health_check/remove",
                       view_func=HealthCheckRemoveView.as_view("health_check_remove"))
