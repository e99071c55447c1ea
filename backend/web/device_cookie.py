"""The device cookie: a browser that has signed in as a user carries a signed, long-lived note of
it, so that failed logins from elsewhere do not lock that browser out (OWASP's "device cookies").

It names the user by id, the browser by a random id, and the password by a stamp
(users.password_stamp), so a new password ends it, as it ends that user's sessions. Signed with
the application's secret key (itsdangerous), HttpOnly, SameSite=Lax, Secure whenever the request
came over HTTPS, scoped to the mount point like the session cookie.
"""
import secrets

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.database.login_limits import Device
from backend.database.users import password_stamp

COOKIE = "reservia_device"
DAYS = 180
_SALT = "reservia-device-cookie"


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def presented_device():
    """The Device this request's cookie vouches for, or None (no cookie, a forged or expired one)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=DAYS * 24 * 3600)
    except BadSignature:
        return None
    if not (isinstance(data, dict) and isinstance(data.get("u"), int) and isinstance(data.get("s"), str)
            and isinstance(data.get("d"), str)):
        return None
    return Device(user_id=data["u"], stamp=data["s"], device_id=data["d"])


def remember_device(user, device=None):
    """Give the browser (again) a device cookie for `user`, as it stands after this request:
    the same browser id when its cookie already named this user."""
    device_id = device.device_id if device is not None and device.user_id == user.id else secrets.token_urlsafe(12)
    value = _serializer().dumps({"u": user.id, "s": password_stamp(user.password_hash), "d": device_id})

    @after_this_request
    def set_cookie(response):
        response.set_cookie(COOKIE, value, max_age=DAYS * 24 * 3600, path=request.script_root or "/",
                            secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure,
                            httponly=True, samesite="Lax")
        return response
