"""The one parser for ids and whole numbers people and scripts type: in query strings, form
fields and command-line options alike.

Python's int() accepts far more than a person means by a number: other scripts' digits ("١٢"),
superscripts pass str.isdigit() and then fail int() ("²"), underscores ("1_000"), signs and
spaces. Only ASCII digits are a number here, and no id past what every engine's id columns hold.
"""
from backend.errors import Invalid

# The largest id every engine's id columns hold: PostgreSQL's are `integer`, 32 bits (SQLite's
# would take 64). A larger id names no row anywhere, and PostgreSQL refuses even to compare it.
MAX_ID = 2**31 - 1


# More digits than any number Reservia takes; int() of thousands of digits is slow, then refused.
_MAX_DIGITS = 40


def whole_number(text):
    """The number written in `text` if it is ASCII digits only, else None. No range is checked."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    return int(text)


def _in_range(value, maximum):
    return value if value is not None and 1 <= value <= maximum else None


def parse_whole_number(name, raw, default=None, maximum=MAX_ID):
    """A whole number from 1 to `maximum`, or `default` when absent; Invalid otherwise."""
    if raw is None or str(raw).strip() == "":
        return default
    value = _in_range(whole_number(str(raw).strip()), maximum)
    if value is None:
        raise Invalid(f"{name} must be a whole number from 1 to {maximum}; got {raw!r}.", "INVALID_INPUT")
    return value


def parse_id(name, raw, required=False):
    """A positive database id, or None when absent and not required; Invalid otherwise."""
    if raw is None or str(raw).strip() == "":
        if required:
            raise Invalid(f"{name} is required.", "INVALID_INPUT")
        return None
    value = _in_range(whole_number(str(raw).strip()), MAX_ID)
    if value is None:
        raise Invalid(f"{name} must be a positive whole number; got {raw!r}.", "INVALID_INPUT")
    return value
