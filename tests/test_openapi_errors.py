"""/openapi.json declares the error codes each status carries, read from the raises in the code, and
the Retry-After header where the server sends one."""
import pytest

from backend.web.openapi_errors import codes_by_status

pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def document(module_app):
    return module_app.test_client().get("/openapi.json").json


def codes(document, schema):
    return set(document["components"]["schemas"][schema]["properties"]["code"]["enum"])


@pytest.mark.parametrize(("status", "code"), [
    (400, "HOLD_TOO_LONG"), (400, "CSRF_FAILED"), (400, "INVALID_TYPE"), (401, "INVALID_TOKEN"),
    (403, "TOKEN_NOT_FOR_PAGES"), (403, "ADMIN_REQUIRED"), (404, "UNKNOWN_LABEL"), (409, "ALREADY_ACTIVE"),
    (415, "UNSUPPORTED_MEDIA_TYPE"), (429, "LOGIN_THROTTLED"), (503, "BUSY")])
def test_each_status_declares_the_codes_it_carries(document, status, code):
    assert code in codes(document, f"Error{status}")
    assert code in codes(document, "Error")
    others = {f"Error{s}" for s in (400, 401, 403, 404, 409)} - {f"Error{status}"}
    assert not any(code in codes(document, other) for other in others)


def test_every_error_answer_refers_to_its_status_codes(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if int(status) >= 400 and schema:
                    assert schema == {"$ref": f"#/components/schemas/Error{status}"}, (method, path, status)


def test_a_code_raised_anywhere_is_declared_without_being_listed(tmp_path):
    (tmp_path / "new_rules.py").write_text(
        'from backend.errors import Conflict, Invalid, TooManyAttempts\n'
        'def check(url):\n'
        '    raise Invalid(f"{url} is not a URL.", "INVALID_URL")\n'
        'def count():\n'
        '    raise Conflict("Too many tokens.", code="TOO_MANY_TOKENS")\n'
        'def slow_down():\n'
        '    raise TooManyAttempts("Slow down.", 3, "TOO_MANY_REQUESTS")\n', encoding="utf-8")
    found = codes_by_status(tmp_path)
    assert "INVALID_URL" in found[400] and "TOO_MANY_TOKENS" in found[409] and "TOO_MANY_REQUESTS" in found[429]


def test_retry_after_is_declared_where_it_is_sent(document):
    waited = document["paths"]["/reservation/wait"]["get"]["responses"]["200"]
    throttled = document["paths"]["/session/login"]["post"]["responses"]["429"]
    for response in (waited, throttled):
        assert response["headers"]["Retry-After"]["schema"]["type"] == "integer"
