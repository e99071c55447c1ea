"""Administrators change and retire users and resources, and end other people's reservations."""
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.forms.admin_resources import ForceReleaseForm, RemoveRequestForm, ResourceDeleteForm, ResourceModifyForm
from backend.forms.admin_users import UserDeleteForm, UserModifyForm, UserUnlockForm
from backend.forms.binding import bind_form, provided_changes
from backend.forms.bookings import BOOKING_SETTINGS, BookingSettings
from backend.serializers import iso
from backend.views.admin import blueprint
from backend.web.access import admin_required
from backend.web.messages import ended_text, modified_text
from backend.web.responses import respond


class UserModifyView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(UserModifyForm)
        changes = provided_changes(form, ("name", "email", "password", "role", "active"))
        modified = get_database().administration.modify_user(current_user, form.user_id.data, changes)
        message = modified_text(modified.changed and "User modified successfully", modified.item.name, modified.ended)
        return respond({"message": message, "user_id": modified.item.id})


class UserDeleteView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(UserDeleteForm)
        deactivated, ended = get_database().administration.delete_user(current_user, form.user_id.data)
        message = ("User deactivated: their history is kept." if deactivated
                   else "User deleted successfully")
        message = " ".join(filter(None, [message, ended_text(ended)]))
        return respond({"message": message, "user_id": form.user_id.data, "deactivated": deactivated})


class UserUnlockView(MethodView):
    """Clear a user's login lock: their failed logins, from everywhere, count for nothing any more."""

    decorators = [admin_required]

    def post(self):
        form = bind_form(UserUnlockForm)
        user, cleared = get_database().users.clear_login_lock(current_user, form.user_id.data)
        message = (f"Login lock of {user.name} cleared: they can log in again at once." if cleared
                   else f"{user.name} had no failed logins counted: nothing to clear.")
        return respond({"message": message, "user_id": user.id})


class ResourceModifyView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(ResourceModifyForm)
        changes = provided_changes(form, ("name", "comment", "labels", "max_hold_minutes", "maintenance",
                                           "active", *BOOKING_SETTINGS),
                                   clearable=("comment", "labels", "max_hold_minutes", *BookingSettings.nullable))
        if "booking_buffer_minutes" in changes and changes["booking_buffer_minutes"] is None:
            changes["booking_buffer_minutes"] = 0
        modified = get_database().administration.modify_resource(current_user, form.resource_id.data, changes)
        message = modified_text(modified.changed and "Resource modified successfully", modified.item.name)
        return respond({"message": message, "resource_id": modified.item.id})


class ResourceDeleteView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(ResourceDeleteForm)
        deactivated = get_database().administration.delete_resource(current_user, form.resource_id.data)
        message = ("Resource deactivated: its history is kept." if deactivated
                   else "Resource deleted successfully")
        return respond({"message": message, "resource_id": form.resource_id.data,
                        "deactivated": deactivated})


class ForceReleaseView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(ForceReleaseForm)
        ended, following, next_name = get_database().administration.force_release(
            current_user, form.resource_id.data, form.reason.data)
        message = "Hold ended." + (f" {next_name} now holds it." if next_name else "")
        return respond({"message": message, "reservation_id": ended.id,
                        "resource_id": ended.resource_id, "released_date": iso(ended.ended_at),
                        "next_reservation_id": following.id if following else None})


class RemoveRequestView(MethodView):
    decorators = [admin_required]

    def post(self):
        form = bind_form(RemoveRequestForm)
        removed = get_database().administration.remove_request(current_user, form.reservation_id.data,
                                                               form.reason.data)
        return respond({"message": "Request removed from the queue.", "reservation_id": removed.id,
                        "resource_id": removed.resource_id, "cancelled_date": iso(removed.ended_at)})


blueprint.add_url_rule("/admin/user/modify", view_func=UserModifyView.as_view("user_modify"))
blueprint.add_url_rule("/admin/user/delete", view_func=UserDeleteView.as_view("user_delete"))
blueprint.add_url_rule("/admin/user/unlock", view_func=UserUnlockView.as_view("user_unlock"))
blueprint.add_url_rule("/admin/resource/modify", view_func=ResourceModifyView.as_view("resource_modify"))
blueprint.add_url_rule("/admin/resource/delete", view_func=ResourceDeleteView.as_view("resource_delete"))
blueprint.add_url_rule("/admin/reservation/force_release",
                       view_func=ForceReleaseView.as_view("force_release"))
blueprint.add_url_rule("/admin/reservation/remove", view_func=RemoveRequestView.as_view("remove_request"))
