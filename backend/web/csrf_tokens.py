"""A session's signed CSRF token, signed once per process rather than on every request.

Flask-WTF signs the session's CSRF secret afresh in every request that shows a form (a timestamp
and an HMAC), and the dashboard's board shows forms on every refresh: signing was a twentieth of
what a refresh cost. Any token signed for the session's secret is good for the whole session
(WTF_CSRF_TIME_LIMIT is None), so the first one this process signs for it is kept, by the signing
key and the session's secret, and the session's next requests start with it where Flask-WTF keeps
the request's token (`g`), which Flask-WTF then hands out instead of signing again. A new session
(a login, a logout) has a new secret, and so a new token; so does a new signing key.
"""
from flask import current_app, g, session
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

# Where Flask-WTF keeps the session's secret and, in `g`, the request's signed token
# (WTF_CSRF_FIELD_NAME, which Reservia leaves at its default).
CSRF_FIELD = "csrf_token"
# Sessions remembered per process; beyond this the memory is emptied and refilled.
MAX_REMEMBERED = 10_000
_signed = {}


def _key():
    """(signing key, the session's secret), or None when a kept token must not be reused."""
    secret = session.get(CSRF_FIELD)
    config = current_app.config
    if secret is None or config["WTF_CSRF_TIME_LIMIT"] is not None:
        return None
    return config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, secret


def reuse_signed_token():
    """Before the view: the token this process signed for the session, if it signed one."""
    key = _key()
    token = _signed.get(key) if key is not None else None
    if token is not None:
        setattr(g, CSRF_FIELD, token)


def keep_signed_token():
    """After the view: keep the token Flask-WTF signed in this request for the session's next
    ones, once checked against the session's secret as it is now (a view that signed a token and
    then started a new session has one for the old secret, good for nothing after it)."""
    token = g.get(CSRF_FIELD)
    key = _key() if token is not None else None
    if key is None or key in _signed:
        return
    try:
        validate_csrf(token)
    except ValidationError:
        return
    if len(_signed) >= MAX_REMEMBERED:
        _signed.clear()
    _signed[key] = token
