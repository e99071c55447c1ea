"""Forms for logging in and out."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from backend.forms.fields import PrintableName, strip


class LoginForm(FlaskForm):
    # No account's name holds a control character: such a name is a malformed request (400),
    # not a failed login, and never reaches the database.
    name = StringField("User name", filters=[strip],
                       validators=[InputRequired(), Length(max=80), PrintableName()])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Carries only the CSRF token of the logout button."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired(), Length(max=1024)])
    new_password = PasswordField("New password", validators=[InputRequired(), Length(min=8, max=1024)])
