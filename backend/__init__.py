"""Reservia: first-come reservations of shared resources, for browsers, scripts and operators."""
from pathlib import Path

from backend.application import ReserviaFlask
from backend.database import Database
from backend.database.engine import configure_engine
from backend.database.read_cache import ReadCache, commit_counter_for
from backend.error_handlers import register_error_handlers
from backend.extensions import csrf, db, login_manager, migrate
from backend.log_events import STARTUP, log
from backend.logging_setup import configure_logging
from backend.request_hooks import register_request_hooks
from backend.secret_key import load_secret_key
from backend.session_cookie import MountPointSessionInterface
from config import load_settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build a Reservia application; `config` overrides the defaults and the environment."""
    settings = load_settings(config)
    app = ReserviaFlask(__name__, template_folder=str(ROOT / "frontend" / "templates"),
                static_folder=str(ROOT / "frontend" / "static"))
    app.config.update(settings)
    home = Path(settings["RESERVIA_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=load_secret_key(settings["RESERVIA_SECRET_KEY"], home),
        SQLALCHEMY_DATABASE_URI=settings["RESERVIA_DATABASE_URL"],
        # A server's connection can drop between requests; a SQLite file's cannot, and pinging it
        # cost a statement per request.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": not settings["RESERVIA_DATABASE_URL"].startswith("sqlite")},
        SESSION_COOKIE_NAME="reservia_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["RESERVIA_SECURE_COOKIES"],
        # The login form and the API both check their own input; CSRF is checked per request
        # by backend/request_hooks.py, for form posts only.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.sort_keys = False  # keep fields in the documented order
    app.session_interface = MountPointSessionInterface()
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_commands(app)
    prepare_database(app)
    return app


def register_extensions(app):
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    database = app.extensions["reservia_database"] = Database()
    with app.app_context():
        database.write_queue = configure_engine(db.engine, app.config["RESERVIA_SQLITE_BUSY_TIMEOUT"])
        database.read_cache = ReadCache(commit_counter_for(db.engine))


@login_manager.user_loader
def _load_user(token):
    from backend.database import get_database

    return get_database().user_for_session(token)


@login_manager.unauthorized_handler
def _unauthorized():
    from backend.errors import NotAuthenticated

    raise NotAuthenticated("Log in first.", "NOT_AUTHENTICATED")


def register_blueprints(app):
    # Importing a views module adds its routes to one of the four blueprints registered below.
    from backend.views import (  # noqa: F401
        admin,
        admin_control,
        admin_pages,
        history,
        info,
        reservation,
        reservation_pages,
        session,
        session_pages,
        statistics,
    )

    for module in (info, session, admin, reservation):
        app.register_blueprint(module.blueprint)


def register_commands(app):
    from backend.commands import register

    register(app)


def prepare_database(app):
    """Create the schema and the first administrator; warn while its password is the default."""
    with app.app_context():
        database = app.extensions["reservia_database"]
        with database.startup_lock():
            database.create_schema()
            default_password = database.ensure_default_admin(app.config["RESERVIA_ADMIN_PASSWORD"])
        if default_password:
            log.warning("%s the administrator 'admin' still has the default password 'admin': "
                        "change it (flask --app app set-password admin)", STARTUP)
