"""The week the calendar page shows: its seven days in the reader's zone, and where a window sits
in each day's column (as a share of the day, so the page needs no script to draw it). A day
of a daylight-saving change is 23 or 25 hours long; a share of that day is still right."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone


@dataclass(frozen=True)
class Day:
    day: date
    start: datetime  # its first instant, in UTC
    end: datetime  # the next day's first instant, in UTC

    def place(self, since, until):
        """(top, height) in percent of this day for the window [since, until), or None when the
        window misses the day. A window over midnight shows in both days."""
        if until <= self.start or since >= self.end:
            return None
        length = (self.end - self.start).total_seconds()
        top = (max(since, self.start) - self.start).total_seconds() / length * 100
        bottom = (min(until, self.end) - self.start).total_seconds() / length * 100
        return round(top, 3), round(max(bottom - top, 0.5), 3)

    def holds(self, moment):
        return self.start <= moment < self.end


def monday_of(day):
    return day - timedelta(days=day.weekday())


def week_days(monday, zone):
    """The seven days from `monday`, each with its bounds in UTC as the reader's zone has them."""
    def first_instant(day):
        return datetime.combine(day, time(0), zone).astimezone(timezone.utc)
    days = [monday + timedelta(days=n) for n in range(8)]
    return [Day(d, first_instant(d), first_instant(n)) for d, n in zip(days, days[1:])]


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
