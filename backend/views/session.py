"""Logging in and out, and asking who is logged in."""
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask.views import MethodView
from flask_login import current_user, login_user, logout_user

from backend.database import get_database
from backend.database.users import WRONG_CURRENT_PASSWORD
from backend.errors import Forbidden, Invalid, NotAuthenticated, TooManyAttempts, Unavailable
from backend.forms.binding import bind_form, is_form_post
from backend.forms.session import LoginForm, PasswordChangeForm
from backend.web.access import login_required
from backend.web.bearer import uses_token
from backend.web.device_cookie import presented_device, remember_device
from backend.web.error_handlers import retry_after_header
from backend.web.form_pages import refused_form, show_refusals_at_fields
from backend.web.pages import page
from backend.web.remote_user import remote_name, remote_user_mode
from backend.web.responses import page_to_open, respond

blueprint = Blueprint("session", __name__)


# What the buttons whose post can be interrupted by a session's end are called on the pages.
ACTIONS = {"reservation.request": "Request", "reservation.cancel": "Cancel request",
           "reservation.release": "Release", "reservation.keep_alive": "Keep alive",
           "session.password": "Change password"}


def undone_action(endpoint):
    """How to name an action that was not done, or None when `endpoint` names no action."""
    if not endpoint or endpoint not in current_app.view_functions:
        return None
    return f"“{ACTIONS[endpoint]}”" if endpoint in ACTIONS else "Your last change"


class LoginView(MethodView):
    @page
    def get(self):
        """The login form."""
        form = LoginForm(next=page_to_open(request.args.get("next")) or "",
                         undone=request.args.get("undone", "") if undone_action(request.args.get("undone")) else "")
        return login_page(form)

    def post(self):
        if is_form_post():
            return self._browser_login()
        form = bind_form(LoginForm)
        user = self._log_in(form)
        answer = {"message": "Login successful", "user_name": user.name, "user_id": user.id, "role": user.role}
        if user.password_change_required:
            answer["password_change_required"] = True
        return jsonify(answer)

    def _browser_login(self):
        """The login page's post: back to where the user was going, or the form with its errors."""
        form = LoginForm(meta={"csrf": False})
        status, headers = 400, {}
        if form.validate():
            try:
                user = self._log_in(form)
            except (NotAuthenticated, TooManyAttempts, Unavailable, Forbidden) as error:
                form.password.errors.append(error.message)
                status, headers = error.status, retry_after_header(error)
            else:
                if user.password_change_required:
                    return redirect(url_for("session.password"))
                flash(f"Welcome, {user.name}.", "success")
                undone = undone_action(form.undone.data)
                if undone:
                    flash(f"{undone} was not done: you had been logged out. Try it again now.", "error")
                return redirect(page_to_open(form.next.data) or url_for("reservation.dashboard"))
        form.password.data = ""
        return login_page(form), status, headers

    def _log_in(self, form):
        users = get_database().users
        device = presented_device()
        user = get_database().sign_in.with_password(form.name.data, form.password.data, request.remote_addr, device)
        session.clear()  # a fresh session on login: nothing from before survives it
        users.open_session(user)  # gives user the token Flask-Login keeps in the cookie
        login_user(user)
        remember_device(user, device)
        return user


def login_page(form):
    """The login form, with what the intranet sign-in offers instead (docs/sign-in.md)."""
    config = current_app.config
    return render_template("session/login.html", form=form, undone=undone_action(form.undone.data),
                           auth=config["RESERVIA_AUTH"], local_login=config["RESERVIA_LOCAL_LOGIN"],
                           intranet_name=remote_name())


def intranet_note():
    """What logging out does not end: the intranet sign-in, and where to end that too."""
    note = ("You are logged out of Reservia, but your intranet sign-in may still be active: "
            "opening Reservia again signs you in again.")
    logout_url = current_app.config["RESERVIA_REMOTE_USER_LOGOUT_URL"]
    return note + (f" To end it too, go to {logout_url}" if logout_url else ""), logout_url or None


class LogoutView(MethodView):
    def post(self):
        if uses_token():
            raise Invalid("An API token is not a login session: revoke it with POST /session/tokens/revoke.",
                          "TOKEN_NOT_A_SESSION")
        if current_user.is_authenticated:
            get_database().users.close_session(current_user.get_id())
        logout_user()
        session.clear()
        if not remote_user_mode():
            if is_form_post():
                flash("You are logged out.", "success")
                return redirect(url_for("session.login"))
            return jsonify(message="Logout successful")
        note, logout_url = intranet_note()
        if is_form_post():
            flash(note, "success")
            return redirect(url_for("session.login"))
        return jsonify(message="Logout successful", note=note, sso_logout_url=logout_url)


class StatusView(MethodView):
    def get(self):
        if not current_user.is_authenticated:
            return jsonify(logged_in=False)
        return jsonify(logged_in=True, user_id=current_user.id, user_name=current_user.name,
                       user_email=current_user.email, role=current_user.role, auth=current_user.auth,
                       groups=get_database().groups.of_user(current_user.id))


def password_page():
    form = refused_form("session.password", PasswordChangeForm) or PasswordChangeForm()
    return render_template("session/password.html", form=form,
                           calendar_key=get_database().calendar_keys.key_of(current_user))


def check_current_password(form):
    """The current password is checked with the rest, so that every mistake shows at once."""
    field = form.current_password
    if field.data and not field.errors and not current_user.check_password(field.data):
        field.errors = [WRONG_CURRENT_PASSWORD]


class PasswordView(MethodView):
    """A user changes their own password; every other session of theirs is logged out."""

    decorators = [login_required]

    @page
    def get(self):
        """The password form."""
        return password_page()

    def post(self):
        form = bind_form(PasswordChangeForm)
        get_database().users.change_password(current_user, form.current_password.data,
                                             form.new_password.data, keep_token=current_user.get_id())
        if not uses_token():
            remember_device(current_user, presented_device())  # the old cookie named the old password
        return respond({"message": "Password changed; your other sessions were logged out."})


show_refusals_at_fields(blueprint, {"session.password": PasswordChangeForm},
                        checks={"session.password": check_current_password},
                        pages={"session.password": "session.password"})


blueprint.add_url_rule("/session/login", view_func=LoginView.as_view("login"))
blueprint.add_url_rule("/session/logout", view_func=LogoutView.as_view("logout"))
blueprint.add_url_rule("/session/status", view_func=StatusView.as_view("status"))
blueprint.add_url_rule("/session/password", view_func=PasswordView.as_view("password"))
