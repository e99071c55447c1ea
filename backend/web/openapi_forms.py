"""JSON Schemas of request bodies, read from the WTForms form that validates each body.

The description of a body cannot drift from what the server accepts: a field added to a form, a
new range or a longer length shows in /openapi.json by itself. Each field's JSON type is the one
`bind_form` (backend/forms/binding.py) insists on: booleans for check boxes, arrays of strings for
labels and multiple choices, integers for number fields, strings for the rest.
"""
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, SelectMultipleField
from wtforms.fields import EmailField, URLField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange

from backend.domain.labels import GIVEN_LABEL_PATTERN
from backend.forms.fields import LabelsField

# String formats some field classes imply; informative, the form's validators decide.
_FORMATS = {EmailField: "email", URLField: "uri", PasswordField: "password"}


def form_schema(form_class):
    """The JSON Schema of a body `bind_form(form_class)` accepts: an object of the form's fields,
    those the form requires listed as required, nothing else allowed."""
    form = form_class(formdata=None, meta={"csrf": False})
    nullable = set(getattr(form, "nullable", ()))
    properties, required = {}, []
    for name, field in form._fields.items():
        if isinstance(field, HiddenField):
            continue  # a browser form's bookkeeping (where to go next), not part of the API
        schema = field_schema(field)
        if name in nullable:
            schema["type"] = [schema["type"], "null"]
        properties[name] = schema
        if any(isinstance(v, (InputRequired, DataRequired)) for v in field.validators):
            required.append(name)
            if schema["type"] == "array" and any(isinstance(v, DataRequired) for v in field.validators):
                schema["minItems"] = 1  # an empty list is no data
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


def field_schema(field):
    """One field's JSON Schema: its type, then what its validators and choices allow."""
    if hasattr(field, "json_schema"):
        schema = dict(field.json_schema)
    elif isinstance(field, BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, LabelsField):
        schema = {"type": "array", "items": {"type": "string", "pattern": GIVEN_LABEL_PATTERN},
                  "maxItems": field.maximum}
    elif isinstance(field, SelectMultipleField):
        schema = {"type": "array", "items": {"type": "string", **_choices(field)}}
    elif isinstance(field, IntegerField):
        schema = {"type": "integer"}
    else:
        schema = {"type": "string", **_choices(field)}
        schema.update(("format", f) for cls, f in _FORMATS.items() if isinstance(field, cls))
    if field.label and field.label.text and field.label.text != field.name:
        schema["title"] = field.label.text
    if field.description:
        schema["description"] = field.description
    for validator in field.validators:
        schema.update(_limits(validator, schema))
    return schema


def _choices(field):
    if isinstance(field, SelectField | SelectMultipleField) and field.choices:
        return {"enum": [value for value, _label in _pairs(field.choices)]}
    return {}


def _pairs(choices):
    for choice in choices:
        yield choice if isinstance(choice, tuple) else (choice, choice)


def _limits(validator, schema):
    """What one validator allows, in the words of JSON Schema (nothing for the others)."""
    if isinstance(validator, NumberRange):
        return {key: value for key, value in (("minimum", validator.min), ("maximum", validator.max))
                if value is not None}
    if isinstance(validator, Length):
        prefix = "Items" if schema["type"] == "array" else "Length"
        return {key: value for key, value in ((f"min{prefix}", validator.min), (f"max{prefix}", validator.max))
                if value is not None and value >= 0}
    if isinstance(validator, AnyOf):
        return {"enum": list(validator.values)}
    return {}
