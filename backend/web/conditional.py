"""Answers that a refreshing script already holds: `304 Not Modified`, without building them
again, while nothing they show has changed: the board the dashboard fetches (pages, below) and the
notices feed every page asks (its validator is known without building it: notices.py).

The validator (a weak ETag) is a digest of the page as rendered, less the request's CSRF token
(each process signs its own: csrf_tokens.py), or of the digests of its parts for a page made of
parts (a board of a reader on some card), keyed with the session's own CSRF secret: every
process that renders the same page for the same session finds the same validator, so a browser
served by several processes keeps its 304s, and a page from an earlier session (whose forms would be
refused) never validates. The validator is kept in the read cache under the commit count (SQLite)
or data version (PostgreSQL, read_cache.py) and until the first deadline of what the page shows:
an unchanged refresh then reads the validator and renders nothing.

A page that is the same for many readers but for the CSRF token (the board of everyone who holds
and waits for nothing) is rendered once per change and kept cut at the token, with the digest of
what is around it: each reader's page is the pieces joined with their own token, and their
validator the digest keyed with their secret (the same validator as of the page rendered for them).
"""
import hashlib

from flask import current_app, g, make_response, request, session
from flask_wtf.csrf import generate_csrf
from werkzeug.http import parse_etags

from backend.database import get_database
from backend.web.csrf_tokens import CSRF_FIELD


def page_unless_unchanged(key, render, until, also=None, shared=None, answer=None):
    """The page `render()` makes, or 304 if the request's If-None-Match names it.

    `key` says what the page shows besides the data (its query, its reader); `until()` is the
    first moment it changes without a commit (None: only a commit changes it). `also` is the
    validator of something else the answer tells the page's script (the reader's notices): the
    ETag names both, so a 304 says that neither changed. `shared`, if given, says everything the
    page depends on when it is the same for every reader with that key but for the CSRF token:
    it is then rendered once per change and kept for them all (SharedPage). `render()` returns the
    page's text, or a page made of parts (its `digest` less the token, its `body(token)`: a
    CutBoard); `answer(page, token)` makes the reader's answer from such a page or a SharedPage
    (by default its body with their token).
    """
    validator, body = (_shared(shared, render, until, answer) if shared is not None
                       else _own(key, render, until, answer))
    if also is not None:
        validator = f"{validator}.{also}"
    return answer_unless_unchanged(validator, body)


def _own(key, render, until, answer=None):
    """(the reader's validator of their own page, its body when asked): the validator is kept,
    the page rendered only when the validator is not (or when it is sent)."""
    rendered = {}

    def build():
        page = rendered["page"] = render()
        if isinstance(page, str):
            # Encoded here once, for the digest and as the answer's body (Flask would encode it again).
            page = rendered["page"] = page.encode()
            return _validator(page), until()
        return _keyed(page.digest), until()

    def body():
        page = rendered["page"] if "page" in rendered else render()
        if isinstance(page, str | bytes):
            return page
        return answer(page, generate_csrf()) if answer else page.body(generate_csrf())

    return get_database().transactions.cached(("page validator", _session_secret(), *key), build), body


def _shared(shared, render, until, answer=None):
    """(the reader's validator of the page kept for everyone under `shared`, their answer of it)."""
    page = get_database().transactions.cached(("shared page", *shared), lambda: (SharedPage(render()), until()))
    # Asked before the validator: the session's CSRF secret is made with the first token.
    token = generate_csrf() if page.needs_token else None
    return _keyed(page.digest), (lambda: answer(page, token)) if answer else (lambda: page.body(token))


class SharedPage:
    """A page rendered for one reader, cut where that request's CSRF token stood, and the digest
    of the rest: any reader's page is the pieces joined with their own token."""

    __slots__ = ("pieces", "digest", "needs_token", "derived")

    def __init__(self, text):
        body = text.encode()
        token = g.get(CSRF_FIELD)
        self.pieces = body.split(token.encode()) if token else [body]
        self.needs_token = len(self.pieces) > 1
        self.digest = _digest(b"".join(self.pieces))
        # What the page's callers work out from it once for all its readers, by name.
        self.derived = {}

    def body(self, token):
        return self.text_with(token.encode()) if self.needs_token else self.pieces[0]

    def text_with(self, stand_in):
        """The page's body (bytes) with `stand_in` where the token stood."""
        return stand_in.join(self.pieces)


def answer_unless_unchanged(validator, answer):
    """What `answer()` returns, or 304 if the request's If-None-Match names `validator`; either
    way with `validator` as its weak ETag."""
    if _names(request.headers.get("If-None-Match"), validator):
        response = current_app.response_class(status=304)
    else:
        response = make_response(answer())
    response.set_etag(validator, weak=True)
    return response


def _names(if_none_match, validator):
    """Whether If-None-Match names the validator: the page's script sends back exactly the ETag it
    was given, compared as it is before parsing the header in full (a list, `*`, a strong tag)."""
    if not if_none_match:
        return False
    return if_none_match == f'W/"{validator}"' or parse_etags(if_none_match).contains_weak(validator)


def _session_secret():
    """The session's CSRF secret (Flask-WTF keeps it in the session; "" until a form was shown)."""
    return session.get(CSRF_FIELD, "")


def _validator(body):
    """The validator of a page's UTF-8 body for this session: see _digest and _keyed."""
    token = g.get(CSRF_FIELD)
    if token:
        body = body.replace(token.encode(), b"")
    return _keyed(_digest(body))


def _digest(body):
    """A digest of a page's UTF-8 body, less the request's signed CSRF token (one per request, so
    every form of the page carries the same text; the caller takes it out).
    The token is ASCII: the digest is the same as of the text less the token, encoded."""
    return hashlib.blake2b(body, digest_size=16).digest()


def _keyed(digest):
    """A page's digest keyed with the session's CSRF secret: the session's validator of it."""
    return hashlib.blake2b(digest, digest_size=16, key=_session_secret().encode()[:64]).hexdigest()
