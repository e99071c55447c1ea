"""The OpenAPI 3.1 description of Reservia's HTTP interface, served at GET /openapi.json.

Written out here rather than derived from the views: what a client may rely on is a promise,
and tests/test_openapi.py holds the promise to the application (every route described, every
documented status one the route answers, and the answers it gives documented).
"""
from functools import cache

from backend.forms.numbers import MAX_ID
from backend.version import __version__

JSON = "application/json"
ANYONE, LOGIN, ADMIN = "anyone", "login", "admin"


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required=(), **properties):
    return {"type": "object", "required": list(required), "properties": properties}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE = {"type": ["string", "null"], "format": "date-time"}
OPTIONAL_ID = {"type": ["integer", "null"]}
LABELS = {"type": "array", "items": {"type": "string", "pattern": "^[a-z0-9._-]{1,40}$"}, "maxItems": 20}
MESSAGE = {"message": STRING}

SCHEMAS = {
    "Error": _object(("error", "code"), error=STRING, code=STRING,
                     fields={"type": "object", "additionalProperties": {"type": "array", "items": STRING}}),
    "Reservation": _object(
        ("id", "request_id", "user_id", "user_name", "resource_id", "resource_name", "status", "position",
         "request_date", "approved_date", "end_date", "valid_until_date", "end_reason"),
        id=ID, request_id=ID, user_id=ID, user_name=STRING, resource_id=OPTIONAL_ID,
        resource_name={"type": ["string", "null"]},
        status={"enum": ["requested", "approved", "kept", "released", "cancelled", "expired"]},
        position={"type": ["integer", "null"]}, request_date=DATE, approved_date=DATE, end_date=DATE,
        valid_until_date=DATE, end_reason={"type": ["string", "null"]}, labels=LABELS, count=INTEGER,
        collected=INTEGER, lease_seconds=INTEGER, lease_until_date=DATE),
    "Reservations": _object(("reservations", "count"), reservations={"type": "array", "items": _ref("Reservation")},
                            count=INTEGER),
    "Resource": _object(("id", "name", "comment", "active", "maintenance", "labels"), id=ID, name=STRING,
                        comment=STRING, active=BOOLEAN, maintenance=BOOLEAN, labels=LABELS),
    "User": _object(("id", "name", "email", "role", "active"), id=ID, name=STRING, email=STRING,
                    role={"enum": ["user", "admin"]}, active=BOOLEAN),
    "Token": _object(("token_id", "name", "user_id", "user_name", "created_date", "last_used_date", "expires_date",
                      "expired"), token_id=ID, name=STRING, user_id=ID, user_name=STRING, created_date=DATE,
                     last_used_date=DATE, expires_date=DATE, expired=BOOLEAN),
    "RequestStatus": _object(
        ("request_id", "status", "state", "position", "resource_ids", "valid_until_date"),
        request_id=ID, status={"enum": ["requested", "approved", "ended"]},
        state={"enum": ["requested", "approved", "released", "cancelled", "expired"]},
        position={"type": ["integer", "null"]}, resource_ids={"type": "array", "items": ID},
        valid_until_date=DATE, lease_until_date=DATE, end_reason=STRING),
}

WHO = {"name": STRING, "password": STRING}
RESOURCE_OR_REQUEST = _object((), resource_id=ID, request_id=ID)
KEEP_ALIVE_BODY = _object((), resource_id=ID, request_id=ID, hold_minutes={"type": "integer", "minimum": 1})
EVENT_NAMES = {"type": "array", "items": {"enum": ["granted", "expiring", "ended", "resource_changed"]}}
WEBHOOK = _object(("id", "url", "events", "format", "created_date", "last_delivery"), id=ID, url=STRING,
                  events=EVENT_NAMES, format={"enum": ["json", "slack"]}, created_date=DATE,
                  last_delivery={"type": ["object", "null"]})
WEBHOOK_ID = _object(("webhook_id",), webhook_id=ID)
REQUEST_BODY = _object((), resource_id=ID, labels=LABELS, count={"type": "integer", "minimum": 1, "maximum": 100},
                       hold_minutes={"type": "integer", "minimum": 1}, note=STRING,
                       lease_seconds={"type": "integer", "minimum": 30})
