"""Answering one action two ways: JSON for scripts, flash and redirect for browser forms."""
from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from backend.forms.binding import is_form_post
from backend.web.bearer import bearer_secret
from backend.web.messages import as_html, as_text


def wants_json():
    """Scripts get JSON: JSON posts, requests with an API token, and any request that does not
    prefer HTML over JSON (browsers always ask for text/html; curl's */* and a missing Accept
    mean JSON)."""
    if request.is_json or bearer_secret() is not None:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best != "text/html"


def safe_next(target):
    """The target if it stays on this site (a path, no scheme or host) and can be a Location
    header (no control characters or spaces: a CR LF there would fail the redirect after the
    action was done), else None."""
    if not target or not isinstance(target, str):
        return None
    if any(ord(ch) <= 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def page_to_open(target):
    """The on-site `target` if a browser can open it (a GET there is answered), else None: an
    address that only takes posts would greet the user with "405 Method Not Allowed"."""
    target = safe_next(target)
    if target is None:
        return None
    path = urlsplit(target).path
    root = request.script_root
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root):] or "/"
    try:
        current_app.url_map.bind_to_environ(request.environ).match(path, method="GET")
    except RequestRedirect:
        return target
    except HTTPException:
        return None
    return target


def back_url(default_endpoint="reservation.dashboard"):
    """Where a browser form returns: its `next` field, the page it came from, or the default."""
    for candidate in (request.form.get("next"), _same_site_referrer()):
        target = safe_next(candidate)
        if target:
            return target
    return url_for(default_endpoint)


def _same_site_referrer():
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def respond(payload, status=200, default_endpoint="reservation.dashboard", to=None):
    """JSON for API clients; for a form post, post/redirect/get with the message flashed (to
    `to` when given: the page that shows what was done, else back).

    A page's own script posts the same form asking for JSON, to act in place: it gets the JSON
    and the message as the page would show it ("message_html", times ready to be localised).
    """
    message = payload.get("message", "Done.")
    if is_form_post() and not wants_json():
        flash(as_html(message), "success")
        return redirect(to or back_url(default_endpoint))
    body = {**payload, "message": as_text(message)}
    if is_form_post():
        body["message_html"] = str(as_html(message))
    return jsonify(body), status
