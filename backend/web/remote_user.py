"""Apache signs people in (RESERVIA_AUTH=remote_user): a request whose WSGI environ holds
REMOTE_USER is that person, made an account at their first visit (docs/sign-in.md).

Only the environ counts. Apache's modules (mod_auth_gssapi, mod_authnz_ldap, mod_auth_mellon,
mod_auth_openidc) set REMOTE_USER and their own variables there; request headers arrive as
HTTP_* keys, which are never read here, so a `Remote-User` or `X-Forwarded-User` header signs
nobody in, in any mode. A person is signed in once per Reservia session: the sign-in brings their
e-mail address, display name, groups and role up to date, and later requests carry the session
cookie like any other.
"""
from flask import current_app, request, session
from flask_login import current_user, login_user

from backend.database import get_database
from backend.database.sign_in import Identity, setting_names
from backend.models.names import canonical
from backend.models.user import AUTH_LOCAL, AUTH_REMOTE_USER
from backend.web.bearer import uses_token

# Where no sign-in happens: the login page (it offers to go on as the intranet's user, and takes
# break-glass passwords), logging out, and what needs no login at all.
_NOT_SIGNING_IN = {"session.login", "session.logout", "info.is_alive", "info.openapi", "static"}


def remote_user_mode():
    return current_app.config["RESERVIA_AUTH"] == AUTH_REMOTE_USER


def remote_name():
    """The account name Apache vouches for (realm stripped, NFKC and case folded), or None."""
    if not remote_user_mode():
        return None
    raw = request.environ.get("REMOTE_USER")
    if not isinstance(raw, str) or not raw.strip():
        return None
    name = raw.strip()
    if current_app.config["RESERVIA_REMOTE_USER_STRIP_REALM"]:
        name = name.rpartition("@")[0] or name
    return canonical(name)


def _first_variable(setting):
    """The value of the first of the setting's environ variables that is set, or None."""
    for variable in setting_names(current_app.config[setting]):
        value = request.environ.get(variable)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def remote_identity(name):
    """Who Apache says the person is: their name, and what its module adds in the environ."""
    from backend.database.directory import group_name  # here: python-ldap loads where groups are read
    groups = _first_variable("RESERVIA_REMOTE_USER_GROUPS_VAR") or ""
    separator = current_app.config["RESERVIA_REMOTE_USER_GROUPS_SEPARATOR"]
    return Identity(name=name, auth=AUTH_REMOTE_USER, email=_first_variable("RESERVIA_REMOTE_USER_EMAIL_VAR"),
                    display_name=_first_variable("RESERVIA_REMOTE_USER_NAME_VAR"),
                    groups=tuple(group_name(part.strip()) for part in groups.split(separator) if part.strip()))


def sign_in_remote_user():
    """Before the view: sign in the person Apache authenticated, unless this browser's session
    already belongs to them, or to a local account signed in with its password (break-glass)."""
    if request.endpoint in _NOT_SIGNING_IN or uses_token():
        return
    name = remote_name()
    if name is None:
        return
    who = current_user._get_current_object()
    if who.is_authenticated and (canonical(who.name) == name or who.auth == AUTH_LOCAL):
        return
    database = get_database()
    user = database.sign_in.provision(remote_identity(name))  # 403 for the refused
    session.clear()
    database.users.open_session(user, via="sso")
    login_user(user)