REQUEST_ANSWER = _object(("message", "status", "request_id", "position", "valid_until_date"),
                         message=STRING, status={"enum": ["approved", "requested"]}, request_id=ID,
                         reservation_id=ID, resource_id=ID, resource_ids={"type": "array", "items": ID},
                         position=INTEGER, labels=LABELS, count=INTEGER, valid_until_date=DATE,
                         lease_seconds=INTEGER, lease_until_date=DATE)
ACTION_ANSWER = _object(("message", "reservation_id", "resource_id"), message=STRING, request_id=ID,
                        reservation_id=ID, resource_id=OPTIONAL_ID, resource_ids={"type": "array", "items": ID},
                        cancelled_date=DATE, released_date=DATE, valid_until_date=DATE,
                        next_reservation_id=OPTIONAL_ID, lease_seconds=INTEGER, lease_until_date=DATE)

# Each operation: (method, path, who may call it, summary, request body or None, query parameters,
# {status: response schema}). Error statuses answer the Error schema.
OPERATIONS = [
    ("get", "/info/is_alive", ANYONE, "Health check; needs no database.", None, {},
     {200: _object(("status", "service"), status=STRING, service=STRING)}),
    ("get", "/info/get_version", ANYONE, "Reservia's version.", None, {}, {200: _object(("version",), version=STRING)}),
    ("get", "/info/resources", LOGIN, "Active resources.", None, {},
     {200: _object(("resources", "count"), resources={"type": "array", "items": _ref("Resource")}, count=INTEGER)}),
    ("get", "/info/labels", LOGIN, "Labels on active resources, with how many are free.", None, {},
     {200: _object(("labels",), labels={"type": "array", "items": _object(
         ("name", "resources", "free"), name=STRING, resources=INTEGER, free=INTEGER)})}),
    ("get", "/info/users", ADMIN, "Every user.", None, {},
     {200: _object(("users", "count"), users={"type": "array", "items": _ref("User")}, count=INTEGER)}),
    ("post", "/session/login", ANYONE, "Log in; sets the session cookie.", _object(("name", "password"), **WHO), {},
     {200: _object(("message", "user_name", "user_id", "role"), message=STRING, user_name=STRING, user_id=ID,
                   role=STRING), 400: None}),
    ("post", "/session/logout", ANYONE, "End the session on the server (an API token is revoked instead).",
     None, {}, {200: _object(("message",), **MESSAGE), 400: None}),
    ("get", "/session/status", ANYONE, "Who is signed in.", None, {},
     {200: _object(("logged_in",), logged_in=BOOLEAN, user_id=ID, user_name=STRING, user_email=STRING, role=STRING)}),
    ("post", "/session/password", LOGIN, "Change one's own password; other sessions are logged out, tokens stay.",
     _object(("current_password", "new_password"), current_password=STRING, new_password=STRING), {},
     {200: _object(("message",), **MESSAGE), 400: None}),
    ("get", "/session/tokens", LOGIN, "One's API tokens; an administrator's choice of user, or everyone's.",
     None, {"user_id": ID, "all": BOOLEAN},
     {200: _object(("tokens", "count"), tokens={"type": "array", "items": _ref("Token")}, count=INTEGER),
      400: None, 403: None}),
    ("post", "/session/tokens", LOGIN, "Make an API token; its secret is in this answer only.",
     _object(("name",), name=STRING, expires_days={"type": "integer", "minimum": 1, "maximum": 3650}), {},
     {201: _object(("message", "token", "token_id", "name", "created_date", "expires_date"), token=STRING,
                   token_id=ID, name=STRING, created_date=DATE, expires_date=DATE, **MESSAGE), 400: None,
      403: None}),
    ("post", "/session/tokens/revoke", LOGIN, "Revoke a token: one's own, or anyone's for an administrator.",
     _object(("token_id",), token_id=ID), {}, {200: _object(("message", "token_id"), token_id=ID, **MESSAGE),
                                                400: None, 404: None}),
    ("post", "/admin/user/add", ADMIN, "Add a user.", _object(("name", "email", "password"), **WHO, email=STRING,
                                                               role={"enum": ["user", "admin"]}), {},
     {201: _object(("message", "user_id"), user_id=ID, **MESSAGE), 400: None, 409: None}),
    ("post", "/admin/resource/add", ADMIN, "Add a resource.", _object(("name",), name=STRING, comment=STRING,
                                                                       labels=LABELS), {},
     {201: _object(("message", "resource_id"), resource_id=ID, **MESSAGE), 400: None, 409: None}),
    ("post", "/admin/user/modify", ADMIN, "Change a user; only the fields sent change.",
     _object(("user_id",), user_id=ID, name=STRING, email=STRING, password=STRING, role=STRING, active=BOOLEAN), {},
     {200: _object(("message", "user_id"), user_id=ID, **MESSAGE), 400: None, 404: None, 409: None}),
    ("post", "/admin/user/delete", ADMIN, "Delete a user, or deactivate one with history.",
     _object(("user_id",), user_id=ID), {},
     {200: _object(("message", "user_id", "deactivated"), user_id=ID, deactivated=BOOLEAN, **MESSAGE),
      400: None, 404: None, 409: None}),
    ("post", "/admin/user/unlock", ADMIN, "Clear a user's login lock: their failed logins, from everywhere, "
     "count for nothing any more.", _object(("user_id",), user_id=ID), {},
     {200: _object(("message", "user_id"), user_id=ID, **MESSAGE), 400: None, 404: None}),
    ("post", "/admin/resource/modify", ADMIN, "Change a resource; only the fields sent change.",
     _object(("resource_id",), resource_id=ID, name=STRING, comment=STRING, labels=LABELS, maintenance=BOOLEAN,
             active=BOOLEAN), {},
     {200: _object(("message", "resource_id"), resource_id=ID, **MESSAGE), 400: None, 404: None, 409: None}),
    ("post", "/admin/resource/delete", ADMIN, "Delete a resource, or deactivate one with history.",
     _object(("resource_id",), resource_id=ID), {},
     {200: _object(("message", "resource_id", "deactivated"), resource_id=ID, deactivated=BOOLEAN, **MESSAGE),
      400: None, 404: None, 409: None}),
    ("post", "/admin/reservation/force_release", ADMIN, "End someone's hold; whoever is next is approved.",
     _object(("resource_id",), resource_id=ID, reason=STRING), {}, {200: ACTION_ANSWER, 400: None, 404: None}),
    ("post", "/admin/reservation/remove", ADMIN, "Take a queued request out of line.",
     _object(("reservation_id",), reservation_id=ID, reason=STRING), {},
     {200: ACTION_ANSWER, 400: None, 404: None, 409: None}),
    ("get", "/admin/statistics", ADMIN, "Per-resource usage over a period (JSON, or a page for browsers).",
     None, {"since": STRING, "until": STRING},
     {200: _object(("since", "until", "resources"), since=DATE, until=DATE,
                   resources={"type": "array", "items": {"type": "object"}}), 400: None}),
    ("post", "/reservation/request", LOGIN, "Ask for a resource by id, or `count` resources carrying `labels`; "
                                            "with `lease_seconds` it must be kept alive that often.",
     REQUEST_BODY, {}, {201: REQUEST_ANSWER, 400: None, 404: None, 409: None}),
    ("post", "/reservation/cancel", LOGIN, "Leave the queue.", RESOURCE_OR_REQUEST, {},
     {200: ACTION_ANSWER, 400: None, 404: None, 409: None}),
    ("post", "/reservation/release", LOGIN, "Give a hold back; whoever is next is approved.", RESOURCE_OR_REQUEST,
     {}, {200: ACTION_ANSWER, 400: None, 404: None, 409: None}),
    ("post", "/reservation/keep_alive", LOGIN, "Push back a hold's or queued request's deadline and lease.",
     KEEP_ALIVE_BODY, {}, {200: ACTION_ANSWER, 400: None, 404: None}),
    ("get", "/reservation/wait", LOGIN, "Where a request stands, answered once it is approved or ended, or after "
                                        "`timeout` seconds (at most 30). A `Retry-After` header says when to ask "
                                        "again when the server could not hold the request open.",
     None, {"request_id": ID, "timeout": {"type": "integer", "minimum": 0}},
     {200: _ref("RequestStatus"), 400: None, 404: None}),
    ("get", "/reservation/active", LOGIN, "Every hold and queued request, in queue order.", None,
     {"resource_id": ID}, {200: _ref("Reservations"), 400: None}),
    ("get", "/reservation/active/all_users", LOGIN, "The same as /reservation/active.", None,
     {"resource_id": ID}, {200: _ref("Reservations"), 400: None}),
    ("get", "/reservation/active/user", LOGIN, "One's own hold or queued request on a resource, or null.", None,
     {"resource_id": ID}, {200: _object(("reservation",), reservation={"oneOf": [_ref("Reservation"),
                                                                                 {"type": "null"}]}),
                           400: None, 404: None}),
    ("get", "/reservation/history", LOGIN, "Reservations, newest first, a page at a time; one's own unless an "
                                           "administrator.", None,
     {"user_id": ID, "resource_id": ID, "state": STRING, "since": STRING, "until": STRING, "page": ID,
      "per_page": ID},
     {200: _object(("reservations", "count", "total", "page", "per_page", "pages"),
                   reservations={"type": "array", "items": _ref("Reservation")}, count=INTEGER, total=INTEGER,
                   page=INTEGER, per_page=INTEGER, pages=INTEGER), 400: None, 403: None, 404: None}),
    ("get", "/reservation/history/export", LOGIN, "The same history as CSV, oldest first, every row.", None,
     {"user_id": ID, "resource_id": ID, "state": STRING, "since": STRING, "until": STRING},
     {200: "text/csv", 400: None, 403: None, 404: None}),
    ("get", "/session/notifications", LOGIN, "One's notification preferences: `<event>_<channel>` on or off "
                                             "(JSON; a page for browsers).", None, {},
     {200: _object(("preferences", "events", "email_configured"), preferences={"type": "object"},
                   events=EVENT_NAMES, email_configured=BOOLEAN)}),
    ("post", "/session/notifications", LOGIN, "Change the preferences named; the others stay.",
     {"type": "object", "additionalProperties": BOOLEAN}, {},
     {200: _object(("message", "preferences"), preferences={"type": "object"}, **MESSAGE), 400: None,
      403: None}),
    ("get", "/session/notifications/feed", LOGIN, "Events for this browser since `since` (the `now` of the "
                                                  "previous answer).", None, {"since": STRING},
     {200: _object(("notifications", "now"), notifications={"type": "array", "items": {"type": "object"}},
                   now=DATE), 400: None}),
    ("get", "/session/webhooks", LOGIN, "One's webhooks (never their secrets).", None, {},
     {200: _object(("webhooks", "count"), webhooks={"type": "array", "items": WEBHOOK}, count=INTEGER)}),
    ("post", "/session/webhooks", LOGIN, "Add a webhook: deliveries are signed with its secret "
                                         "(generated and shown once when none is given).",
     _object(("url", "events"), url=STRING, events=EVENT_NAMES, secret=STRING, format={"enum": ["json", "slack"]}),
     {}, {201: _object(("message", "webhook_id"), webhook_id=ID, secret=STRING, **MESSAGE), 400: None,
          403: None, 409: None}),
    ("post", "/session/webhooks/remove", LOGIN, "Remove a webhook.", WEBHOOK_ID, {},
     {200: _object(("message", "webhook_id"), webhook_id=ID, **MESSAGE), 400: None, 404: None}),
    ("post", "/session/webhooks/test", LOGIN, "Queue a test delivery.", WEBHOOK_ID, {},
     {202: _object(("message", "webhook_id", "event_id"), webhook_id=ID, event_id=STRING, **MESSAGE),
      400: None, 404: None}),
    ("get", "/session/webhooks/deliveries", LOGIN, "A webhook's last deliveries, newest first.", None,
     {"webhook_id": ID},
     {200: _object(("webhook_id", "deliveries", "count"), webhook_id=ID,
                   deliveries={"type": "array", "items": {"type": "object"}}, count=INTEGER),
      400: None, 404: None}),
    ("get", "/openapi.json", ANYONE, "This description.", None, {}, {200: {"type": "object"}}),
]

