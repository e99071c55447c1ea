"""Administrators' pages: users and resources, each listed with the form that adds one."""
from flask import render_template, request
from flask.views import MethodView

from backend.database import get_database
from backend.error_handlers import handle_domain_error
from backend.errors import ReserviaError
from backend.forms.admin import ResourceForm, UserForm
from backend.forms.binding import is_form_post
from backend.views.access import admin_required
from backend.views.admin import blueprint

# The form field that a refusal by the Database layer is about, by its code.
FIELD_OF_CODE = {"USER_EXISTS": "name", "EMAIL_EXISTS": "email", "RESOURCE_EXISTS": "name"}


def users_page(form=None, status=200):
    return render_template("admin/users.html", users=get_database().list_users(),
                           form=form or UserForm()), status


def resources_page(form=None, status=200):
    boards = get_database().resource_board(include_inactive=True)
    return render_template("admin/resources.html", boards=boards,
                           form=form or ResourceForm()), status


class UsersPageView(MethodView):
    decorators = [admin_required]

    def get(self):
        return users_page()


class ResourcesPageView(MethodView):
    decorators = [admin_required]

    def get(self):
        return resources_page()


ADD_FORM_PAGES = {"admin.user_add": (UserForm, users_page),
                  "admin.resource_add": (ResourceForm, resources_page)}


@blueprint.errorhandler(ReserviaError)
def show_add_form_errors(error):
    """A refused add form comes back as its page, input kept and each message at its field;
    every other refusal is answered as everywhere else."""
    page = ADD_FORM_PAGES.get(request.endpoint)
    if page is None or not is_form_post() or error.status in (401, 403):
        return handle_domain_error(error)
    form_class, render = page
    form = form_class(meta={"csrf": False})
    if form.validate():
        field_name = FIELD_OF_CODE.get(error.code)
        if field_name:
            form[field_name].errors.append(error.message)
        else:
            form.form_errors.append(error.message)
    if "password" in form:
        form.password.data = ""
    return render(form, error.status)


blueprint.add_url_rule("/admin/users", view_func=UsersPageView.as_view("users"))
blueprint.add_url_rule("/admin/resources", view_func=ResourcesPageView.as_view("resources"))
