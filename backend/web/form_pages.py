"""Refused browser forms go back to the page they came from (post/redirect/get), shown again with
what was typed and the messages at the fields: the browser never stays on a URL that only takes
posts, where reloading would post again and a bookmark would answer 405."""
import time

from flask import redirect, request, session, url_for
from werkzeug.datastructures import MultiDict

from backend.errors import ReserviaError
from backend.forms.binding import is_form_post
from backend.web.error_handlers import handle_domain_error
from backend.web.responses import back_url, wants_json

# The form fields a refusal by the Database layer may be about, by its code: the first the form has.
FIELDS_OF_CODE = {"USER_EXISTS": ("name",), "EMAIL_EXISTS": ("email",), "RESOURCE_EXISTS": ("name",),
                  "WRONG_PASSWORD": ("current_password",), "HOLD_TOO_LONG": ("hold_minutes",),
                  "WEAK_PASSWORD": ("new_password", "password"), "SAME_PASSWORD": ("new_password", "password")}
# Session key of the refused form waiting for its page.
REFUSED = "reservia_refused_form"
# What is typed into a field is kept up to this length: the session is a cookie of at most 4 kB.
KEPT_CHARACTERS = 600
# A refused form not shown by then (its page was never opened) is forgotten.
KEPT_SECONDS = 300


def show_refusals_at_fields(blueprint, forms, checks=None, pages=None):
    """For the endpoints in `forms` ({endpoint: form class}), a refused browser form is kept in
    the session and the browser sent back to its page, which shows it with `refused_form`: the
    form's `next` (where it goes once accepted), unless `pages` ({endpoint: page's endpoint})
    names another.

    `checks` ({endpoint: check(form)}) add what the form's own rules cannot see, so that every
    problem is reported at once. JSON clients, and a form whose id is wrong (its page is gone),
    are answered as usual. Several views modules of one blueprint may each add their forms.
    """
    known = getattr(blueprint, "refused_forms", None)
    if known is not None:
        for registry, more in zip(known, (forms, checks or {}, pages or {}), strict=True):
            registry.update(more)
        return
    forms, checks, pages = dict(forms), dict(checks or {}), dict(pages or {})
    blueprint.refused_forms = (forms, checks, pages)

    def handle(error):
        form_class = forms.get(request.endpoint)
        if form_class is None or not is_form_post() or wants_json() or error.status in (401, 403, 404):
            return handle_domain_error(error)
        form = form_class(meta={"csrf": False})
        if form.validate():
            _place(form, error)
        elif any(form[name].errors for name in form._fields if name.endswith("_id")):
            return handle_domain_error(error)
        check = checks.get(request.endpoint)
        if check is not None:
            check(form)
        _keep(form)
        page = pages.get(request.endpoint)
        return redirect(url_for(page) if page else back_url())

    blueprint.register_error_handler(ReserviaError, handle)


def _place(form, error):
    """Put a refusal of the Database layer at the field it is about, or above the form; a form
    may place some itself (`place_refusal(error)`, true when it did)."""
    place_refusal = getattr(form, "place_refusal", None)
    if place_refusal is not None and place_refusal(error):
        return
    placed = False
    for name, messages in (error.fields or {}).items():
        if name in form:
            form[name].errors = list(messages)
            placed = True
    field_name = next((name for name in FIELDS_OF_CODE.get(error.code, ()) if name in form), None)
    if not placed and field_name:
        form[field_name].errors = [error.message]
    elif not placed:
        form.form_errors.append(error.message)


def _keep(form):
    data = {name: [value[:KEPT_CHARACTERS] for value in request.form.getlist(name)]
            for name in request.form if name in form and form[name].type != "PasswordField"}
    session[REFUSED] = {
        "endpoint": request.endpoint, "at": time.time(), "data": data,
        "errors": {field.name: list(field.errors) for field in form if field.errors},
        "form_errors": list(form.form_errors),
    }


def refused_form(endpoint, form_class, **same):
    """The form refused at `endpoint`, filled in again with its messages, if it is waiting to be
    shown here: `same` names values it must have had (the user id of the page, say). Else None."""
    kept = session.get(REFUSED)
    if not kept or kept.get("endpoint") != endpoint or time.time() - kept.get("at", 0) > KEPT_SECONDS:
        return None
    if any(kept["data"].get(name, [""])[0] != str(value) for name, value in same.items()):
        return None
    session.pop(REFUSED)
    form = form_class(formdata=MultiDict([(name, value) for name, values in kept["data"].items()
                                          for value in values]), meta={"csrf": False})
    for name, messages in kept["errors"].items():
        if name in form:
            form[name].errors = list(messages)
    form.form_errors = list(kept["form_errors"])
    return form
