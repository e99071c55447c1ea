"""The filters of the reservation history page, read from the query string."""
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import Optional, ValidationError

from backend.forms.numbers import whole_number
from backend.models.states import STATES


def _optional_id(value):
    """A chosen id, or None for "any"; text that is no number is refused (ValueError)."""
    if value in (None, "") or isinstance(value, int):
        return value or None
    number = whole_number(value)
    if number is None:
        raise ValueError("not an id")
    return number


class HistoryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    # Administrators only: "" is themselves, "all" everyone, or a user id. Removed for others.
    user = SelectField("Whose", validators=[Optional()])
    resource_id = SelectField("Resource", coerce=_optional_id, validators=[Optional()])
    state = SelectField("State", choices=[("", "Any state")] + [(s, s.capitalize()) for s in STATES],
                        validators=[Optional()])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    # The reader's time zone, filled in by the page's script: days start at their midnight.
    tz = HiddenField()

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("Must not be before the start date.")
