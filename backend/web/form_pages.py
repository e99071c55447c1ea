"""Refused form posts come back as their page, with what was typed kept and messages at the fields."""
from flask import request

from backend.errors import ReserviaError
from backend.forms.binding import is_form_post
from backend.web.error_handlers import handle_domain_error

# The form field a refusal by the Database layer is about, by its code.
FIELD_OF_CODE = {"USER_EXISTS": "name", "EMAIL_EXISTS": "email", "RESOURCE_EXISTS": "name",
                 "WRONG_PASSWORD": "current_password"}


def show_refusals_at_fields(blueprint, pages):
    """For the endpoints in `pages` ({endpoint: (form class, render(form, status))}), a refused
    browser form re-renders its page; JSON clients and every other endpoint are answered as usual.
    Several views modules of one blueprint may each add their pages."""
    known = getattr(blueprint, "refusal_pages", None)
    if known is not None:
        known.update(pages)
        return
    blueprint.refusal_pages = pages = dict(pages)

    def handle(error):
        page = pages.get(request.endpoint)
        if page is None or not is_form_post() or error.status in (401, 403):
            return handle_domain_error(error)
        form_class, render = page
        form = form_class(meta={"csrf": False})
        if form.validate():
            field_name = FIELD_OF_CODE.get(error.code)
            if field_name in form:
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
