"""What Reservia's JSON API promises: each operation's path, who may call it, its request body
(the form that validates it, described by openapi_forms.py) and the answers it gives.

Written out here rather than derived from the views: what a client may rely on is a promise,
and tests/test_openapi.py holds the promise to the application (every route described, every
documented status one the route answers, and the answers it gives documented).
"""
from typing import NamedTuple

from backend.database.audit import ACTIONS, OBJECT_TYPES, VIAS
from backend.domain.labels import LABEL_PATTERN, MAX_LABELS
from backend.forms.admin_resources import (
    ForceReleaseForm,
    RemoveRequestForm,
    ResourceDeleteForm,
    ResourceForm,
    ResourceModifyForm,
)
from backend.forms.admin_users import UserDeleteForm, UserForm, UserModifyForm, UserUnlockForm
from backend.forms.bookings import BookForm, BookingCancelForm, BookingIdForm
from backend.forms.groups import GroupForm, GroupIdForm, GroupMembersForm, GroupModifyForm, RuleForm, RuleIdForm
from backend.forms.health_checks import HealthCheckForm, HealthCheckRemoveForm
from backend.forms.notifications import PreferencesForm, WebhookForm, WebhookIdForm
from backend.forms.numbers import MAX_ID
from backend.forms.reservation import KeepAliveForm, RequestActionForm, RequestForm
from backend.forms.session import LoginForm, PasswordChangeForm
from backend.forms.tokens import TokenForm, TokenRevokeForm
from backend.models.notifications import EVENTS
from backend.models.states import BOOKING_STATUSES

ANYONE, LOGIN, ADMIN = "anyone", "login", "admin"


class Operation(NamedTuple):
    """One operation: who may call it, the form its body is checked by (or None), its query
    parameters, and {status: answer schema}; error statuses answer the Error schema."""

    method: str
    path: str
    who: str
    summary: str
    body: type | None
    query: dict
    answers: dict


class Answer(NamedTuple):
    """An answer that carries headers besides its JSON body."""

    schema: dict
    headers: dict


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required=(), **properties):
    return {"type": "object", "required": list(required), "properties": properties}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE = {"type": ["string", "null"], "format": "date-time"}
# How a user signs in, and the groups the intranet sign-in reported for them (docs/sign-in.md).
AUTH = {"enum": ["local", "remote_user", "ldap"]}
GROUPS = {"type": "array", "items": {"type": "string"}}
OPTIONAL_ID = {"type": ["integer", "null"]}
LABELS = {"type": "array", "items": {"type": "string", "pattern": LABEL_PATTERN}, "maxItems": MAX_LABELS}
MESSAGE = {"message": STRING}
# full: whatever the token's user may do; metrics: scrape /metrics, nothing else.
SCOPE = {"enum": ["full", "metrics"]}
RETRY_AFTER = {"description": "Seconds to wait before asking again.", "schema": {"type": "integer", "minimum": 1}}
NOTICES_ETAG = {"description": "Names the events this answer covers; sent back in If-None-Match, the feed "
                               "answers 304 while none arrived for you.", "schema": STRING}

REPORT_QUERY = {"from": STRING, "to": STRING, "resource_id": ID, "label": STRING,
                "group_by": {"enum": ["day", "week", "month"]}}
SECONDS = {"type": "number"}
OPTIONAL_SECONDS = {"type": ["number", "null"]}

