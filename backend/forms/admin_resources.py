"""Forms administrators use on resources and their queues: add, change, delete a resource; end
someone's hold or remove someone's request.

Only the fields a change names are changed: `bind_form` records them in `form.provided`.
"""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from backend.forms.bookings import BookingSettings
from backend.forms.fields import (
    MAX_ID,
    IdField,
    LabelsField,
    PrintableName,
    PrintableText,
    hold_minutes_field,
    strip,
)

_ID = [InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive id.")]
_REASON = [Optional(), Length(max=500), PrintableText()]


class ResourceForm(BookingSettings):
    name = StringField("Name", filters=[strip],
                       validators=[InputRequired(), Length(min=1, max=80), PrintableName()])
    comment = TextAreaField("Comment", filters=[strip], validators=[Optional(), Length(max=500), PrintableText()])
    max_hold_minutes = hold_minutes_field("Longest hold (minutes)")
    labels = LabelsField("Labels", description="Separated by commas: letters, digits, '-', '_', '.'.")


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
