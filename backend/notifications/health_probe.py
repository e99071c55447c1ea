"""One health check attempt: open a TCP connection, or GET an http(s) URL (healthy on 2xx or 3xx,
redirects not followed), under the webhooks' address policy (RESERVIA_WEBHOOK_HOSTS).

The target is read by the one parser (backend/domain/health_targets.py), its host resolved once
and each address checked by HostPolicy; the connection goes to a checked address, so a blocked
target is refused before anything is connected to, and a name that answers differently a moment
later cannot lead elsewhere. What went wrong is a short category (`refused`, `timeout`, `http
503`, `blocked` …), the one the maintenance reason names.
"""
import socket
from dataclasses import dataclass

from backend.domain.health_targets import HTTP, parse_target
from backend.domain.webhook_urls import Blocked, InvalidUrl
from backend.notifications.webhook_sender import _PinnedHTTP, _PinnedHTTPS, category_of
from backend.version import __version__

USER_AGENT = f"Reservia/{__version__} (health check)"
ADDRESSES_TRIED = 3


@dataclass(frozen=True)
class Probed:
    ok: bool
    category: str | None = None
    detail: str | None = None


def probe(kind, target, timeout, policy):
    """Try the target once: a Probed."""
    try:
        url = parse_target(kind, target)
        addresses = policy.addresses(url)
    except InvalidUrl as error:
        return Probed(False, "invalid target", str(error))
    except Blocked as error:
        return Probed(False, "blocked", str(error))
    except (OSError, UnicodeError) as error:
        return Probed(False, "dns", f"{type(error).__name__}: {error}")
    failure = None
    for address in addresses[:ADDRESSES_TRIED]:
        try:
            if kind == HTTP:
                return _http(url, address, timeout)
            with socket.create_connection((str(address), url.port), timeout):
                return Probed(True)
        except Exception as error:  # noqa: BLE001 - any failure is this attempt's, told by category
            failure = Probed(False, category_of(error), f"{type(error).__name__}: {error}")
    return failure


def _http(url, address, timeout):
    connection = (_PinnedHTTPS if url.scheme == "https" else _PinnedHTTP)(url, address, timeout)
    try:
        connection.request("GET", url.target, headers={"Host": url.host_header, "User-Agent": USER_AGENT})
        response = connection.getresponse()
        response.read(64 * 1024)
    finally:
        connection.close()
    if 200 <= response.status < 400:
        return Probed(True)
    return Probed(False, f"http {response.status}", f"HTTP {response.status} {response.reason}")
