"""Forms administrators use to add users and resources."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from backend.forms.fields import (
    IntranetEmail,
    OneScript,
    PrintableName,
    PrintableText,
    normalised_name,
    strip,
)
from backend.models.user import ROLE_ADMIN, ROLE_USER


class UserForm(FlaskForm):
    name = StringField("User name", filters=[strip, normalised_name],
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName(), OneScript()])
    email = EmailField("Email", filters=[strip],
                       validators=[InputRequired(), Length(max=254), IntranetEmail()])
    password = PasswordField("Password", validators=[InputRequired(), Length(min=8, max=1024)])
    role = SelectField("Role", choices=[(ROLE_USER, "User"), (ROLE_ADMIN, "Administrator")],
                       default=ROLE_USER, validators=[Optional()])


class ResourceForm(FlaskForm):
    name = StringField("Name", filters=[strip],
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName()])
    comment = TextAreaField("Comment", filters=[strip], validators=[Optional(), Length(max=500), PrintableText()])
