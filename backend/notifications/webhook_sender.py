"""Sending one webhook delivery: a JSON POST, signed, with the event id for the receiver's dedup."""
import socket
import urllib.error
import urllib.request

from backend.notifications.signing import signature
from backend.version import __version__

USER_AGENT = f"Reservia/{__version__} (webhooks)"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: reported and retried, never followed
    (following it would send the signed body somewhere nobody registered)."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def send_webhook(claim, timeout):
    """POST the claim's body to its webhook: (delivered?, HTTP status or None, error text or None)."""
    body = claim.body.encode("utf-8")
    request = urllib.request.Request(claim.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Reservia-Event": claim.event,
        "X-Reservia-Delivery": claim.event_uid,
        "X-Reservia-Signature": signature(claim.secret, body),
        "X-Reservia-Attempt": str(claim.attempt),
    })
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(64 * 1024)
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        return False, error.code, f"HTTP {error.code} {error.reason}"
    except (TimeoutError, socket.timeout):
        return False, None, f"no answer within {timeout:g} s"
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return False, None, f"no answer within {timeout:g} s"
        return False, None, f"could not connect: {reason}"
    except (OSError, ValueError) as error:
        return False, None, f"could not send: {error}"
    if 200 <= status < 300:
        return True, status, None
    return False, status, f"HTTP {status}"