SCHEMAS = {
    "UtilizationRow": _object(
        ("resource_id", "resource_name", "period", "held_seconds", "booked_seconds", "maintenance_seconds",
         "utilization", "requests", "median_wait_seconds", "p90_wait_seconds", "no_shows"),
        resource_id=ID, resource_name=STRING, period=STRING, held_seconds=SECONDS, booked_seconds=SECONDS,
        maintenance_seconds=SECONDS, utilization={"type": "number", "minimum": 0, "maximum": 1},
        requests=INTEGER, median_wait_seconds=OPTIONAL_SECONDS, p90_wait_seconds=OPTIONAL_SECONDS,
        no_shows=INTEGER),
    "Reservation": _object(
        ("id", "request_id", "user_id", "user_name", "resource_id", "resource_name", "status", "position",
         "request_date", "approved_date", "end_date", "valid_until_date", "end_reason"),
        id=ID, request_id=ID, user_id=ID, user_name=STRING, resource_id=OPTIONAL_ID,
        resource_name={"type": ["string", "null"]},
        status={"enum": ["requested", "approved", "kept", "released", "cancelled", "expired"]},
        position={"type": ["integer", "null"]}, request_date=DATE, approved_date=DATE, end_date=DATE,
        valid_until_date=DATE, end_reason={"type": ["string", "null"]}, labels=LABELS, count=INTEGER,
        collected=INTEGER, lease_seconds=INTEGER, lease_until_date=DATE, hold_minutes=OPTIONAL_ID,
        note={"type": ["string", "null"]}, booking_id=OPTIONAL_ID),
    "Reservations": _object(("reservations", "count"), reservations={"type": "array", "items": _ref("Reservation")},
                            count=INTEGER),
    "Resource": _object(("id", "name", "comment", "active", "maintenance", "labels"), id=ID, name=STRING,
                        comment=STRING, active=BOOLEAN, maintenance=BOOLEAN, labels=LABELS,
                        max_hold_minutes=OPTIONAL_ID, max_booking_minutes=OPTIONAL_ID, book_ahead_days=OPTIONAL_ID,
                        booking_buffer_minutes=INTEGER, checkin_minutes=OPTIONAL_ID,
                        next_booking={"type": ["object", "null"]}, maintenance_reason={"type": ["string", "null"]},
                        health_check={"type": ["object", "null"]},
                        health=_object(("status", "last_checked", "last_error"),
                                       status={"enum": ["ok", "failing", "unknown"]}, last_checked=DATE,
                                       last_error={"type": ["string", "null"]})),
    "User": _object(("id", "name", "email", "role", "active", "auth", "groups"), id=ID, name=STRING,
                    email={"type": ["string", "null"]}, role={"enum": ["user", "admin"]}, active=BOOLEAN,
                    auth=AUTH, groups=GROUPS),
    "AuditEntry": _object(
        ("id", "at", "actor_id", "actor_name", "via", "source_address", "action", "object_type", "object_id",
         "object_name", "changes", "reason"), id=ID, at=DATE, actor_id=OPTIONAL_ID, actor_name=STRING,
        via={"enum": list(VIAS)}, source_address={"type": ["string", "null"]}, action={"enum": sorted(ACTIONS)},
        object_type={"enum": list(OBJECT_TYPES)}, object_id=OPTIONAL_ID, object_name={"type": ["string", "null"]},
        changes={"type": "object", "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2}},
        reason={"type": ["string", "null"]}),
    "Token": _object(("token_id", "name", "user_id", "user_name", "created_date", "last_used_date", "expires_date",
                      "expired"), token_id=ID, name=STRING, user_id=ID, user_name=STRING, created_date=DATE,
                     last_used_date=DATE, expires_date=DATE, expired=BOOLEAN, scope=SCOPE),
    "Booking": _object(
        ("booking_id", "series_id", "resource_id", "resource_name", "user_id", "user_name", "start", "end", "note",
         "status", "maintenance"), booking_id=ID, series_id=ID, resource_id=ID, resource_name=STRING, user_id=ID,
        user_name=STRING, start=DATE, end=DATE, note={"type": ["string", "null"]},
        status={"enum": list(BOOKING_STATUSES)}, maintenance=BOOLEAN),
    "RequestStatus": _object(
        ("request_id", "status", "state", "position", "resource_ids", "valid_until_date"),
        request_id=ID, status={"enum": ["requested", "approved", "ended"]},
        state={"enum": ["requested", "approved", "released", "cancelled", "expired"]},
        position={"type": ["integer", "null"]}, resource_ids={"type": "array", "items": ID},
        valid_until_date=DATE, lease_until_date=DATE, end_reason=STRING, booking_id=OPTIONAL_ID),
}

EVENT_NAMES = {"type": "array", "items": {"enum": list(EVENTS)}}
WEBHOOK = _object(("id", "url", "events", "format", "created_date", "last_delivery", "disabled_reason"), id=ID,
                  url=STRING, events=EVENT_NAMES, format={"enum": ["json", "slack"]}, created_date=DATE,
                  last_delivery={"type": ["object", "null"]}, disabled_reason={"type": ["string", "null"]})
BOUNDED = _object(("booking_id", "start"), booking_id=ID, start=DATE)
REQUEST_ANSWER = _object(("message", "status", "request_id", "position", "valid_until_date"),
                         message=STRING, status={"enum": ["approved", "requested"]}, request_id=ID,
                         reservation_id=ID, resource_id=ID, resource_ids={"type": "array", "items": ID},
                         position=INTEGER, labels=LABELS, count=INTEGER, valid_until_date=DATE,
                         lease_seconds=INTEGER, lease_until_date=DATE, bounded_by_booking=BOUNDED)
WINDOW = {"start": DATE, "end": DATE}
BOOK_ANSWER = _object(("message", "series_id"), message=STRING, booking_id=ID, series_id=ID,
                      status={"enum": ["booked"]}, resource_ids={"type": "array", "items": ID}, **WINDOW,
                      bookings={"type": "array", "items": _object(("booking_id", "start", "end", "resource_ids"),
                                                                  booking_id=ID, resource_ids={"type": "array",
                                                                                               "items": ID},
                                                                  **WINDOW)},
                      skipped={"type": "array", "items": _object(("start", "end", "conflicts"),
                                                                 conflicts={"type": "array"}, **WINDOW)})
ACTION_ANSWER = _object(("message", "reservation_id", "resource_id"), message=STRING, request_id=ID,
                        reservation_id=ID, resource_id=OPTIONAL_ID, resource_ids={"type": "array", "items": ID},
                        cancelled_date=DATE, released_date=DATE, valid_until_date=DATE,
                        next_reservation_id=OPTIONAL_ID, lease_seconds=INTEGER, lease_until_date=DATE,
                        bounded_by_booking=BOUNDED)

OPTIONAL_INT = {"type": ["integer", "null"]}
RULE = _object(("rule_id", "group_id", "resource_id", "label", "max_hold_minutes", "max_open_requests",
                "max_booked_hours_per_week", "priority"), rule_id=ID, group_id=OPTIONAL_ID, resource_id=OPTIONAL_ID,
               label={"type": ["string", "null"]}, max_hold_minutes=OPTIONAL_INT, max_open_requests=OPTIONAL_INT,
               max_booked_hours_per_week=OPTIONAL_INT, priority=OPTIONAL_INT)
GROUP = _object(("group_id", "name", "description", "members", "rules"), group_id=ID, name=STRING,
                description=STRING, members={"type": "array", "items": ID}, rules={"type": "array", "items": RULE})
GROUP_ANSWER = _object(("message", "group_id"), group_id=ID, **MESSAGE)
LIMIT = _object(("resource_id", "label", "max_hold_minutes", "max_open_requests", "max_booked_hours_per_week",
                 "priority", "used_open_requests", "used_booked_hours_this_week"), resource_id=OPTIONAL_ID,
                label={"type": ["string", "null"]}, max_hold_minutes=OPTIONAL_INT, max_open_requests=OPTIONAL_INT,
                max_booked_hours_per_week=OPTIONAL_INT, priority=INTEGER, used_open_requests=INTEGER,
                used_booked_hours_this_week={"type": "number"})
# The audit log's filters: `actor` a user name, `from` and `to` a date or an instant (a date as `to`
# runs through the end of that day).
AUDIT_QUERY = {"actor": STRING, "action": {"enum": sorted(ACTIONS)}, "object_type": {"enum": list(OBJECT_TYPES)},
               "object_id": ID, "from": STRING, "to": STRING}

# (method, path, who may call it, summary, the form that checks the body or None, query
# parameters, {status: answer}), read as Operation.
_TABLE = [
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
    ("post", "/session/login", ANYONE, "Log in; sets the session cookie.", LoginForm, {},
     {200: _object(("message", "user_name", "user_id", "role"), message=STRING, user_name=STRING, user_id=ID,
                   role=STRING, password_change_required=BOOLEAN), 400: None, 403: None, 429: None,
      503: None}),
    ("post", "/session/logout", ANYONE, "End the session on the server (an API token is revoked instead).",
     None, {}, {200: _object(("message",), note=STRING, sso_logout_url={"type": ["string", "null"]}, **MESSAGE),
                400: None}),
    ("get", "/session/status", ANYONE, "Who is signed in.", None, {},
     {200: _object(("logged_in",), logged_in=BOOLEAN, user_id=ID, user_name=STRING,
                   user_email={"type": ["string", "null"]}, role=STRING, auth=AUTH, groups=GROUPS)}),
    ("post", "/session/password", LOGIN, "Change one's own password; other sessions are logged out, tokens stay.",
     PasswordChangeForm, {},
     {200: _object(("message",), **MESSAGE), 400: None, 409: None}),
    ("get", "/session/tokens", LOGIN, "One's API tokens; an administrator's choice of user, or everyone's.",
     None, {"user_id": ID, "all": BOOLEAN},
     {200: _object(("tokens", "count"), tokens={"type": "array", "items": _ref("Token")}, count=INTEGER),
      400: None, 403: None}),
    ("post", "/session/tokens", LOGIN, "Make an API token; its secret is in this answer only.",
     TokenForm, {},
     {201: _object(("message", "token", "token_id", "name", "created_date", "expires_date"), token=STRING,
                   token_id=ID, name=STRING, scope=SCOPE, created_date=DATE, expires_date=DATE, **MESSAGE),
      400: None, 403: None}),
    ("post", "/session/tokens/revoke", LOGIN, "Revoke a token: one's own, or anyone's for an administrator.",
     TokenRevokeForm, {}, {200: _object(("message", "token_id"), token_id=ID, **MESSAGE),
                                                400: None, 404: None}),
    ("post", "/admin/user/add", ADMIN, "Add a user.", UserForm, {},
     {201: _object(("message", "user_id"), user_id=ID, **MESSAGE), 400: None, 409: None}),
    ("post", "/admin/resource/add", ADMIN, "Add a resource; `allowed_groups` keeps it for those groups.",
     ResourceForm, {},
     {201: _object(("message", "resource_id"), resource_id=ID, **MESSAGE), 400: None, 404: None, 409: None}),
    ("post", "/admin/user/modify", ADMIN, "Change a user; only the fields sent change.",
     UserModifyForm, {},
     {200: _object(("message", "user_id"), user_id=ID, **MESSAGE), 400: None, 404: None, 409: None}),
    ("post", "/admin/user/delete", ADMIN, "Delete a user, or deactivate one with history.",
     UserDeleteForm, {},
     {200: _object(("message", "user_id", "deactivated"), user_id=ID, deactivated=BOOLEAN, **MESSAGE),
      400: None, 404: None, 409: None}),
    ("post", "/admin/user/unlock", ADMIN, "Clear a user's login lock: their failed logins, from everywhere, "
     "count for nothing any more.", UserUnlockForm, {},
     {200: _object(("message", "user_id"), user_id=ID, **MESSAGE), 400: None, 404: None}),
    ("post", "/admin/resource/modify", ADMIN, "Change a resource; only the fields sent change.",
     ResourceModifyForm, {},
     {200: _object(("message", "resource_id"), resource_id=ID, **MESSAGE), 400: None, 404: None, 409: None}),
    ("post", "/admin/resource/delete", ADMIN, "Delete a resource, or deactivate one with history.",
     ResourceDeleteForm, {},
     {200: _object(("message", "resource_id", "deactivated"), resource_id=ID, deactivated=BOOLEAN, **MESSAGE),
      400: None, 404: None, 409: None}),
    ("post", "/admin/reservation/force_release", ADMIN, "End someone's hold; whoever is next is approved.",
     ForceReleaseForm, {}, {200: ACTION_ANSWER, 400: None, 404: None}),
    ("post", "/admin/reservation/remove", ADMIN, "Take a queued request out of line.",
     RemoveRequestForm, {},
     {200: ACTION_ANSWER, 400: None, 404: None, 409: None}),
    ("get", "/admin/statistics", ADMIN, "Per-resource usage over a period (JSON, or a page for browsers).",
     None, {"since": STRING, "until": STRING},
     {200: _object(("since", "until", "resources"), since=DATE, until=DATE,
                   resources={"type": "array", "items": {"type": "object"}}), 400: None}),
    ("get", "/admin/audit", ADMIN, "The audit log, newest first, 50 entries a page (JSON; a page for browsers).",
     None, AUDIT_QUERY | {"page": ID},
     {200: _object(("entries", "count", "page", "pages"), entries={"type": "array", "items": _ref("AuditEntry")},
                   count=INTEGER, page=INTEGER, pages=INTEGER), 400: None}),
    ("get", "/admin/audit.csv", ADMIN, "The matching audit entries as CSV, newest first, every one.", None,
     AUDIT_QUERY, {200: "text/csv", 400: None}),
    ("post", "/reservation/request", LOGIN, "Ask for a resource by id, or `count` resources carrying `labels`; "
                                            "with `lease_seconds` it must be kept alive that often.",
     RequestForm, {}, {201: REQUEST_ANSWER, 400: None, 403: None, 404: None, 409: None}),
    ("post", "/reservation/cancel", LOGIN, "Leave the queue.", RequestActionForm, {},
     {200: ACTION_ANSWER, 400: None, 404: None, 409: None}),
    ("post", "/reservation/release", LOGIN, "Give a hold back; whoever is next is approved.", RequestActionForm,
     {}, {200: ACTION_ANSWER, 400: None, 404: None, 409: None}),
    ("post", "/reservation/keep_alive", LOGIN, "Push back a hold's or queued request's deadline and lease "
                                               "(409 BOOKED_NEXT: the hold already ends at the next booking).",
     KeepAliveForm, {}, {200: ACTION_ANSWER, 400: None, 404: None, 409: None}),
    ("get", "/reservation/wait", LOGIN, "Where a request stands, answered once it is approved or ended, or after "
                                        "`timeout` seconds (at most 30). A `Retry-After` header says when to ask "
                                        "again when the server did not hold the request open: 1 s for the request "
                                        "next in line, its position in seconds further back (at most 10).",
     None, {"request_id": ID, "timeout": {"type": "integer", "minimum": 0}},
     {200: Answer(_ref("RequestStatus"), {"Retry-After": RETRY_AFTER}), 400: None, 404: None}),
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
                   events=EVENT_NAMES, email_configured=BOOLEAN, booking_reminder_minutes=INTEGER)}),
    ("post", "/session/notifications", LOGIN, "Change the preferences named; the others stay.",
     PreferencesForm, {},
     {200: _object(("message", "preferences"), preferences={"type": "object"}, **MESSAGE), 400: None,
      403: None}),
    ("get", "/session/notifications/feed", LOGIN, "Events for this browser since `since` (the `now` of the "
                                                  "previous answer); 304 while none arrived since the answer "
                                                  "whose ETag If-None-Match names.", None, {"since": STRING},
     {200: Answer(_object(("notifications", "now"), notifications={"type": "array", "items": {"type": "object"}},
                          now=DATE), {"ETag": NOTICES_ETAG}),
      304: Answer(None, {"ETag": NOTICES_ETAG}), 400: None}),
    ("get", "/session/webhooks", LOGIN, "One's webhooks (never their secrets).", None, {},
     {200: _object(("webhooks", "count"), webhooks={"type": "array", "items": WEBHOOK}, count=INTEGER)}),
    ("post", "/session/webhooks", LOGIN, "Add a webhook: deliveries are signed with its secret "
                                         "(generated and shown once when none is given).",
     WebhookForm, {}, {201: _object(("message", "webhook_id"), webhook_id=ID, secret=STRING, **MESSAGE), 400: None,
          403: None, 409: None}),
    ("post", "/session/webhooks/remove", LOGIN, "Remove a webhook.", WebhookIdForm, {},
     {200: _object(("message", "webhook_id"), webhook_id=ID, **MESSAGE), 400: None, 404: None}),
    ("post", "/session/webhooks/test", LOGIN, "Queue a test delivery.", WebhookIdForm, {},
     {202: _object(("message", "webhook_id", "event_id"), webhook_id=ID, event_id=STRING, **MESSAGE),
      400: None, 404: None, 409: None, 429: None}),
    ("get", "/session/webhooks/deliveries", LOGIN, "A webhook's last deliveries, newest first.", None,
     {"webhook_id": ID},
     {200: _object(("webhook_id", "deliveries", "count"), webhook_id=ID,
                   deliveries={"type": "array", "items": {"type": "object"}}, count=INTEGER),
      400: None, 404: None}),
    ("post", "/reservation/book", LOGIN, "Book a resource, or `count` carrying `labels`, for [start, end); with "
                                         "`repeat`, every day, weekday or week until a date.",
     BookForm, {}, {201: BOOK_ANSWER, 400: None, 403: None, 404: None, 409: None}),
    ("get", "/reservation/bookings", LOGIN, "The shared calendar: everyone's bookings, in start order.", None,
     {"resource_id": ID, "user_id": ID, "from": STRING, "to": STRING, "status": {"enum": list(BOOKING_STATUSES)}},
     {200: _object(("bookings", "count"), bookings={"type": "array", "items": _ref("Booking")}, count=INTEGER),
      400: None}),
    ("post", "/reservation/booking/cancel", LOGIN, "Cancel a booking, or a series from a moment on (an active "
                                                   "booking ends, released early).", BookingCancelForm, {},
     {200: _object(("message", "cancelled"), cancelled={"type": "array", "items": ID}, **MESSAGE), 400: None,
      403: None, 404: None, 409: None}),
    ("post", "/reservation/booking/checkin", LOGIN, "Check in to a booking that began: it is not a no-show.",
     BookingIdForm, {}, {200: _object(("message", "booking_id", "valid_until_date"), booking_id=ID,
                                      valid_until_date=DATE, **MESSAGE), 400: None, 404: None, 409: None}),
    ("get", "/calendar/resource/{resource_id}.ics", ANYONE, "A resource's bookings as an iCalendar feed; `key` is "
                                                             "a user's calendar key.", None, {"key": STRING},
     {200: "text/calendar", 404: None}),
    ("get", "/calendar/mine.ics", ANYONE, "The key's owner's bookings as an iCalendar feed.", None, {"key": STRING},
     {200: "text/calendar", 404: None}),
    ("post", "/session/calendar_key", LOGIN, "A new calendar key; feeds with the old one answer 404.", None, {},
     {200: _object(("message", "calendar_key"), calendar_key=STRING, **MESSAGE)}),
    ("get", "/openapi.json", ANYONE, "This description.", None, {}, {200: {"type": "object"}}),
    ("get", "/session/limits", LOGIN, "What the group rules let one do, per scope, and what one uses of it.",
     None, {}, {200: _object(("limits",), limits={"type": "array", "items": LIMIT})}),
    ("get", "/admin/groups", ADMIN, "Every group with its members and rules (JSON, or a page for browsers).",
     None, {}, {200: _object(("groups", "count"), groups={"type": "array", "items": GROUP}, count=INTEGER)}),
    ("post", "/admin/group/add", ADMIN, "Make a group (the intranet sign-in's group of that name is this one).",
     GroupForm, {}, {201: GROUP_ANSWER, 400: None, 409: None}),
    ("post", "/admin/group/modify", ADMIN, "Rename a group or change its description.", GroupModifyForm, {},
     {200: GROUP_ANSWER, 400: None, 404: None, 409: None}),
    ("post", "/admin/group/delete", ADMIN, "Delete a group, its memberships and its rules.", GroupIdForm, {},
     {200: GROUP_ANSWER, 400: None, 404: None}),
    ("post", "/admin/group/members", ADMIN, "Add and remove members by user id.", GroupMembersForm, {},
     {200: _object(("message", "group_id", "members"), group_id=ID, members={"type": "array", "items": ID},
                   **MESSAGE), 400: None, 404: None}),
    ("get", "/admin/rules", ADMIN, "Every rule (JSON, or a page for browsers).", None, {},
     {200: _object(("rules", "count"), rules={"type": "array", "items": RULE}, count=INTEGER)}),
    ("post", "/admin/rule/add", ADMIN, "Add a rule: limits and a priority for a group (null: everyone), on all "
                                       "resources, one resource or one label.", RuleForm, {},
     {201: _object(("message", "rule_id"), rule_id=ID, **MESSAGE), 400: None, 404: None}),
    ("post", "/admin/rule/delete", ADMIN, "Delete a rule.", RuleIdForm, {},
     {200: _object(("message", "rule_id"), rule_id=ID, **MESSAGE), 400: None, 404: None}),
    ("post", "/admin/resource/health_check", ADMIN, "Give a resource a health check (replacing its own); the "
                                                   "delivery worker runs it.", HealthCheckForm, {},
     {200: _object(("message", "resource_id", "health_check"), resource_id=ID, health_check={"type": "object"},
                   **MESSAGE), 400: None, 404: None}),
    ("post", "/admin/resource/health_check/remove", ADMIN, "Remove a resource's health check.",
     HealthCheckRemoveForm, {}, {200: _object(("message", "resource_id"), resource_id=ID, **MESSAGE), 400: None,
                                 404: None}),
    ("get", "/reports/utilization", LOGIN, "Utilization per resource and period, from the history.", None,
     REPORT_QUERY, {200: _object(("from", "to", "rows"), rows={"type": "array", "items": _ref("UtilizationRow")},
                                 **{"from": DATE, "to": DATE}), 400: None}),
    ("get", "/reports/utilization.csv", LOGIN, "The same rows as CSV, the JSON keys as its header.", None,
     REPORT_QUERY, {200: "text/csv", 400: None}),
    ("get", "/metrics", ANYONE, "Prometheus metrics (text format), for RESERVIA_METRICS_NETWORKS, metrics "
                                "tokens and administrators (docs/observability.md).", None, {},
     {200: "text/plain", 403: None}),
]
OPERATIONS = [Operation(*row) for row in _TABLE]
