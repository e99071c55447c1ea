"""Validators shared by Reservia's forms."""
import unicodedata

from wtforms.validators import ValidationError

MAX_ID = 2**63 - 1  # the largest id a 64-bit integer column holds


def strip(value):
    return value.strip() if isinstance(value, str) else value


class PrintableName:
    """Names people read on screens and in logs: no control or invisible formatting characters."""

    def __call__(self, form, field):
        if any(unicodedata.category(ch).startswith("C") for ch in field.data or ""):
            raise ValidationError("Use visible characters only.")
