"""The hold lengths the dashboard offers for a resource, within its longest hold."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from backend.domain.durations import minutes_text

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
    choices = [HoldChoice("", f"{minutes_text(usual)} (usual)" if usual else "no time limit (usual)")]
    lengths = {m for m in OFFERED_MINUTES if maximum is None or m <= maximum}
    if maximum is not None:
        lengths.add(maximum)
    lengths.discard(usual)
    choices += [HoldChoice(str(m), minutes_text(m) + (" (longest)" if m == maximum else "")) for m in sorted(lengths)]
    if now is None:
        choices.append(HoldChoice(END_OF_DAY_BY_SCRIPT, "until the end of the day", end_of_day=True))
        return choices
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
    to_midnight = max(1, int((midnight - now).total_seconds() // 60))
    if maximum is None or to_midnight <= maximum:
        choices.append(HoldChoice(str(to_midnight), "until the end of the day", end_of_day=True))
    return choices
