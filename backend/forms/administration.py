"""Forms administrators use to change users and resources and to end other people's reservations.

Only the fields a request names are changed: `bind_form` records them in `form.provided`.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from backend.forms.bookings import BookingSettings
from backend.forms.fields import (
    MAX_ID,
    IdField,
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

_ID = [InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive id.")]
_REASON = [Optional(), Length(max=500), PrintableText()]


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


class ResourceModifyForm(BookingSettings):
    resource_id = IdField("Resource", validators=_ID)
    name = StringField("Name", filters=[strip],
                       validators=[Optional(), Length(min=1, max=80), PrintableName()])
    comment = StringField("Comment", filters=[strip], validators=[Optional(), Length(max=500), PrintableText()])
    max_hold_minutes = hold_minutes_field("Longest hold (minutes)")
    labels = LabelsField("Labels", description="Separated by commas: letters, digits, '-', '_', '.'.")
    maintenance = BooleanField("In maintenance")

    # JSON null sets it back to the site's hold length, as an emptied box does in the browser.
    nullable = ("max_hold_minutes", *BookingSettings.nullable)
    active = BooleanField("Active")


class ResourceDeleteForm(FlaskForm):
    resource_id = IdField("Resource", validators=_ID)


class ForceReleaseForm(FlaskForm):
    resource_id = IdField("Resource", validators=_ID)
    reason = StringField("Reason", filters=[strip], validators=_REASON)


class RemoveRequestForm(FlaskForm):
    reservation_id = IdField("Reservation", validators=_ID)
    reason = StringField("Reason", filters=[strip], validators=_REASON)
