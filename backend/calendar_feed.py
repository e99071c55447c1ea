"""Bookings as an iCalendar feed (RFC 5545) that Thunderbird, Outlook or a phone subscribe to.

Each booking of a resource is one event with a stable UID, so a calendar updates it in place;
SEQUENCE is raised on every change and a cancelled booking stays in the feed as CANCELLED, so
subscribers drop it rather than keep a stale copy.
"""

from backend.version import __version__

STATUS = {"cancelled": "CANCELLED"}


def feed(name, rows, host):
    """The feed called `name` of the booking rows given (see BookingReads.listing), as bytes."""
    from icalendar import Calendar, Event  # here: loaded by the first feed asked for, not at every start
    calendar = Calendar()
    calendar.add("prodid", f"-//Reservia//Reservia {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for row in rows:
        event = Event()
        event.add("uid", f"booking-{row.id}@{host}")
        event.add("dtstamp", row.updated_at)
        event.add("last-modified", row.updated_at)
        event.add("dtstart", row.start_at)
        event.add("dtend", row.end_at)
        what = "Maintenance" if row.maintenance else row.user_name
        event.add("summary", f"{row.resource_name}: {what}")
        if row.note:
            event.add("description", row.note)
        event.add("sequence", row.sequence)
        event.add("status", STATUS.get(row.status, "CONFIRMED"))
        calendar.add_component(event)
    return calendar.to_ical()
