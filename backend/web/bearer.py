"""API tokens on requests: `Authorization: Bearer <token>` signs a script in as the token's user.

A token only ever authenticates JSON: a request that carries one always gets JSON
(`wants_json`), a page refuses it with 403 TOKEN_NOT_FOR_PAGES before anything else, and a
browser form post ignores it, so tokens add nothing a cross-site form could use, and the CSRF
rules for forms stay as they were. A request that uses a token is signed in by it alone (a
session cookie sent with it is ignored) and never gets a session cookie back. A token that is
unknown, expired, revoked, or whose user was deactivated, is refused with 401 before the view runs.
A token of the `metrics` scope opens /metrics and nothing else: 403 TOKEN_SCOPE everywhere else.
"""
from flask import g, request

from backend.database import get_database
from backend.errors import Forbidden, NotAuthenticated
from backend.forms.binding import is_form_post
from backend.models.api_token import METRICS
from backend.web.pages import is_page_request

# The one endpoint a metrics token may call.
METRICS_ENDPOINT = "info.metrics"

# Keys in flask.g: whether this request authenticates by token, and who it signs in.
_USES_TOKEN = "reservia_uses_token"
_BEARER = "reservia_bearer"


def bearer_secret():
    """The token of an `Authorization: Bearer` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate_bearer():
    """Before the view: sign in the token's user, or refuse a token that signs in nobody."""
    secret = bearer_secret()
    if secret is None:
        return
    if is_page_request():
        raise Forbidden("An API token never opens a page: pages are for people signed in with a browser; "
                        "scripts use the JSON API.", "TOKEN_NOT_FOR_PAGES")
    if is_form_post():
        return
    setattr(g, _USES_TOKEN, True)
    found = get_database().tokens.user_for(secret)
    if found is None:
        raise NotAuthenticated("The API token is unknown, expired or revoked.", "INVALID_TOKEN")
    if found.scope == METRICS and request.endpoint != METRICS_ENDPOINT:
        raise Forbidden("This token can only scrape /metrics.", "TOKEN_SCOPE")
    setattr(g, _BEARER, found)


def uses_token():
    """Whether this request authenticates with an API token (and so with nothing else)."""
    return g.get(_USES_TOKEN, False)


def bearer_user():
    """The user the request's token signs in, or None."""
    found = g.get(_BEARER)
    return found.user if found is not None else None


def bearer_scope():
    """The scope of the request's token, or None without one."""
    found = g.get(_BEARER)
    return found.scope if found is not None else None


def bearer_token_id():
    found = g.get(_BEARER)
    return found.token_id if found is not None else None
