"""Administrators' pages: users and resources listed with the form that adds one, and a page
for each to change it, retire it, and end its reservations."""
from flask import render_template
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.database.history import HistoryFilters
from backend.forms.admin import ResourceForm, UserForm
from backend.forms.administration import ResourceModifyForm, UserModifyForm
from backend.views.admin import blueprint
from backend.web.access import admin_required
from backend.web.form_pages import show_refusals_at_fields

# Reservations shown on a user's page; the full list is in the history.
RECENT = 10


def users_page(form=None, status=200):
    return render_template("admin/users.html", users=get_database().users.list(),
                           form=form or UserForm()), status


def resources_page(form=None, status=200):
    boards = get_database().boards.all(include_inactive=True)
    return render_template("admin/resources.html", boards=boards,
                           form=form or ResourceForm()), status


def user_page(user_id, form=None, status=200):
    database = get_database()
    user = database.users.get(user_id)
    if form is None:
        form = UserModifyForm(obj=user, user_id=user.id)
    recent = database.history.page(current_user, HistoryFilters(user_id=user.id), per_page=RECENT)
    return render_template("admin/user.html", user=user, form=form, recent=recent), status


def resource_page(resource_id, form=None, status=200):
    board = get_database().boards.one(resource_id)
    if form is None:
        form = ResourceModifyForm(obj=board.resource, resource_id=board.resource.id)
    return render_template("admin/resource.html", board=board, form=form), status


class UsersPageView(MethodView):
    decorators = [admin_required]

    def get(self):
        return users_page()


class ResourcesPageView(MethodView):
    decorators = [admin_required]

    def get(self):
        return resources_page()


class UserPageView(MethodView):
    decorators = [admin_required]

    def get(self, user_id):
        return user_page(user_id)


class ResourcePageView(MethodView):
    decorators = [admin_required]

    def get(self, resource_id):
        return resource_page(resource_id)


def _user_page_for(form, status):
    return user_page(form.user_id.data or 0, form, status)


def _resource_page_for(form, status):
    return resource_page(form.resource_id.data or 0, form, status)


show_refusals_at_fields(blueprint, {
    "admin.user_add": (UserForm, users_page),
    "admin.resource_add": (ResourceForm, resources_page),
    "admin.user_modify": (UserModifyForm, _user_page_for),
    "admin.resource_modify": (ResourceModifyForm, _resource_page_for),
})

blueprint.add_url_rule("/admin/users", view_func=UsersPageView.as_view("users"))
blueprint.add_url_rule("/admin/users/<id:user_id>", view_func=UserPageView.as_view("user"))
blueprint.add_url_rule("/admin/resources", view_func=ResourcesPageView.as_view("resources"))
blueprint.add_url_rule("/admin/resources/<id:resource_id>",
                       view_func=ResourcePageView.as_view("resource"))
