"""Fields and validators shared by Reservia's forms."""
import re
import unicodedata

from wtforms import Field, IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from backend.domain.labels import MAX_LABEL_LENGTH, MAX_LABELS, is_label
from backend.forms.numbers import MAX_ID, whole_number
from backend.models.names import mixed_scripts, normalised

__all__ = ["MAX_HOLD_MINUTES", "MAX_ID", "IdField", "IdListField", "IntranetEmail", "LabelsField", "OneScript",
           "PrintableName", "PrintableText", "normalised_name", "strip"]

# The longest hold anyone can ask for or allow, in minutes: a leap year.
MAX_HOLD_MINUTES = 366 * 24 * 60


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


def hold_minutes_field(label, hint_range="Must be a whole number of minutes from 1 to {max}."):
    """Minutes of a hold, optional: a whole number from 1 to MAX_HOLD_MINUTES."""
    return IdField(label, validators=[Optional(), NumberRange(
        min=1, max=MAX_HOLD_MINUTES, message=hint_range.format(max=MAX_HOLD_MINUTES))])


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


# A host name of the intranet: letters, digits and hyphens in dot-separated labels.
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$", re.IGNORECASE)


class IntranetEmail:
    """An email address as intranets have them: the part before the @ checked by email-validator,
    the domain either one it accepts or a plain host name such as `localhost` or `lab.local`,
    which it refuses as not deliverable on the Internet (the built-in `admin@localhost` among them)."""

    message = "Invalid email address."

    def __call__(self, form, field):
        # Here, not at the top: its tables load on the first address checked, not at every start.
        from email_validator import EmailNotValidError, validate_email
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


class IdListField(Field):
    """Resource ids: a JSON list of whole numbers, or a browser's text field "3, 5". Its data is
    the sorted list of distinct ids."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, maximum=20, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def _value(self):
        return ", ".join(map(str, self.data)) if isinstance(self.data, list) else (self.data or "")

    def process_formdata(self, valuelist):
        parts = [part for value in valuelist for part in re.split(r"[\s,]+", value.strip()) if part]
        self.take([int(p) if p.isascii() and p.isdigit() else p for p in parts])

    def take(self, values):
        """Set the ids from a JSON list (anything else is refused by pre_validate)."""
        self.data = values if isinstance(values, list) else [values]

    def pre_validate(self, form):
        values = self.data or []
        if any(type(v) is not int or not 1 <= v <= MAX_ID for v in values):
            raise ValidationError("Must be a list of positive ids.")
        if len(set(values)) > self.maximum:
            raise ValidationError(f"At most {self.maximum} ids.")
        self.data = sorted(set(values)) or None


class LabelsField(Field):
    """Labels such as "scope, usb3": a JSON list of strings, or a browser's text field with the
    labels separated by commas or spaces. Its data is the sorted list of distinct labels."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, maximum=MAX_LABELS, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def _value(self):
        return ", ".join(self.data or ())

    def process_formdata(self, valuelist):
        names = set()
        for value in valuelist:
            names.update(part for part in re.split(r"[\s,]+", value.strip()) if part)
        self.take(names)

    def take(self, names):
        """Set the labels from separate names, as a JSON list gives them (no splitting)."""
        self.data = sorted({name.lower() for name in names})

    def pre_validate(self, form):
        bad = [name for name in self.data or () if not is_label(name)]
        if bad:
            raise ValidationError(f"{bad[0]!r} is not a label: use letters, digits, '-', '_' and '.', "
                                  f"at most {MAX_LABEL_LENGTH} characters.")
        if len(self.data or ()) > self.maximum:
            raise ValidationError(f"At most {self.maximum} labels.")