# Pages for people in a browser: described so that every route is, but not part of the JSON API.
PAGES = [
    ("get", "/", LOGIN, "The dashboard."),
    ("get", "/reservation/board", LOGIN, "The dashboard's cards, fetched by its script."),
    ("get", "/reservation/mine", LOGIN, "My reservations, with filters."),
    ("get", "/session/login", ANYONE, "The login form."),
    ("get", "/session/password", LOGIN, "The password form."),
    ("get", "/admin/users", ADMIN, "Users."),
    ("get", "/admin/users/{user_id}", ADMIN, "One user."),
    ("get", "/admin/resources", ADMIN, "Resources."),
    ("get", "/admin/resources/{resource_id}", ADMIN, "One resource."),
    ("get", "/static/{filename}", ANYONE, "Style sheets, scripts, images."),
]

# Answered without the database, so without looking at an API token.
NO_TOKEN_CHECK = {"/info/is_alive", "/openapi.json"}

ERRORS = {400: "Invalid input: a missing or mistyped field, a body that is not a JSON object.",
          401: "Not signed in, or an API token that is unknown, expired or revoked.",
          403: "Not allowed: administrators only, or not with an API token.",
          404: "No such thing.", 409: "Conflicts with the current state.",
          415: "The body is not JSON (send Content-Type: application/json).",
          503: "The database stayed busy too long; nothing changed; retry."}
