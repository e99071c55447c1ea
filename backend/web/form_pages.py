"""Refused form posts come back as their page, with what was typed kept and messages at the fields."""
from flask import request

from backend.errors import ReserviaError
from backend.forms.binding import is_form_post
from backend.web.error_handlers import handle_domain_error

# The form fields a refusal by the Database layer may be about, by its code: the first the form has.
FIELDS_OF_CODE = {"USER_EXISTS": ("name",), "EMAIL_EXISTS": ("email",), "RESOURCE_EXISTS": ("name",),
                  "WRONG_PASSWORD": ("current_password",), "WEAK_PASSWORD": ("new_password", "password"),
                  "SAME_PASSWORD": ("new_password", "password")}


def show_refusals_at_fields(blueprint, pages):
    """For the endpoints in `pages` ({endpoint: (form class, render(form, status))}), a refused
    browser form re-renders its page; JSON clients and every other endpoint are answered as usual."""

    def handle(error):
        page = pages.get(request.endpoint)
        if page is None or not is_form_post() or error.status in (401, 403):
            return handle_domain_error(error)
        form_class, render = page
        form = form_class(meta={"csrf": False})
        if form.validate():
            field_name = next((name for name in FIELDS_OF_CODE.get(error.code, ()) if name in form), None)
            if field_name:
                form[field_name].errors.append(error.message)
            else:
                form.form_errors.append(error.message)
        for field in form:
            if field.type == "PasswordField":
                field.data = ""
        try:
            return render(form, error.status)
        except ReserviaError:
            return handle_domain_error(error)  # the page itself is gone: the id was wrong

    blueprint.register_error_handler(ReserviaError, handle)
