"""Turn defaults, environment variables and explicit overrides into one settings dict."""
import ipaddress
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.defaults import DEFAULTS

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _cast(name, raw, default):
    """Convert an environment string to the type of its default, refusing nonsense at start-up."""
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError(f"{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    return raw


def load_settings(overrides=None, environ=None):
    """Defaults, then the environment, then explicit overrides (tests), with derived paths filled in."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        if name in environ:
            settings[name] = _cast(name, environ[name], default)
    settings.update(overrides or {})

    home = Path(settings["RESERVIA_HOME"]).expanduser().resolve()
    settings["RESERVIA_HOME"] = str(home)
    if not settings["RESERVIA_DATABASE_URL"]:
        settings["RESERVIA_DATABASE_URL"] = f"sqlite:///{home / 'reservia.sqlite3'}"
    check_sign_in(settings)
    check_time_zone(settings)
    settings["RESERVIA_WAIT_THREADS"] = wait_threads(settings["RESERVIA_WAIT_THREADS"])
    log_file = settings["RESERVIA_LOG_FILE"]
    if log_file:
        settings["RESERVIA_LOG_FILE"] = str(home / Path(log_file).expanduser())
    return settings


def check_time_zone(settings):
    """Refuse at start-up a site time zone that does not exist, rather than on the first booking."""
    try:
        ZoneInfo(settings["RESERVIA_TIME_ZONE"])
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"RESERVIA_TIME_ZONE must be a time zone such as Europe/Berlin, "
                         f"not {settings['RESERVIA_TIME_ZONE']!r}") from None


def wait_threads(value):
    """RESERVIA_WAIT_THREADS as "" (derived from the server's threads) or a whole number, 0 or more."""
    text = str(value).strip()
    if text == "":
        return ""
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"RESERVIA_WAIT_THREADS must be empty or a whole number (0 or more), not {value!r}")
    return int(text)


_CHOICES = {"RESERVIA_AUTH": ("local", "remote_user", "ldap"), "RESERVIA_LOCAL_LOGIN": ("admins", "all", "off")}
_ENVIRON_VARIABLES = ("RESERVIA_REMOTE_USER_EMAIL_VAR", "RESERVIA_REMOTE_USER_NAME_VAR",
                      "RESERVIA_REMOTE_USER_GROUPS_VAR")


def check_sign_in(settings):
    """Refuse at start-up the sign-in settings that cannot work, and a variable that a request's
    headers could fill in: mod_wsgi hands every header over as HTTP_<NAME>, so naming one would let
    any client choose its own e-mail address or groups."""
    for name, choices in _CHOICES.items():
        if settings[name] not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}, not {settings[name]!r}")
    for name in _ENVIRON_VARIABLES:
        for variable in settings[name].split(","):
            if variable.strip().upper().startswith("HTTP_"):
                raise ValueError(f"{name} names {variable.strip()!r}, which any client sets with a header")
    if not settings["RESERVIA_REMOTE_USER_GROUPS_SEPARATOR"]:
        raise ValueError("RESERVIA_REMOTE_USER_GROUPS_SEPARATOR must not be empty")
    if settings["RESERVIA_LDAP_TIMEOUT"] <= 0:
        raise ValueError("RESERVIA_LDAP_TIMEOUT must be a positive number of seconds")
    check_observability(settings)


def check_observability(settings):
    """Refuse at start-up a metrics network that is not one."""
    for item in (part.strip() for part in str(settings["RESERVIA_METRICS_NETWORKS"]).split(",")):
        if item:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"RESERVIA_METRICS_NETWORKS: {item!r} is not a network such as 10.0.0.0/8") from None
