"""The forms of bookings: a window to book (once or repeating), a booking to cancel or check in."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from backend.forms.binding import CodedMessage
from backend.forms.fields import MAX_HOLD_MINUTES, MAX_ID, IdField, LabelsField, PrintableName, strip
from backend.forms.reservation import MAX_COUNT

_ID = [Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive id.")]
EVERY = ("day", "weekday", "week")
# Times far from now are typing mistakes, and near the ends of the calendar they overflow.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


def parse_window_moment(name, text):
    """An ISO 8601 moment with its offset ("2026-12-03T14:00:00+01:00"); a moment without an
    offset would mean a different hour to the server and to its reader, so it is refused."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValidationError(CodedMessage(f"{name} must be an ISO 8601 date and time with its offset.",
                                           "BAD_TIME_WINDOW")) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(CodedMessage(f"{name} must carry its UTC offset (like +01:00 or Z).",
                                           "BAD_TIME_WINDOW"))
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValidationError(CodedMessage(f"{name} must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
                                           "BAD_TIME_WINDOW"))
    return moment.astimezone(timezone.utc)


class RepeatField(Field):
    """`{"every": "day"|"weekday"|"week", "until": "YYYY-MM-DD", "time_zone": "Europe/Budapest"}`:
    a JSON object only (bind_form hands it over with take_json)."""

    json_schema = {"type": "object", "required": ["every", "until", "time_zone"], "properties": {
        "every": {"enum": list(EVERY)}, "until": {"type": "string", "format": "date"},
        "time_zone": {"type": "string"}}}

    def process_formdata(self, valuelist):
        self.data = None

    def take_json(self, value):
        self.data = value

    def pre_validate(self, form):
        value = self.data
        if value is None:
            return
        if not isinstance(value, dict) or set(value) != {"every", "until", "time_zone"}:
            raise ValidationError("repeat must be an object with every, until and time_zone.")
        if value["every"] not in EVERY:
            raise ValidationError(f"every must be one of {', '.join(EVERY)}.")
        try:
            until = date.fromisoformat(value["until"])
        except (TypeError, ValueError):
            raise ValidationError("until must be a date, YYYY-MM-DD.") from None
        if until.year > LATEST_YEAR:
            raise ValidationError(f"until must be before the year {LATEST_YEAR + 1}.")
        try:
            ZoneInfo(value["time_zone"])
        except (TypeError, ValueError, ZoneInfoNotFoundError):
            raise ValidationError(f"{str(value['time_zone'])[:60]!r} is not a time zone.") from None
        self.data = {**value, "until": until}


class BookForm(FlaskForm):
    """One resource, or `count` resources carrying `labels`, for [start, end)."""

    resource_id = IdField("Resource", validators=_ID)
    labels = LabelsField("Labels")
    count = IdField("How many", validators=[
        Optional(), NumberRange(min=1, max=MAX_COUNT, message=f"Must be from 1 to {MAX_COUNT}.")])
    start = StringField("Start", filters=[strip], validators=[InputRequired()])
    end = StringField("End", filters=[strip], validators=[InputRequired()])
    note = StringField("Note", filters=[strip], validators=[Optional(), Length(max=200), PrintableName()])
    repeat = RepeatField("Repeat")
    skip_conflicts = BooleanField("Skip the occurrences already booked")
    force = BooleanField("Shorten a hold in the way (administrators)")
    maintenance = BooleanField("Maintenance window (administrators)")

    def validate_start(self, field):
        self.start_at = parse_window_moment("start", field.data)

    def validate_end(self, field):
        self.end_at = parse_window_moment("end", field.data)

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if (self.resource_id.data is None) == (not self.labels.data):
            self.resource_id.errors.append("Give either resource_id or labels.")
            return False
        if self.count.data is not None and not self.labels.data:
            self.count.errors.append("count goes with labels.")
            return False
        return True


class BookingCancelForm(FlaskForm):
    """A booking by its id, or a series (from a moment on)."""

    booking_id = IdField("Booking", validators=_ID)
    series_id = IdField("Series", validators=_ID)

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if (self.booking_id.data is None) == (self.series_id.data is None):
            self.booking_id.errors.append("Give either booking_id or series_id.")
            return False
        since = self["from"]
        if since.data:
            if self.series_id.data is None:
                since.errors.append("from goes with series_id.")
                return False
            try:
                self.since = parse_window_moment("from", since.data)
            except ValidationError as error:
                since.errors.append(error.args[0])
                return False
        else:
            self.since = None
        return True


# "from" is a Python keyword: the field is added by name.
setattr(BookingCancelForm, "from", StringField("From", filters=[strip], validators=[Optional()]))


def _minutes_or_days(label, maximum, minimum=1):
    return IdField(label, validators=[Optional(), NumberRange(min=minimum, max=maximum,
                                                              message=f"Must be from {minimum} to {maximum}.")])


class BookingSettings(FlaskForm):
    """A resource's booking settings, set by administrators with the rest of the resource."""

    max_booking_minutes = _minutes_or_days("Longest booking (minutes)", MAX_HOLD_MINUTES)
    book_ahead_days = _minutes_or_days("Book at most this many days ahead", 3660)
    booking_buffer_minutes = _minutes_or_days("Kept free before each booking (minutes)", 24 * 60, minimum=0)
    checkin_minutes = _minutes_or_days("Check in within (minutes; empty: no check-in)", 24 * 60)

    # JSON null removes the limit (or the check-in), as an emptied box does in the browser.
    nullable = ("max_booking_minutes", "book_ahead_days", "checkin_minutes")


BOOKING_SETTINGS = ("max_booking_minutes", "book_ahead_days", "booking_buffer_minutes", "checkin_minutes")


def booking_settings(form):
    """The booking settings a new resource's form gave, with their defaults."""
    values = {name: form[name].data for name in BOOKING_SETTINGS}
    values["booking_buffer_minutes"] = values["booking_buffer_minutes"] or 0
    return values


class BookingIdForm(FlaskForm):
    booking_id = IdField("Booking", validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
