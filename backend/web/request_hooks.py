"""Checks and records around every request: the read cache's commit count, CSRF by content type,
the security headers, the access log."""
import time

from flask import g, redirect, request, url_for
from flask_login import current_user

from backend.database import get_database
from backend.database.audit import use_origin
from backend.errors import Forbidden, UnsupportedMediaType
from backend.extensions import csrf
from backend.forms.binding import is_form_post
from backend.logs import ACCESS, log
from backend.web.bearer import authenticate_bearer, bearer_token_id, uses_token
from backend.web.csrf_tokens import keep_signed_token, reuse_signed_token
from backend.web.headers import add_security_headers
from backend.web.remote_user import sign_in_remote_user
from backend.web.responses import wants_json

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


# Requests that never reach the database: the health check, the API's description, and style
# sheets when Flask serves them.
_NO_DATABASE = {"info.is_alive", "info.openapi", "static"}


def start_request():
    """Everything before the view, in one hook: Flask pays a call per hook on every request."""
    g.started = time.perf_counter()
    reuse_signed_token()
    if request.endpoint not in _NO_DATABASE:
        # The read cache needs the commit count before the request runs its first query.
        get_database().transactions.read_cache.start_request()
        authenticate_bearer()
    # How what this request changes arrived, for the audit log.
    use_origin("token" if uses_token() else "api" if request.is_json else "page", request.remote_addr)
    check_post_origin()
    # After the CSRF check: a sign-in starts a fresh session, without the form's token.
    sign_in_remote_user()
    return require_password_change()


# Where someone who must change their password may still go: the password page, logging in and
# out, asking who is logged in; and what needs no login at all.
_WHILE_PASSWORD_MUST_CHANGE = {"session.password", "session.logout", "session.status", "session.login",
                               "info.is_alive", "static"}


def require_password_change():
    """An administrator still on the old default password does nothing else until it is changed:
    pages lead to the password form, JSON calls are refused with 403 PASSWORD_CHANGE_REQUIRED.
    Whoever is signed in is looked up here rather than in the view: the same one lookup."""
    if request.endpoint in _WHILE_PASSWORD_MUST_CHANGE:
        return None
    who = current_user._get_current_object()
    if not getattr(who, "password_change_required", False):
        return None
    if wants_json():
        raise Forbidden("Your password is the old default one: change it first with POST "
                        f"{url_for('session.password')}.", "PASSWORD_CHANGE_REQUIRED")
    return redirect(url_for("session.password"))


def check_post_origin():
    """Form posts need a valid CSRF token; anything else must be JSON, which no other site can
    send with our SameSite cookie. Text/plain or body-less posts are refused before any view runs."""
    if request.method not in _UNSAFE or request.routing_exception is not None:
        return  # unknown URLs and wrong methods get their 404 / 405 from the router
    if is_form_post():
        csrf.protect()
    elif not request.is_json:
        raise UnsupportedMediaType(
            "Send the body as JSON with the header Content-Type: application/json.",
            "UNSUPPORTED_MEDIA_TYPE")


# Monitors call the health check every few seconds; the web server's own access log has those calls,
# and writing Reservia's line was a third of the cost of answering them.
_NOT_LOGGED = {"info.is_alive"}


def finish_request(response):
    """Everything after the view, in one hook: the security headers, then the access log line."""
    add_security_headers(response, request.endpoint)
    keep_signed_token()
    if request.endpoint in _NOT_LOGGED and response.status_code == 200:
        return response
    # One look through the proxy: each attribute read through current_user costs a lookup.
    who = current_user._get_current_object()
    user = who.name if who is not None and who.is_authenticated else "-"
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    token_id = bearer_token_id()
    if token_id is not None:
        user = f"{user} token_id={token_id}"
    log.info("%s %s %s %s user=%s %.1fms", ACCESS, request.method, request.path,
             response.status_code, user, elapsed)
    return response


def register_request_hooks(app):
    app.before_request(start_request)
    app.after_request(finish_request)
