"""What a health check aims at: `host:port` for tcp, an http(s) URL for http, read by the webhook
URL parser (webhook_urls.py) so that the same hosts and addresses are accepted, and the same
address policy (RESERVIA_WEBHOOK_HOSTS) then decides where a check may connect.

Plain Python (no Flask): the form, the command line and the worker use it.
"""
from backend.domain.webhook_urls import InvalidUrl, parse_url

TCP = "tcp"
HTTP = "http"


def parse_target(kind, text):
    """The WebhookUrl a check of `kind` connects to, or InvalidUrl saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidUrl("Give a target: host:port for tcp, a URL for http.")
    text = text.strip()
    if kind == HTTP:
        return parse_url(text)
    if "/" in text or "?" in text or "#" in text or "@" in text:
        raise InvalidUrl("A tcp target is host:port, such as bench-3.lab:22 or [fd00::3]:22.")
    url = parse_url(f"http://{text}")
    if not text.rstrip().rsplit("]", 1)[-1].partition(":")[2]:
        raise InvalidUrl("A tcp target needs its port: host:port, such as bench-3.lab:22.")
    return url
