"""Administrators add users and resources."""
from flask import Blueprint
from flask.views import MethodView

from backend.database import get_database
from backend.forms.admin_resources import ResourceForm
from backend.forms.admin_users import UserForm
from backend.forms.binding import bind_form
from backend.forms.bookings import booking_settings
from backend.web.access import admin_required
from backend.web.responses import respond

blueprint = Blueprint("admin", __name__)


class UserAddView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(UserForm)
        user = get_database().users.create(form.name.data, form.email.data, form.password.data,
                                           form.role.data or "user")
        return respond({"message": "User created successfully", "user_id": user.id}, 201)


class ResourceAddView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(ResourceForm)
        resource = get_database().resources.create(form.name.data, form.comment.data,
                                                   form.max_hold_minutes.data, form.labels.data or (),
                                                   booking_settings(form))
        return respond({"message": "Resource created successfully", "resource_id": resource.id}, 201)


blueprint.add_url_rule("/admin/user/add", view_func=UserAddView.as_view("user_add"))
blueprint.add_url_rule("/admin/resource/add", view_func=ResourceAddView.as_view("resource_add"))
