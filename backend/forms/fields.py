"""Fields and validators shared by Reservia's forms."""
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError

from backend.forms.numbers import MAX_ID, whole_number

__all__ = ["MAX_HOLD_MINUTES", "MAX_ID", "IdField", "IntranetEmail", "PrintableName", "strip"]

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


# A host name of the intranet: letters, digits and hyphens in dot-separated labels.
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$", re.IGNORECASE)


class IntranetEmail:
    """An email address as intranets have them: the part before the @ checked by email-validator,
    the domain either one it accepts or a plain host name such as `localhost` or `lab.local`,
    which it refuses as not deliverable on the Internet (the built-in `admin@localhost` among them)."""

    message = "Invalid email address."

    def __call__(self, form, field):
        local, at, domain = (field.data or "").rpartition("@")
        if not at or not local or not domain:
            raise ValidationError(self.message)
        try:
            validate_email(f"{local}@example.org", check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(self.message) from None
        if _HOST_NAME.match(domain):
            return
        try:
            validate_email(f"x@{domain}", check_deliverability=False, globally_deliverable=False)
        except EmailNotValidError:
            raise ValidationError(self.message) from None
