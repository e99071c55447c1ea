"""Fields and validators shared by Reservia's forms."""
import unicodedata

from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError

from backend.forms.numbers import MAX_ID, whole_number

__all__ = ["MAX_HOLD_MINUTES", "MAX_ID", "IdField", "PrintableName", "strip"]

# The longest hold anyone can ask for or allow, in minutes: a leap year.
MAX_HOLD_MINUTES = 366 * 24 * 60


def strip(value):
    return value.strip() if isinstance(value, str) else value


class IdField(IntegerField):
    """A whole number typed into a browser form, read by the one number parser (IntegerField's
    int() would take "١٢" as 12); validators check its range."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = whole_number(valuelist[0].strip())
        if self.data is None:
            raise ValueError(self.gettext("Not a valid integer value."))


def hold_minutes_field(label, hint_range="Must be a whole number of minutes from 1 to {max}."):
    """Minutes of a hold, optional: a whole number from 1 to MAX_HOLD_MINUTES."""
    return IdField(label, validators=[Optional(), NumberRange(
        min=1, max=MAX_HOLD_MINUTES, message=hint_range.format(max=MAX_HOLD_MINUTES))])


class PrintableName:
    """Names people read on screens and in logs: no control or invisible formatting characters."""

    def __call__(self, form, field):
        if any(unicodedata.category(ch).startswith("C") for ch in field.data or ""):
            raise ValidationError("Use visible characters only.")
