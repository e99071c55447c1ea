"""Forms administrators use to add users and resources."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from backend.forms.bookings import BookingSettings
from backend.forms.fields import (
    IntranetEmail,
    LabelsField,
    OneScript,
    PrintableName,
    PrintableText,
    hold_minutes_field,
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


class ResourceForm(BookingSettings):
    name = StringField("Name", filters=[strip],
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName()])
    comment = TextAreaField("Comment", filters=[strip], validators=[Optional(), Length(max=500), PrintableText()])
    max_hold_minutes = hold_minutes_field("Longest hold (minutes)")
    labels = LabelsField("Labels", description="Separated by commas: letters, digits, '-', '_', '.'.")
