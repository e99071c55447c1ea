"""The Book form of the browser: a date, two times of day and the reader's time zone instead of
two ISO 8601 moments, and the repeat as two boxes. It posts to the same `POST /reservation/book`
as scripts do, and is turned there into the very values the JSON form gives (start_at, end_at,
repeat), so that one code path books both."""
from datetime import date, datetime, time, timedelta, timezone

from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from backend.forms.bookings import EVERY, BookForm, parse_window_moment
from backend.forms.history_filters import zone_named

REPEAT_CHOICES = [("", "Does not repeat"), ("day", "Every day"), ("weekday", "Every weekday (Monday to Friday)"),
                  ("week", "Every week")]


def _day(text):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValidationError("Give a date, YYYY-MM-DD.") from None


def _clock(text):
    try:
        return time.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValidationError("Give a time of day, HH:MM.") from None


class BookPageForm(BookForm):
    """BookForm as a person fills it in. Times are wall-clock times in `time_zone`, the reader's
    zone that the page's script fills in (times.js); without script it stays UTC, and the page
    says so. An end at or before the start means the next day's (a night booking, 22:00–02:00)."""

    start = None
    end = None
    repeat_every = SelectField("Repeat", choices=REPEAT_CHOICES, validate_choice=False)
    date = StringField("Date", validators=[InputRequired()])
    start_time = StringField("From", validators=[InputRequired()])
    end_time = StringField("To", validators=[InputRequired()])
    repeat_until = StringField("Until (the last day)", validators=[Optional()])
    time_zone = StringField("Time zone", validators=[Optional()])

    def validate_date(self, field):
        field.day = _day(field.data)

    def validate_start_time(self, field):
        field.clock = _clock(field.data)

    def validate_end_time(self, field):
        field.clock = _clock(field.data)

    def validate_repeat_every(self, field):
        if field.data and field.data not in EVERY:
            raise ValidationError("Choose how it repeats from the list.")

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        zone = zone_named(self.time_zone.data)
        start = datetime.combine(self.date.day, self.start_time.clock, zone)
        end = datetime.combine(self.date.day, self.end_time.clock, zone)
        if end <= start:
            end = datetime.combine(self.date.day + timedelta(days=1), self.end_time.clock, zone)
        self.zone = zone
        self.start_at = parse_window_moment("start", start.isoformat())
        self.end_at = parse_window_moment("end", end.isoformat())
        self.repeat.data = None
        if self.repeat_every.data:
            if not self.repeat_until.data:
                self.repeat_until.errors.append("Give the last day it repeats.")
                return False
            try:
                until = _day(self.repeat_until.data)
            except ValidationError as error:
                self.repeat_until.errors.append(error.args[0])
                return False
            zone_name = getattr(zone, "key", "UTC")
            self.repeat.data = {"every": self.repeat_every.data, "until": until, "time_zone": zone_name}
        return True

    def local(self, moment):
        """A moment as the reader's wall-clock time ("14:00"), in the zone the form was filled in."""
        return moment.astimezone(getattr(self, "zone", timezone.utc)).strftime("%H:%M")

    def place_refusal(self, error):
        """A booking in the way is told beside the times, in words and in the reader's zone:
        "Booked by carol 14:00–16:00 (Thu 3 Dec)." True when placed."""
        if error.code == "BOOKING_CONFLICT":
            said = []
            for clash in error.details.get("conflicts", ()):
                start, end = (datetime.fromisoformat(clash[k]) for k in ("start", "end"))
                day = start.astimezone(self.zone).strftime("%a %-d %b")
                said.append(f"Booked by {clash['user_name']} {self.local(start)}–{self.local(end)} ({day}).")
            self.start_time.errors = ["That window is already booked. " + " ".join(said)]
            return True
        if error.code in ("BAD_TIME_WINDOW", "RESOURCE_HELD"):
            self.start_time.errors = [error.message]
            return True
        if error.code in ("NOT_ENOUGH_RESOURCES", "UNKNOWN_LABEL"):
            self.labels.errors = [error.message]
            return True
        return False
