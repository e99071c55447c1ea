"""Administrators' pages: users and resources listed with the form that adds one, and a page
for each to change it, retire it, and end its reservations."""
from flask import current_app, render_template
from flask.views import MethodView
from flask_login import current_user

from backend.database import get_database
from backend.database.history import HistoryFilters
from backend.forms.admin_resources import ResourceForm, ResourceModifyForm
from backend.forms.admin_users import UserForm, UserModifyForm
from backend.forms.health_checks import HealthCheckForm
from backend.views.admin import blueprint
from backend.web.access import admin_required
from backend.web.form_pages import refused_form, show_refusals_at_fields
from backend.web.pages import page

# Reservations shown on a user's page; the full list is in the history.
RECENT = 10


def users_page():
    form = refused_form("admin.user_add", UserForm) or UserForm()
    return render_template("admin/users.html", users=get_database().users.list(), form=form,
                           groups=get_database().groups.of_users())


def resources_page():
    boards = get_database().boards.all(include_inactive=True)
    form = refused_form("admin.resource_add", ResourceForm) or ResourceForm()
    return render_template("admin/resources.html", boards=boards, form=form,
                           site_hold_minutes=current_app.config["RESERVIA_HOLD_MINUTES"])


def user_page(user_id):
    database = get_database()
    user = database.users.get(user_id)
    form = (refused_form("admin.user_modify", UserModifyForm, user_id=user.id)
            or UserModifyForm(obj=user, user_id=user.id))
    recent = database.history.page(current_user, HistoryFilters(user_id=user.id), per_page=RECENT)
    return render_template("admin/user.html", user=user, form=form, recent=recent,
                           reservations=database.boards.of_user(user.id),
                           history_count=database.users.history_count(user.id),
                           login_lock=database.users.login_lock(user), groups=database.groups.of_user(user.id),
                           may_have_password=database.sign_in.may_have_password(user))


def resource_page(resource_id):
    board = get_database().boards.one(resource_id)
    form = (refused_form("admin.resource_modify", ResourceModifyForm, resource_id=board.resource.id)
            or ResourceModifyForm(obj=board.resource, resource_id=board.resource.id,
                                  allowed_groups=get_database().policies.allowed_groups(board.resource.id)))
    check = get_database().health_checks.of_resources().get(board.resource.id)
    health_form = (refused_form("admin.health_check", HealthCheckForm, resource_id=board.resource.id)
                   or HealthCheckForm(obj=check, resource_id=board.resource.id))
    return render_template("admin/resource.html", board=board, form=form, health_form=health_form, check=check,
                           history_count=get_database().resources.history_count(board.resource.id),
                           max_hold_minutes=get_database().resources.max_hold_minutes(board.resource))


class UsersPageView(MethodView):
    decorators = [admin_required]

    @page
    def get(self):
        """Users, and the form that adds one."""
        return users_page()


class ResourcesPageView(MethodView):
    decorators = [admin_required]

    @page
    def get(self):
        """Resources, and the form that adds one."""
        return resources_page()


class UserPageView(MethodView):
    decorators = [admin_required]

    @page
    def get(self, user_id):
        """One user: change, retire, end their reservations."""
        return user_page(user_id)


class ResourcePageView(MethodView):
    decorators = [admin_required]

    @page
    def get(self, resource_id):
        """One resource: change, retire, end its hold."""
        return resource_page(resource_id)


show_refusals_at_fields(blueprint, {
    "admin.user_add": UserForm,
    "admin.resource_add": ResourceForm,
    "admin.user_modify": UserModifyForm,
    "admin.resource_modify": ResourceModifyForm,
    "admin.health_check": HealthCheckForm,
})

blueprint.add_url_rule("/admin/users", view_func=UsersPageView.as_view("users"))
blueprint.add_url_rule("/admin/users/<id:user_id>", view_func=UserPageView.as_view("user"))
blueprint.add_url_rule("/admin/resources", view_func=ResourcesPageView.as_view("resources"))
blueprint.add_url_rule("/admin/resources/<id:resource_id>",
                       view_func=ResourcePageView.as_view("resource"))
