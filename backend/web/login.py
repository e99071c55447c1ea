"""Who is signed in: Flask-Login finds the user behind the session cookie's token, and refuses
anonymous callers of protected views with the one NotAuthenticated error."""
from backend.database import get_database
from backend.errors import NotAuthenticated
from backend.extensions import login_manager


@login_manager.user_loader
def _load_user(token):
    return get_database().users.for_session(token)


@login_manager.unauthorized_handler
def _unauthorized():
    raise NotAuthenticated("Log in first.", "NOT_AUTHENTICATED")


def init_login(app):
    login_manager.init_app(app)
