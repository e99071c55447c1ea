"""The page where people change their own password."""
from flask import render_template
from flask.views import MethodView

from backend.forms.session import PasswordChangeForm
from backend.views.access import login_required
from backend.views.form_pages import show_refusals_at_fields
from backend.views.session import blueprint


def password_page(form=None, status=200):
    return render_template("session/password.html", form=form or PasswordChangeForm()), status


class PasswordPageView(MethodView):
    decorators = [login_required]

    def get(self):
        return password_page()


show_refusals_at_fields(blueprint, {"session.password": (PasswordChangeForm, password_page)})

# The same URL as the change itself: GET shows the form, POST (backend/views/session.py) changes it.
blueprint.add_url_rule("/session/password", view_func=PasswordPageView.as_view("password_page"),
                       methods=["GET"])
