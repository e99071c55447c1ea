"""The forms behind the reservation buttons and calls: which resource (or labels, or request), and
for a request how long and why."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from backend.forms.fields import MAX_ID, IdField, IdListField, LabelsField, PrintableName, hold_minutes_field, strip

_RESOURCE_ID = [Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")]
# How many resources one request may ask for at once.
MAX_COUNT = 100
# A lease shorter than this would be lost to one slow network round trip; longer than the hold
# time is refused by the Database layer (it depends on a setting).
MIN_LEASE_SECONDS = 30
MAX_LEASE_SECONDS = 7 * 24 * 3600


class ResourceActionForm(FlaskForm):
    resource_id = IdField("Resource", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")])


class RequestForm(FlaskForm):
    """A request names one resource, or labels and how many resources carrying them."""

    resource_id = IdField("Resource", validators=_RESOURCE_ID)
    labels = LabelsField("Labels")
    # Several resources by id, all at once.
    resource_ids = IdListField("Resources")
    count = IdField("How many", validators=[
        Optional(), NumberRange(min=1, max=MAX_COUNT, message=f"Must be from 1 to {MAX_COUNT}.")])
    hold_minutes = hold_minutes_field("Hold for")
    note = StringField("Note", filters=[strip], validators=[Optional(), Length(max=200), PrintableName()])
    lease_seconds = IdField("Lease (seconds)", validators=[
        Optional(), NumberRange(min=MIN_LEASE_SECONDS, max=MAX_LEASE_SECONDS,
                                message=f"Must be from {MIN_LEASE_SECONDS} to {MAX_LEASE_SECONDS} seconds.")])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        given = [self.resource_id.data is not None, bool(self.labels.data), bool(self.resource_ids.data)]
        if given.count(True) != 1:
            self.resource_id.errors.append("Give one of resource_id, labels or resource_ids.")
            return False
        return True

    def validate_count(self, field):
        if field.data is not None and not self.labels.data:
            raise ValidationError("count goes with labels.")


class RequestActionForm(FlaskForm):
    """Cancel or release: a request by its id, or the caller's on one resource."""

    resource_id = IdField("Resource", validators=_RESOURCE_ID)
    request_id = IdField("Request", validators=[
        Optional(), NumberRange(min=1, max=MAX_ID, message="Must be a positive request id.")])

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) and _exactly_one(
            self.resource_id, self.request_id.data is None, "Give either resource_id or request_id.")


class KeepAliveForm(RequestActionForm):
    hold_minutes = hold_minutes_field("Keep for")


def _exactly_one(field, other_missing, message):
    """Form-wide check (a field's own validators stop at Optional() when it is empty)."""
    if (field.data is None) == other_missing:
        field.errors.append(message)
        return False
    return True


# The lengths offered on the dashboard, in minutes, as far as a resource's maximum allows.
OFFERED_MINUTES = (10, 30, 60, 120, 240, 480)


# The value of "until the end of the day" on the board, until the page's script sets the minutes.
END_OF_DAY_BY_SCRIPT = "end-of-day"


@dataclass(frozen=True)
class HoldChoice:
    """One entry of the "hold for" menu: its value ("" for the usual length) and its label."""

    value: str
    label: str
    end_of_day: bool = False


def hold_choices(maximum, site_minutes, now=None):
    """The hold lengths offered for a resource whose longest hold is `maximum` minutes (None: no
    limit), the site's usual length first. "Until the end of the day" is worked out for UTC here;
    the page's script works it out again for the reader's time zone.

    With no `now`, for the board that only the page's script shows: the script works out the end
    of the reader's day and whether it is within the longest hold, so the option is always there
    with its value left to the script, and the board reads the same all day (see conditional.py)."""
    usual = min(filter(None, (site_minutes, maximum)), default=None)
    choices = [HoldChoice("", f"{_label(usual)} (usual)" if usual else "no time limit (usual)")]
    lengths = {m for m in OFFERED_MINUTES if maximum is None or m <= maximum}
    if maximum is not None:
        lengths.add(maximum)
    lengths.discard(usual)
    choices += [HoldChoice(str(m), _label(m) + (" (longest)" if m == maximum else "")) for m in sorted(lengths)]
    if now is None:
        choices.append(HoldChoice(END_OF_DAY_BY_SCRIPT, "until the end of the day", end_of_day=True))
        return choices
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
    to_midnight = max(1, int((midnight - now).total_seconds() // 60))
    if maximum is None or to_midnight <= maximum:
        choices.append(HoldChoice(str(to_midnight), "until the end of the day", end_of_day=True))
    return choices


def _label(minutes):
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")
