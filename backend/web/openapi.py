"""The OpenAPI 3.1 description of Reservia's HTTP interface, served at GET /openapi.json.

Put together from three sources: the promised operations and answers (openapi_operations.py),
each request body read from the form that checks it (openapi_forms.py), the error codes read from
the raises in the code (openapi_errors.py); and the pages, from the views marked as pages
(pages.py). tests/test_openapi.py holds it to what the application answers.
"""
import re

from flask import current_app
from flask_login import login_required

from backend.version import __version__
from backend.web.access import admin_required
from backend.web.openapi_errors import codes_by_status
from backend.web.openapi_forms import form_schema
from backend.web.openapi_operations import (
    ADMIN,
    ANYONE,
    ID,
    LOGIN,
    OPERATIONS,
    SCHEMAS,
    STRING,
    Answer,
    _ref,
)
from backend.web.pages import page_method

JSON = "application/json"

# Answered without the database, so without looking at an API token.
NO_TOKEN_CHECK = {"/info/is_alive", "/openapi.json"}

ERRORS = {400: "Invalid input: a missing or mistyped field, a body that is not a JSON object.",
          401: "Not signed in, or an API token that is unknown, expired or revoked.",
          403: "Not allowed: administrators only, or not with an API token.",
          404: "No such thing.", 409: "Conflicts with the current state.",
          415: "The body is not JSON (send Content-Type: application/json).",
          429: "Too many attempts: wait the seconds the Retry-After header gives.",
          503: "The database stayed busy too long; nothing changed; retry after the seconds the Retry-After "
               "header gives."}
DESCRIPTIONS = {200: "Done.", 201: "Created.", 202: "Accepted: it happens shortly.",
                304: "Not Modified: the answer whose ETag If-None-Match names still holds; no body.", **ERRORS}
RETRY_AFTER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}}


def error_schemas():
    """`Error`, every error's shape with every code; `Error<status>`, the codes of one status."""
    by_status = codes_by_status()
    every = sorted({code for codes in by_status.values() for code in codes})
    schemas = {"Error": {
        "type": "object", "required": ["error", "code"],
        "properties": {"error": {"type": "string", "description": "What went wrong, for a person."},
                       "code": {"type": "string", "enum": every, "description": "What went wrong, for a script."},
                       "fields": {"type": "object", "description": "The messages of each refused form field.",
                                  "additionalProperties": {"type": "array", "items": STRING}}}}}
    for status, codes in by_status.items():
        schemas[f"Error{status}"] = {"allOf": [_ref("Error")],
                                     "properties": {"code": {"type": "string", "enum": codes}}}
    return schemas


def _parameters(path, query):
    names = re.findall(r"\{(\w+)\}", path)
    found = [{"name": n, "in": "path", "required": True, "schema": STRING if n == "filename" else ID}
             for n in names]
    return found + [{"name": n, "in": "query", "required": n == "request_id", "schema": s} for n, s in query.items()]


def _response(status, answer):
    headers = {}
    if isinstance(answer, Answer):
        answer, headers = answer.schema, answer.headers
    if status >= 400:
        answer = _ref(f"Error{status}")
        if status in (429, 503):
            headers = {"Retry-After": RETRY_AFTER}
    if status == 304:
        response = {"description": DESCRIPTIONS[status]}
    elif isinstance(answer, str):  # a media type: text/csv, text/calendar, text/plain
        response = {"description": DESCRIPTIONS[status], "content": {answer: {"schema": STRING}}}
    else:
        response = {"description": DESCRIPTIONS[status], "content": {JSON: {"schema": answer}}}
    if headers:
        response["headers"] = headers
    return response


def _operation(operation):
    statuses = dict(operation.answers)
    if operation.path not in NO_TOKEN_CHECK:
        statuses.setdefault(401, None)  # not signed in, or a token that signs in nobody
    if operation.who == ADMIN:
        statuses.setdefault(403, None)
    if operation.method == "post":
        statuses.setdefault(415, None)
        statuses.setdefault(503, None)
    described = {"summary": operation.summary, "tags": [operation.path.split("/")[1] or "pages"],
                 "responses": {str(s): _response(s, statuses[s]) for s in sorted(statuses)}}
    if operation.who == ANYONE:
        described["security"] = []
    parameters = _parameters(operation.path, operation.query)
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        described["requestBody"] = {"required": True, "content": {JSON: {"schema": form_schema(operation.body)}}}
    return described


def pages(app):
    """(path, method, who, summary) of every view method marked as a page, and the static files."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        if rule.endpoint == "static":
            found.append((path, "get", ANYONE, "Style sheets, scripts, images."))
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = page_method(view, method)
            if handler is not None:
                found.append((path, method.lower(), _who(view.view_class), _summary(handler, view.view_class)))
    return found


def _who(view_class):
    decorators = getattr(view_class, "decorators", ())
    return ADMIN if admin_required in decorators else LOGIN if login_required in decorators else ANYONE


def _summary(handler, view_class):
    text = handler.__doc__ or view_class.__doc__ or "A page."
    return text.strip().split("\n\n")[0].replace("\n", " ")


def _page(path, who, summary):
    html = {"text/html": {"schema": STRING}}
    responses = {"200": {"description": "The page.", "content": html}}
    if who != ANYONE:
        responses["302"] = {"description": "Not signed in: to the login page."}
    if "{" in path:
        responses["404"] = {"description": "No such page.",
                            "content": {**html, JSON: {"schema": _ref("Error404")}}}
    if path != "/static/{filename}":
        refused = "Administrators only; or an API token" if who == ADMIN else "An API token"
        responses["403"] = {"description": f"{refused}, which never opens a page (TOKEN_NOT_FOR_PAGES, in JSON).",
                            "content": {**(html if who == ADMIN else {}), JSON: {"schema": _ref("Error403")}}}
    described = {"summary": summary, "tags": ["pages"], "responses": dict(sorted(responses.items())),
                 "security": [] if who == ANYONE else [{"session": []}]}
    parameters = _parameters(path, {})
    if parameters:
        described["parameters"] = parameters
    return described


def openapi_document():
    """The whole description, built once per application."""
    app = current_app._get_current_object()
    if "reservia.openapi" not in app.extensions:
        app.extensions["reservia.openapi"] = _document(app)
    return app.extensions["reservia.openapi"]


def _document(app):
    paths = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = _operation(operation)
    for path, method, who, summary in pages(app):
        paths.setdefault(path, {})[method] = _page(path, who, summary)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Reservia", "version": __version__,
                 "description": "First-come reservations of shared resources. Send JSON bodies with "
                                "Content-Type: application/json; authenticate with an API token "
                                "(Authorization: Bearer) or the session cookie of POST /session/login. "
                                "Errors are {\"error\", \"code\"}; a wrong method is 405 with an Allow header. "
                                "A request with an API token always gets JSON; pages refuse it with 403 "
                                "TOKEN_NOT_FOR_PAGES. See docs/API.md."},
        "servers": [{"url": "/", "description": "Reservia's mount point, such as https://host/reservia"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **error_schemas()},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A personal API token from the API tokens page or POST /session/tokens."},
                "session": {"type": "apiKey", "in": "cookie", "name": "reservia_session"},
            },
        },
    }
