"""The session cookie follows the mount point, so Reservia under /reservia never sees other sites' paths."""
from flask import request
from flask.sessions import SecureCookieSessionInterface


class MountPointSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie path taken from the request's SCRIPT_NAME."""

    def get_cookie_path(self, app):
        return app.config["SESSION_COOKIE_PATH"] or request.script_root or "/"
