"""Forms administrators use on user accounts: add, change, delete, unlock.

Only the fields a change names are changed: `bind_form` records them in `form.provided`.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from backend.forms.fields import (
    MAX_ID,
    IdField,
    IntranetEmail,
    OneScript,
    PrintableName,
    normalised_name,
    strip,
)
from backend.models.user import ROLE_ADMIN, ROLE_USER

_ID = [InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive id.")]


class UserForm(FlaskForm):
    name = StringField("User name", filters=[strip, normalised_name],
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName(), OneScript()])
    email = EmailField("Email", filters=[strip],
                       validators=[InputRequired(), Length(max=254), IntranetEmail()])
    password = PasswordField("Password", validators=[InputRequired(), Length(min=8, max=1024)])
    role = SelectField("Role", choices=[(ROLE_USER, "User"), (ROLE_ADMIN, "Administrator")],
                       default=ROLE_USER, validators=[Optional()])


class UserModifyForm(FlaskForm):
    user_id = IdField("User", validators=_ID)
    name = StringField("User name", filters=[strip, normalised_name],
                       validators=[Optional(), Length(min=1, max=80), PrintableName(), OneScript()])
    email = EmailField("Email", filters=[strip], validators=[Optional(), Length(max=254), IntranetEmail()])
    password = PasswordField("New password", validators=[Optional(), Length(min=8, max=1024)])
    role = SelectField("Role", choices=[(ROLE_USER, "User"), (ROLE_ADMIN, "Administrator")],
                       validators=[Optional()])
    active = BooleanField("Active")


class UserDeleteForm(FlaskForm):
    user_id = IdField("User", validators=_ID)


class UserUnlockForm(FlaskForm):
    user_id = IdField("User", validators=_ID)
