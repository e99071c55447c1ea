"""Fields and validators shared by Reservia's forms."""
import unicodedata

from wtforms import IntegerField
from wtforms.validators import ValidationError

from backend.forms.numbers import MAX_ID, whole_number

__all__ = ["MAX_ID", "IdField", "PrintableName", "PrintableText", "strip"]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class IdField(IntegerField):
    """A whole number typed into a browser form, read by the one number parser (IntegerField's
    int() would take "١٢" as 12); validators check its range."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        number = whole_number(valuelist[0].strip())
        if number is None:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        # Past what a 64-bit column holds no row can have it: the range validator refuses the
        # empty value, and a page shown again for the refusal never asks the database for it.
        self.data = number if number <= MAX_ID else None


class PrintableName:
    """Names people read on screens and in logs: no control or invisible formatting characters."""

    def __call__(self, form, field):
        if any(unicodedata.category(ch).startswith("C") for ch in field.data or ""):
            raise ValidationError("Use visible characters only.")


class PrintableText:
    """Free text people read (comments, reasons): line breaks and tabs, but no other control characters."""

    def __call__(self, form, field):
        if any(unicodedata.category(ch).startswith("C") and ch not in "\t\n\r" for ch in field.data or ""):
            raise ValidationError("Use visible characters, spaces and line breaks only.")
