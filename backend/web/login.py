"""Who is signed in: Flask-Login finds the user behind the session cookie's token, or behind an
API token (backend/web/bearer.py), and refuses anonymous callers of protected views with the one
NotAuthenticated error."""
from backend.database import get_database
from backend.errors import NotAuthenticated
from backend.extensions import login_manager
from backend.web.bearer import bearer_user, uses_token


@login_manager.user_loader
def _load_user(token):
    if uses_token():
        return None  # a request with an API token is signed in by the token alone
    return get_database().users.for_session(token)


@login_manager.request_loader
def _load_bearer(_request):
    return bearer_user()


@login_manager.unauthorized_handler
def _unauthorized():
    raise NotAuthenticated("Log in first.", "NOT_AUTHENTICATED")


def init_login(app):
    login_manager.init_app(app)
