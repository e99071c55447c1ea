"""The request bodies /openapi.json describes are the ones the server reads: every field a form
takes is described (max_hold_minutes, new_password_again …), nothing else is allowed, and each
described field is read by the server with the described type and limits."""
import pytest

from backend.web.openapi_operations import OPERATIONS
from tests.conftest import Accounts

pytestmark = pytest.mark.once

BODIES = [(o.path, o.body) for o in OPERATIONS if o.body is not None]
# A value of another JSON type than the one described, for each type.
WRONG_TYPE = {"integer": "1", "boolean": "yes", "array": "scope", "string": 1, "object": "weekly"}


@pytest.fixture(scope="module")
def app(module_app):
    """One application for the module: the cases share its world."""
    return module_app


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/openapi.json").json


@pytest.fixture(scope="module")
def admin(app):
    return Accounts(app).admin


def body_schema(document, path):
    return document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def own_type(schema):
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return next(t for t in types if t != "null")


@pytest.mark.parametrize(("path", "field", "described"), [
    ("/admin/resource/add", "max_hold_minutes", {"type": "integer", "minimum": 1, "maximum": 366 * 24 * 60}),
    ("/admin/resource/modify", "max_hold_minutes", {"type": ["integer", "null"], "minimum": 1}),
    ("/session/password", "new_password_again", {"type": "string"}),
    ("/session/webhooks", "events", {"type": "array", "minItems": 1}),
    ("/reservation/request", "lease_seconds", {"type": "integer", "minimum": 30, "maximum": 7 * 24 * 3600}),
])
def test_fields_the_server_reads_are_described(document, path, field, described):
    schema = body_schema(document, path)["properties"][field]
    assert {key: schema.get(key) for key in described} == described


@pytest.mark.parametrize(("path", "form"), BODIES, ids=[path for path, _ in BODIES])
def test_a_body_allows_only_its_forms_fields_and_requires_what_the_form_requires(app, document, path, form):
    schema = body_schema(document, path)
    with app.test_request_context():
        fields = {name for name, field in form(formdata=None, meta={"csrf": False})._fields.items()
                  if field.type != "HiddenField"}
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == fields
    assert set(schema["required"]) <= fields


@pytest.mark.parametrize(("path", "form"), BODIES, ids=[path for path, _ in BODIES])
def test_the_server_reads_each_described_field_with_its_type_and_limits(document, admin, path, form):
    for name, schema in body_schema(document, path)["properties"].items():
        mistyped = admin.post(path, json={name: WRONG_TYPE[own_type(schema)]})
        assert (mistyped.status_code, mistyped.json["code"]) == (400, "INVALID_TYPE"), (name, mistyped.json)
        beyond = []
        if "maximum" in schema:
            beyond.append(schema["maximum"] + 1)
        if schema.get("minimum", 0) > 0:
            beyond.append(schema["minimum"] - 1)
        if "maxLength" in schema:
            beyond.append("x" * (schema["maxLength"] + 1))
        if "minLength" in schema and schema["minLength"] > 1:
            beyond.append("x" * (schema["minLength"] - 1))
        if "enum" in schema:
            beyond.append("none-of-these")
        for value in beyond:
            refused = admin.post(path, json={name: value})
            assert refused.status_code == 400 and name in refused.json.get("fields", {}), (name, value, refused.json)
