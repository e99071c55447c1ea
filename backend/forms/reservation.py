"""The forms behind the reservation buttons: which resource, and for a request how long and why."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from backend.forms.fields import MAX_ID, IdField, PrintableName, hold_minutes_field, strip


class ResourceActionForm(FlaskForm):
    resource_id = IdField("Resource", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")])


class RequestForm(ResourceActionForm):
    hold_minutes = hold_minutes_field("Hold for")
    note = StringField("Note", filters=[strip], validators=[Optional(), Length(max=200), PrintableName()])


class KeepAliveForm(ResourceActionForm):
    hold_minutes = hold_minutes_field("Keep for")
