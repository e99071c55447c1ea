"""The session cookie: scoped to the mount point, Secure whenever the request came over HTTPS, and
checked once per process rather than per request."""
import threading
import time

from flask import request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from backend.web.bearer import uses_token

# Cookies remembered per process; beyond this the memory is emptied and refilled.
MAX_REMEMBERED = 10_000


class MountPointSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie path taken from the request's SCRIPT_NAME.

    Checking the signature and decoding the cookie was a sixth of the work of a cached
    GET /reservation/active. A script sends the same cookie on every call, so each valid cookie
    is checked once and its contents kept, by its exact signed text, until it would expire. Who
    the cookie names is still checked against the database on every request (see users.py).
    """

    def __init__(self):
        self._checked = {}
        self._lock = threading.Lock()
        self._serializer = (None, None)

    def get_signing_serializer(self, app):
        """Flask builds the serializer anew on every request (and test-serialises with it): once is enough."""
        key, serializer = self._serializer
        if key != app.secret_key:
            serializer = super().get_signing_serializer(app)
            self._serializer = (app.secret_key, serializer)
        return serializer

    def save_session(self, app, session, response):
        """A request signed in by an API token gets no cookie: scripts with tokens keep no jar."""
        if uses_token():
            return
        super().save_session(app, session, response)

    def get_cookie_path(self, app):
        return app.config["SESSION_COOKIE_PATH"] or request.script_root or "/"

    def get_cookie_secure(self, app):
        """Secure when the setting says so, and also whenever this request arrived over HTTPS (as
        the proxy in front reports it, when RESERVIA_PROXIES trusts one): a cookie given over
        HTTPS must never travel back over plain HTTP."""
        return app.config["SESSION_COOKIE_SECURE"] or request.is_secure

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        found = self._checked.get(value)
        if found is not None and time.time() < found[1]:
            return self.session_class(found[0])
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        # Only flat contents are shared between requests: a list (flashed messages) is changed in place.
        if all(isinstance(v, (str, int, float, bool)) for v in data.values()):
            with self._lock:
                if len(self._checked) >= MAX_REMEMBERED:
                    self._checked = {}
                self._checked[value] = (data, signed_at.timestamp() + max_age)
        return self.session_class(data)
