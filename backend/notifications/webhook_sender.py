"""Sending one webhook delivery: a JSON POST, signed, with the event id for the receiver's dedup.

The URL is read by the one parser (backend/domain/webhook_urls.py), its host resolved once, and each
address checked against RESERVIA_WEBHOOK_HOSTS; the connection goes to a checked address while the
Host header and the TLS server name stay the host's name, so a name that answers differently a
moment later (DNS rebinding) cannot lead elsewhere. Redirects are answers like any other non-2xx:
reported and retried, never followed. What went wrong is told as a short category (`timeout`,
`refused`, `dns`, `tls`, `http 503`, `blocked` …) that owners see; the full text is only logged.
"""
import http.client
import socket
import ssl
from dataclasses import dataclass

from backend.domain import webhook_urls
from backend.domain.webhook_urls import Blocked, InvalidUrl
from backend.notifications.signing import signature
from backend.version import __version__

USER_AGENT = f"Reservia/{__version__} (webhooks)"
# Addresses of one host tried, in the resolver's order, before the attempt counts as failed.
ADDRESSES_TRIED = 3
_TLS = ssl.create_default_context()


@dataclass(frozen=True)
class Sent:
    """How one attempt went: `category` is what the owner sees, `detail` only the log."""

    delivered: bool
    status_code: int | None = None
    category: str | None = None
    detail: str | None = None
    # False when trying again cannot help (an invalid or blocked URL).
    retryable: bool = True


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, not to whatever the name resolves to now."""

    def __init__(self, url, address, timeout):
        super().__init__(url.host, url.port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(_PinnedHTTP):
    """The same, over TLS, the certificate checked against the host's name (SNI too)."""

    def connect(self):
        super().connect()
        self.sock = _TLS.wrap_socket(self.sock, server_hostname=self.host)


def send_webhook(claim, timeout, policy):
    """POST the claim's body to its webhook, if the policy allows its address: a Sent."""
    try:
        url = webhook_urls.parse_url(claim.url)
        addresses = policy.addresses(url)
    except InvalidUrl as error:
        return Sent(False, category="invalid url", detail=str(error), retryable=False)
    except Blocked as error:
        return Sent(False, category="blocked", detail=str(error), retryable=False)
    except (OSError, UnicodeError) as error:
        return Sent(False, category="dns", detail=f"{type(error).__name__}: {error}")
    body = claim.body.encode("utf-8")
    headers = {
        "Host": url.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Reservia-Event": claim.event,
        "X-Reservia-Delivery": claim.event_uid,
        "X-Reservia-Signature": signature(claim.secret, body),
        "X-Reservia-Attempt": str(claim.attempt),
    }
    failure = None
    for address in addresses[:ADDRESSES_TRIED]:
        connection = (_PinnedHTTPS if url.scheme == "https" else _PinnedHTTP)(url, address, timeout)
        try:
            try:
                connection.connect()
            except Exception as error:  # noqa: BLE001 - nothing sent yet: the next address may answer
                failure = _failed(error)
                continue
            try:
                connection.request("POST", url.target, body=body, headers=headers)
                response = connection.getresponse()
                response.read(64 * 1024)
            except Exception as error:  # noqa: BLE001 - any failure is this attempt's, told by category
                return _failed(error)
        finally:
            connection.close()
        if 200 <= response.status < 300:
            return Sent(True, response.status)
        return Sent(False, response.status, f"http {response.status}", f"HTTP {response.status} {response.reason}")
    return failure


def _failed(error):
    return Sent(False, category=category_of(error), detail=f"{type(error).__name__}: {error}")


def category_of(error):
    """The short name owners see for an attempt that raised `error`."""
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(error, (ssl.SSLError, ssl.CertificateError)):
        return "tls"
    if isinstance(error, socket.gaierror):
        return "dns"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected,
                          http.client.IncompleteRead)):
        return "reset"
    if isinstance(error, http.client.HTTPException):
        return "bad answer"
    if isinstance(error, OSError):
        return "unreachable"
    return "error"