DESCRIPTIONS = {200: "Done.", 201: "Created.", 202: "Accepted: it happens shortly.", **ERRORS}


def _parameters(path, query):
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    found = [{"name": n, "in": "path", "required": True, "schema": STRING if n == "filename" else ID} for n in names]
    return found + [{"name": n, "in": "query", "required": n == "request_id", "schema": s} for n, s in query.items()]


def _response(status, schema):
    if status >= 400:
        schema = _ref("Error")
    if schema == "text/csv":
        return {"description": DESCRIPTIONS[status], "content": {"text/csv": {"schema": STRING}}}
    return {"description": DESCRIPTIONS[status], "content": {JSON: {"schema": schema}}}


def _operation(method, path, who, summary, body, query, answers):
    statuses = dict(answers)
    if path not in NO_TOKEN_CHECK:
        statuses.setdefault(401, None)  # not signed in, or a token that signs in nobody
    if who == ADMIN:
        statuses.setdefault(403, None)
    if method == "post":
        statuses.setdefault(415, None)
        statuses.setdefault(503, None)
    operation = {"summary": summary, "tags": [path.split("/")[1] or "pages"],
                 "responses": {str(s): _response(s, statuses[s]) for s in sorted(statuses)}}
    if who == ANYONE:
        operation["security"] = []
    parameters = _parameters(path, query)
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    return operation


