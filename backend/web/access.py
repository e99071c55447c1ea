"""Who may call a view, for MethodView.decorators: Flask-Login's own `login_required` for
signed-in users, and `admin_required` for administrators."""
from functools import wraps

from flask_login import current_user, login_required

from backend.errors import Forbidden

__all__ = ["admin_required", "login_required"]


def admin_required(view):
    """Refuse anonymous callers as login_required does (401, or the login page for a browser),
    and signed-in users who are not administrators with 403."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            raise Forbidden("Administrators only.", "ADMIN_REQUIRED")
        return view(*args, **kwargs)

    return wrapper
