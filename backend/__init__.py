"""Reservia: first-come reservations of shared resources, for browsers, scripts and operators."""
import sys
from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from backend.cli import register_cli_commands
from backend.database import Database
from backend.database.engine import create_private_sqlite_file
from backend.errors import Invalid
from backend.extensions import csrf, db, migrate
from backend.logs import STARTUP, configure_logging, log
from backend.views import register_blueprints
from backend.web.application import ReserviaFlask
from backend.web.converters import register_converters
from backend.web.error_handlers import register_error_handlers
from backend.web.login import init_login
from backend.web.request_hooks import register_request_hooks
from backend.web.server_timing import time_requests
from backend.web.session_cookie import MountPointSessionInterface
from config import load_settings
from config.initial_password import (
    initial_password_file,
    read_initial_password,
    remove_initial_password,
    write_initial_password,
)
from config.secret_key import load_secret_key

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build a Reservia application; `config` overrides the defaults and the environment."""
    settings = load_settings(config)
    app = ReserviaFlask(__name__, template_folder=str(ROOT / "frontend" / "templates"),
                        static_folder=str(ROOT / "frontend" / "static"))
    app.config.update(settings)
    home = Path(settings["RESERVIA_HOME"])
    # Private when Reservia makes it; a folder the operator made keeps the mode they chose.
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
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
        # by backend/web/request_hooks.py, for form posts only.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.sort_keys = False  # keep fields in the documented order
    app.session_interface = MountPointSessionInterface()
    trust_proxies(app, settings["RESERVIA_PROXIES"])
    time_requests(app, settings["RESERVIA_SERVER_TIMING"])
    configure_logging(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_cli_commands(app)
    try:
        prepare_database(app)
    except BaseException:
        # A start that fails (a refused setting) closes the connections it opened: whoever called
        # create_app may carry on, as the tests of such starts do.
        with app.app_context():
            db.engine.dispose()
        raise
    return app


def trust_proxies(app, count):
    """Behind `count` reverse proxies, take the client's address, scheme and host from what they
    forward (X-Forwarded-For, -Proto, -Host, -Port); with none, such headers are anyone's to forge
    and are ignored."""
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)


def register_extensions(app):
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    csrf.init_app(app)
    init_login(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    database = app.extensions["reservia_database"] = Database()
    with app.app_context():
        database.transactions.bind(db.engine, app.config["RESERVIA_SQLITE_BUSY_TIMEOUT"])


def prepare_database(app):
    """Create or upgrade the schema and the first administrator; warn about administrators who
    still have the old default password."""
    home = Path(app.config["RESERVIA_HOME"])
    with app.app_context():
        database = app.extensions["reservia_database"]
        with database.schema.startup_lock():
            database.schema.upgrade()
            try:
                generated = database.users.ensure_first_admin(
                    app.config["RESERVIA_ADMIN_PASSWORD"], lambda password: write_initial_password(home, password))
            except Invalid as refused:
                raise ValueError(f"RESERVIA_ADMIN_PASSWORD is not accepted as a password: {refused.message}") from None
        if generated:
            announce_first_password(generated, initial_password_file(home))
        else:
            forget_changed_first_password(database, home)
        for name in database.users.names_to_change_password():
            log.warning("%s the administrator %r still has the old default password 'admin': they must "
                        "change it when they next log in (or run: flask --app app set-password %s)",
                        STARTUP, name, name)


def announce_first_password(password, path):
    """Tell whoever started Reservia where the first password is, and on a terminal the password
    itself; a server's standard error is often a log file kept for long, so it gets the path only."""
    log.info("%s the first administrator's generated password is in %s", STARTUP, path)
    if sys.stderr.isatty():
        told = f"Reservia created the administrator 'admin' with this password:\n\n    {password}\n\n" \
               f"It is also kept in {path} (readable by you only) until it is changed."
    else:
        told = f"Reservia created the administrator 'admin' with a generated password, kept in {path} " \
               "(readable by you only) until it is changed."
    print(f"{told}\nLog in as admin with it, then choose a password of your own.", file=sys.stderr, flush=True)


def forget_changed_first_password(database, home):
    """Delete the file of the generated first password once no administrator accepts it any more."""
    password = read_initial_password(home)
    if password is not None and not database.users.administrator_accepts(password):
        remove_initial_password(home)
        log.info("%s %s removed: the first administrator's password was changed", STARTUP,
                 initial_password_file(home))
