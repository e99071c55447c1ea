"""Lengths of time as people say them, in every message and on every page."""
from datetime import timedelta


def duration_text(span):
    """A length of time as people say it: "10 min", "2 h", "1 h 30 min"; "no limit" for None."""
    if span is None:
        return "no limit"
    minutes = int(span.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def minutes_text(minutes):
    """A number of minutes as people say it: "10 min", "2 h", "1 h 30 min"."""
    return duration_text(timedelta(minutes=minutes))
