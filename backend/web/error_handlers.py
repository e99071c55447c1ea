"""The one place where errors become HTTP: JSON {"error", "code"} for scripts, pages and flashes for people."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from backend.errors import NotAuthenticated, ReserviaError
from backend.forms.binding import is_form_post
from backend.logs import log
from backend.web.responses import back_url, wants_json


def _json_error(message, code, status, fields=None, details=None):
    body = {"error": message, "code": code, **(details or {})}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def _error_page(message, status):
    return render_template("errors/error.html", status=status, message=message), status


def _to_login_for_the_interrupted_form():
    """A form posted by someone whose session ended meanwhile (logged out elsewhere): to the login
    page, which says the action was not done, and afterwards back to the page of the form, never
    to the URL it posted to, which only takes posts."""
    return redirect(url_for("session.login", next=back_url(), undone=request.endpoint))


def retry_after_header(error):
    """Retry-After for a refusal that says when to come back (logins held back, a busy database or
    directory), else nothing."""
    seconds = getattr(error, "retry_after", None)
    return {"Retry-After": str(seconds)} if seconds else {}


def handle_domain_error(error):
    if wants_json():
        response, status = _json_error(error.message, error.code, error.status, error.fields, error.details)
        return response, status, retry_after_header(error)
    if isinstance(error, NotAuthenticated):
        if is_form_post():
            return _to_login_for_the_interrupted_form()
        # script_root keeps the mount point (/reservia under Apache) in the way back.
        target = request.script_root + request.full_path.rstrip("?")
        return redirect(url_for("session.login", next=target))
    if is_form_post():
        flash(error.message, "error")
        return redirect(back_url())
    return (*_error_page(error.message, error.status), retry_after_header(error))


def handle_http_error(error):
    if (isinstance(error, CSRFError) and is_form_post() and not wants_json()
            and request.endpoint != "session.login" and not current_user.is_authenticated):
        return _to_login_for_the_interrupted_form()  # logged out in another tab: the token went too
    if isinstance(error, CSRFError):
        message, code = f"The form could not be accepted: {error.description}", "CSRF_FAILED"
        if wants_json():
            message += " JSON clients must send Content-Type: application/json."
    else:
        message, code = error.description, error.name.upper().replace(" ", "_")
    if wants_json():
        response = _json_error(message, code, error.code)[0]
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, error.code
    return _error_page(message, error.code)


def handle_unexpected_error(error):
    """A bug: log it with its traceback, show nothing internal to the caller."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    message = "Something went wrong on the server; the error was logged."
    if wants_json():
        return _json_error(message, "INTERNAL_ERROR", 500)
    return _error_page(message, InternalServerError.code)


def register_error_handlers(app):
    app.register_error_handler(ReserviaError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
