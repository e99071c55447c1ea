"""URL converters: ids in paths are read like every other number (backend/forms/numbers.py)."""
from werkzeug.routing import BaseConverter, ValidationError

from backend.forms.numbers import MAX_ID, whole_number


class IdConverter(BaseConverter):
    """`<id:user_id>`: ASCII digits naming a positive id an id column can hold; anything
    else is no such page (404), where Werkzeug's `int` would take "١" or overflow the database."""

    regex = r"[0-9]+"

    def to_python(self, value):
        number = whole_number(value)
        if number is None or not 1 <= number <= MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value):
        return str(int(value))


def register_converters(app):
    app.url_map.converters["id"] = IdConverter
