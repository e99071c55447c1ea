"""What each event says to a person, in the browser, in an e-mail and in a chat message alike."""
from datetime import datetime

from backend.models.notifications import (
    BOOKING_CANCELLED,
    BOOKING_STARTED,
    BOOKING_STARTS_SOON,
    ENDED,
    EXPIRING,
    GRANTED,
    HOLD_SHORTENED,
    RESOURCE_CHANGED,
    TEST,
)

BOOKING_TITLES = {
    BOOKING_STARTS_SOON: "Your booking of {resource} starts at {start}",
    BOOKING_STARTED: "Your booking of {resource} started: it is yours until {end}",
    BOOKING_CANCELLED: "Your booking of {resource} was cancelled",
    HOLD_SHORTENED: "Your hold on {resource} now ends at {until}, for a booking",
}


def _clock(iso_text):
    """"14:05 UTC" from an ISO 8601 time, or None."""
    if not iso_text:
        return None
    return f"{datetime.fromisoformat(iso_text):%H:%M} UTC"


def resource_label(record):
    detail = record.event.detail or {}
    if record.event.resource_id is None and detail.get("labels"):
        return f"{detail.get('count', 1)} × {', '.join(detail['labels'])}"
    return record.resource_name or f"resource {record.event.resource_id}"


def resource_ids_of(event):
    """The resources an event is about: its one resource, or those its label request held."""
    if event.resource_id is not None:
        return [event.resource_id]
    return list((event.detail or {}).get("resource_ids") or [])


def title(record):
    """A short line: an e-mail subject, a desktop notification's title, a browser tab's title."""
    event, resource = record.event, resource_label(record)
    if event.event == GRANTED:
        return f"Your turn: {resource} is yours"
    if event.event == EXPIRING:
        return f"Your hold on {resource} ends soon"
    if event.event == ENDED:
        return f"Your {_what(event)} on {resource} ended"
    if event.event == RESOURCE_CHANGED:
        maintenance = (event.detail or {}).get("maintenance")
        return f"{resource} {'is in maintenance' if maintenance else 'is back from maintenance'}"
    if event.event == TEST:
        return "Test delivery from Reservia"
    if event.event in BOOKING_TITLES:
        return _booking_line(event, resource)
    return event.event


def _booking_line(event, resource):
    detail = event.detail or {}
    return BOOKING_TITLES[event.event].format(resource=resource, start=_clock(detail.get("start")),
                                              end=_clock(detail.get("end")), until=_clock(detail.get("valid_until")))


def text(record):
    """The whole message, one or two sentences."""
    event, resource, detail = record.event, resource_label(record), record.event.detail or {}
    if event.event == GRANTED:
        until = _clock(detail.get("valid_until"))
        tail = f" The hold lasts until {until} unless you keep it alive." if until else ""
        return f"Your request {event.reservation_id} was approved: you now hold {resource}.{tail}"
    if event.event == EXPIRING:
        until = _clock(detail.get("valid_until"))
        return (f"Your hold on {resource} ends at {until}. Keep it alive or release it "
                "if you are done.")
    if event.event == ENDED:
        return f"Your {_what(event)} on {resource} (request {event.reservation_id}) ended: {event.reason}."
    if event.event == RESOURCE_CHANGED:
        maintenance = detail.get("maintenance")
        by = f" by {record.user_name}" if record.user_name else ""
        if "holder_id" in detail or detail.get("maintenance_reason"):
            # Its health check, not a person, made the change (user_name is then the holder's).
            if maintenance:
                return (f"{resource} was put in maintenance: {detail.get('maintenance_reason')}. "
                        "Its queue waits until it answers again.")
            return f"{resource} answers its health check again and is out of maintenance: its queue moves again."
        if maintenance:
            return f"{resource} was put in maintenance{by}: its queue waits until it is back."
        return f"{resource} was taken out of maintenance{by}: its queue moves again."
    if event.event == TEST:
        return "This is a test delivery from Reservia: the webhook works."
    if event.event in BOOKING_TITLES:
        line = _booking_line(event, resource)
        return f"{line} (booking {detail.get('booking_id')}" + (f": {event.reason})." if event.reason else ").")
    return event.event


def _what(event):
    return "request" if (event.detail or {}).get("was") == "requested" else "hold"
