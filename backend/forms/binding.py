"""One way in for POST data: a JSON object or a browser form, checked by the same WTForms rules."""
from flask import request
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, IntegerField, SelectMultipleField

from backend.errors import Invalid
from backend.forms.fields import IdListField, LabelsField

FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CodedMessage(str):
    """A validation message that names its own error code (INVALID_URL …) instead of INVALID_INPUT."""

    def __new__(cls, message, code):
        text = super().__new__(cls, message)
        text.code = code
        return text


def is_form_post():
    """True for a browser form submission (its CSRF token was checked before the view ran)."""
    return request.method == "POST" and request.mimetype in FORM_MIMETYPES


def bind_form(form_class):
    """The validated form for this request, or Invalid naming the first problem.

    JSON values must already have the right type: "3" or 3.0 or true is not a resource id, even
    though a browser form, where everything is text, sends "3".
    """
    if is_form_post():
        form = form_class(meta={"csrf": False})
        form.provided = {name for name in form._fields if name in request.form}
        for name in form.provided:
            for value in request.form.getlist(name):
                refuse_unstorable(name, value)
    else:
        body = json_body()
        if not isinstance(body, dict):
            raise Invalid("The body must be a JSON object.", "INVALID_JSON")
        form = form_class(formdata=None, meta={"csrf": False})
        refuse_unknown_fields(form, body)
        form.process(_typed_formdata(form, body))
        for name, field in form._fields.items():
            if isinstance(field, (LabelsField, IdListField)) and body.get(name) is not None:
                field.take(body[name])
            elif hasattr(field, "take_json") and body.get(name) is not None:
                field.take_json(body[name])
        nullable = getattr(form, "nullable", ())
        form.provided = {name for name in form._fields
                         if body.get(name) is not None or (name in body and name in nullable)}
    if not form.validate():
        name, messages = next(iter(form.errors.items()))
        label = form[name].label.text if name in form else name
        raise Invalid(f"{label}: {messages[0]}", getattr(messages[0], "code", "INVALID_INPUT"), fields=form.errors)
    return form


def refuse_unknown_fields(form, body):
    """Invalid for a JSON field the form does not have: a misspelt `lease_secnds` silently left out
    would change what the request does, and the API description promises no other fields."""
    unknown = sorted(name for name in body if name not in form._fields)
    if unknown:
        accepted = ", ".join(form._fields) or "no fields"
        raise Invalid(f"Unknown field {', '.join(map(repr, unknown))[:200]}; this endpoint takes {accepted}.",
                      "UNKNOWN_FIELD")


def json_body():
    """The request's body as a JSON value; None when it is not JSON. Nesting deeper than Python's
    parser goes (a thousand levels) is refused rather than left to fail as a server error."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise Invalid("The body is not JSON Reservia accepts: it is nested too deeply.", "INVALID_JSON") from None


def refuse_unstorable(name, value):
    """Invalid for text no database column can hold: a NUL character (PostgreSQL refuses it) or
    a lone UTF-16 surrogate, which JSON's \\ud800 escapes can carry but UTF-8 cannot encode."""
    if "\x00" in value:
        raise Invalid(f"{name} must not contain a NUL character.", "INVALID_TEXT")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(f"{name} must be Unicode text: it holds a lone surrogate.", "INVALID_TEXT") from None


def provided_changes(form, names, clearable=()):
    """The named fields the request actually sent, with their validated values.

    An empty text field means "leave as it is" (a blank new-password box, say), except for the
    fields listed as clearable, such as a comment.
    """
    changes = {}
    for name in names:
        value = form[name].data
        if name in form.provided and (value != "" or name in clearable):
            changes[name] = value
    return changes


def _typed_formdata(form, body):
    data = MultiDict()
    for name, field in form._fields.items():
        value = body.get(name)
        if value is None:
            continue
        if hasattr(field, "take_json"):
            if not isinstance(value, dict):
                raise Invalid(f"{name} must be a JSON object.", "INVALID_TYPE")
            continue
        if isinstance(field, BooleanField):
            if not isinstance(value, bool):
                raise Invalid(f"{name} must be true or false.", "INVALID_TYPE")
            data[name] = "y" if value else "false"
        elif isinstance(field, IdListField):
            if not isinstance(value, list) or not all(type(v) is int for v in value):
                raise Invalid(f"{name} must be a list of whole numbers.", "INVALID_TYPE")
            data.setlist(name, [str(v) for v in value])
        elif isinstance(field, (LabelsField, SelectMultipleField)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise Invalid(f"{name} must be a list of strings.", "INVALID_TYPE")
            data.setlist(name, value)
        elif isinstance(field, IntegerField):
            if type(value) is not int:
                raise Invalid(f"{name} must be a whole number.", "INVALID_TYPE")
            data[name] = str(value)
        else:
            if not isinstance(value, str):
                raise Invalid(f"{name} must be a string.", "INVALID_TYPE")
            refuse_unstorable(name, value)
            data[name] = value
    return data
