"""Fields and validators shared by Reservia's forms."""
import unicodedata

import email_validator
from wtforms import IntegerField
from wtforms.validators import ValidationError

from backend.forms.numbers import MAX_ID, whole_number
from backend.models.names import mixed_scripts, normalised

__all__ = ["MAX_ID", "IdField", "IntranetEmail", "OneScript", "PrintableName", "PrintableText",
           "normalised_name", "strip"]

# Intranet mail lives under names that are not on the public Internet: Active Directory's usual
# "corp.local", "localhost". email_validator refuses them as special-use unless taken off its list,
# which is how its documentation says to allow one.
for _intranet in ("local", "localhost"):
    if _intranet in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_intranet)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalised_name(value):
    """A user name as it is stored (NFKC, see backend/models/names.py), before its length is checked."""
    return normalised(value) if isinstance(value, str) else value


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
        # Past what an id column holds no row can have it: the range validator refuses the
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


class OneScript:
    """User names in one script: "аdmin" with a Cyrillic а would pass for "admin" on screen."""

    def __call__(self, form, field):
        scripts = mixed_scripts(field.data or "")
        if scripts:
            raise ValidationError(f"Use letters of one script: this name mixes {' and '.join(scripts)} "
                                  "letters, which look alike.")


class IntranetEmail:
    """An address a person could have, on the Internet or on an intranet (corp.local, lab.internal,
    a mail host without dots): syntax only, no DNS lookup."""

    def __call__(self, form, field):
        try:
            email_validator.validate_email(field.data or "", check_deliverability=False,
                                           globally_deliverable=False, allow_smtputf8=True)
        except email_validator.EmailNotValidError:
            raise ValidationError("Invalid email address.") from None
