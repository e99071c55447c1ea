"""The week the calendar page shows: its seven days in the reader's zone, and where a window sits
in each day's column: the quarter-hour grid lines it spans (1 to 97), which the style sheet
places, so the page needs neither script nor inline styles (the Content-Security-Policy allows
none). A day of a daylight-saving change is 23 or 25 hours long; it is drawn in 96 quarters too."""
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

QUARTERS = 96


@dataclass(frozen=True)
class Day:
    day: date
    start: datetime  # its first instant, in UTC
    end: datetime  # the next day's first instant, in UTC

    def place(self, since, until):
        """(first, last) grid lines of this day's 96 quarter hours that the window [since, until)
        spans, at least one quarter, or None when it misses the day. A window over midnight
        shows in both days."""
        if until <= self.start or since >= self.end or until <= since:
            return None
        quarters = (self.end - self.start).total_seconds() / QUARTERS
        first = (max(since, self.start) - self.start).total_seconds() / quarters
        last = (min(until, self.end) - self.start).total_seconds() / quarters
        first = min(math.floor(first), QUARTERS - 1) + 1
        return first, max(min(math.ceil(last), QUARTERS) + 1, first + 1)

    def line(self, moment):
        """The grid line of the quarter hour `moment` falls in (the now-line), or None."""
        return self.place(moment, moment + timedelta(seconds=1))[0] if self.holds(moment) else None

    def holds(self, moment):
        return self.start <= moment < self.end


def monday_of(day):
    return day - timedelta(days=day.weekday())


def week_days(monday, zone):
    """The seven days from `monday`, each with its bounds in UTC as the reader's zone has them."""
    def first_instant(day):
        return datetime.combine(day, time(0), zone).astimezone(timezone.utc)
    days = [monday + timedelta(days=n) for n in range(8)]
    return [Day(d, first_instant(d), first_instant(n)) for d, n in zip(days, days[1:], strict=False)]


def parse_week(text, today):
    """The Monday of the week a ?week=YYYY-MM-DD names (any day of it), else of today's week;
    a date far outside the calendar's years is taken as today."""
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError:
        day = today
    if not 2000 <= day.year <= 2999:
        day = today
    return monday_of(day)
