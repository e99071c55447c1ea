"""Messages that name a moment: pages show it in the reader's time zone, scripts read it in UTC.

A message is Markup whose times are <time> elements (localised by frontend/static/js/times.js);
JSON answers carry the same message with the tags stripped: "… kept until 21:08 UTC."
"""
from markupsafe import Markup


def clock(moment):
    """A time of day: "21:08 UTC" as text, the reader's own time on a page."""
    return Markup('<time datetime="{}" data-show="clock">{} UTC</time>').format(
        moment.isoformat(), moment.strftime("%H:%M"))


def as_text(message):
    """The message for a script: plain text, times in UTC."""
    return message.striptags() if isinstance(message, Markup) else message


def as_html(message):
    """The message for a page: Markup, its times ready to be localised."""
    return message if isinstance(message, Markup) else Markup.escape(message)


def ended_text(ended):
    """What ending someone's reservations did, one sentence each: who holds each resource now."""
    sentences = []
    for e in ended:
        if not e.was_holding:
            sentences.append(f"Their request for {e.resource_name} was withdrawn.")
        elif e.next_user_name:
            sentences.append(f"Their hold on {e.resource_name} ended; {e.next_user_name} now holds it.")
        else:
            sentences.append(f"Their hold on {e.resource_name} ended; it is free now.")
    return " ".join(sentences)


def modified_text(done, name, ended=()):
    """The answer to a change: `done` when something changed, else that nothing did."""
    if not done:
        return f"Nothing changed: {name} already had these settings."
    return " ".join(filter(None, [done, ended_text(ended)]))
