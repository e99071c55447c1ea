"""Forms for logging in and out."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from backend.forms.fields import PrintableName, strip


class LoginForm(FlaskForm):
    # No account's name holds a control character: such a name is a malformed request (400),
    # not a failed login, and never reaches the database.
    name = StringField("User name", filters=[strip],
                       validators=[InputRequired(), Length(max=80), PrintableName()])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])
    next = HiddenField()
    # The endpoint of a form posted after the session had ended: the action was not done.
    undone = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired(), Length(max=1024)])
    new_password = PasswordField("New password", validators=[InputRequired(), Length(min=8, max=1024)])
    # The page always sends it; scripts may leave it out, as they always could.
    new_password_again = PasswordField("Repeat the new password")

    def validate_new_password_again(self, field):
        if not field.raw_data:
            return
        if not field.data:
            raise ValidationError("Type the new password a second time.")
        if field.data != self.new_password.data:
            raise ValidationError("The two new passwords differ.")
