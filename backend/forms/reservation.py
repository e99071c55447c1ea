"""The forms behind the reservation buttons: which resource, and for a request how long and why."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from backend.forms.fields import MAX_ID, IdField, PrintableName, hold_minutes_field, strip


class ResourceActionForm(FlaskForm):
    resource_id = IdField("Resource", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ID, message="Must be a positive resource id.")])


class RequestForm(ResourceActionForm):
    hold_minutes = hold_minutes_field("Hold for")
    note = StringField("Note", filters=[strip], validators=[Optional(), Length(max=200), PrintableName()])


class KeepAliveForm(ResourceActionForm):
    hold_minutes = hold_minutes_field("Keep for")


# The lengths offered on the dashboard, in minutes, as far as a resource's maximum allows.
OFFERED_MINUTES = (10, 30, 60, 120, 240, 480)


@dataclass(frozen=True)
class HoldChoice:
    """One entry of the "hold for" menu: its value ("" for the usual length) and its label."""

    value: str
    label: str
    end_of_day: bool = False


def hold_choices(maximum, site_minutes, now):
    """The hold lengths offered for a resource whose longest hold is `maximum` minutes (None: no
    limit), the site's usual length first. "Until the end of the day" is worked out for UTC here;
    the page's script works it out again for the reader's time zone."""
    usual = min(filter(None, (site_minutes, maximum)), default=None)
    choices = [HoldChoice("", f"{_label(usual)} (usual)" if usual else "no time limit (usual)")]
    lengths = {m for m in OFFERED_MINUTES if maximum is None or m <= maximum}
    if maximum is not None:
        lengths.add(maximum)
    lengths.discard(usual)
    choices += [HoldChoice(str(m), _label(m) + (" (longest)" if m == maximum else "")) for m in sorted(lengths)]
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
