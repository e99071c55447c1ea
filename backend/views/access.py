"""Who may call a view: decorators for MethodView.decorators."""
from functools import wraps

from flask_login import current_user

from backend.errors import Forbidden, NotAuthenticated


def login_required(view):
    """Refuse anonymous callers with 401 (a browser is sent to the login page instead)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise NotAuthenticated("Log in first.", "NOT_AUTHENTICATED")
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Refuse anonymous callers with 401 and users who are not administrators with 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise NotAuthenticated("Log in first.", "NOT_AUTHENTICATED")
        if not current_user.is_admin:
            raise Forbidden("Administrators only.", "ADMIN_REQUIRED")
        return view(*args, **kwargs)

    return wrapper