def _page(who, summary, path):
    responses = {"200": {"description": "The page.", "content": {"text/html": {"schema": STRING}}}}
    if who != ANYONE:
        responses["302"] = {"description": "Not signed in: to the login page."}
    if who == ADMIN:
        responses["403"] = {"description": "Administrators only.", "content": {"text/html": {"schema": STRING}}}
    if "{" in path:
        responses["404"] = {"description": "No such page.", "content": {"text/html": {"schema": STRING}}}
    operation = {"summary": summary, "tags": ["pages"], "responses": responses,
                 "security": [] if who == ANYONE else [{"session": []}]}
    parameters = _parameters(path, {})
    if parameters:
        operation["parameters"] = parameters
    return operation


@cache
def openapi_document():
    """The whole description, built once per process."""
    paths = {}
    for method, path, who, summary, body, query, answers in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, path, who, summary, body, query, answers)
    for method, path, who, summary in PAGES:
        paths.setdefault(path, {})[method] = _page(who, summary, path)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Reservia", "version": __version__,
                 "description": "First-come reservations of shared resources. Send JSON bodies with "
                                "Content-Type: application/json; authenticate with an API token "
                                "(Authorization: Bearer) or the session cookie of POST /session/login. "
                                "Errors are {\"error\", \"code\"}; a wrong method is 405 with an Allow header. "
                                "See docs/API.md."},
        "servers": [{"url": "/", "description": "Reservia's mount point, such as https://host/reservia"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A personal API token from the API tokens page or POST /session/tokens."},
                "session": {"type": "apiKey", "in": "cookie", "name": "reservia_session"},
            },
        },
    }
