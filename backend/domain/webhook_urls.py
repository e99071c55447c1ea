"""Webhook URLs: the one parser and the one address policy, used alike when a webhook is
registered, when the worker decides whether it may send, and by the sender, so that what was
checked is exactly what is connected to.

The parser takes http and https URLs with a host, a port from 1 to 65535, no user-info and no
whitespace or control characters, of at most 2,000 characters. The policy (RESERVIA_WEBHOOK_HOSTS)
lists host names (`ci.example.org`), wildcards (`*.example.org`, or `*` for any name) and networks
(`10.0.0.0/8`, `fd00::/8`); empty, any host is allowed. Whatever the list, loopback, link-local,
private, unique-local, multicast, unspecified and other non-public addresses (v4, v6, and v4
inside v6) are refused unless a listed network contains them: a name pattern never opens them.

Plain Python (no Flask): the forms, the worker and migration 0007 import it.
"""
import ipaddress
import re
import socket
from dataclasses import dataclass

MAX_LENGTH = 2000
SCHEMES = {"http": 80, "https": 443}
_AUTHORITY = re.compile(r"\A(?:\[(?P<v6>[^\]]*)\]|(?P<host>[^:\[\]]*))(?::(?P<port>[0-9]{0,5}))?\Z")
_LABEL = re.compile(r"\A[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\Z")


class InvalidUrl(ValueError):
    """A URL webhooks cannot be sent to, whatever the policy; the message says why."""


class Blocked(ValueError):
    """A host or address the policy refuses; the message says why."""


@dataclass(frozen=True)
class WebhookUrl:
    """A parsed webhook URL: what the sender connects to and what it asks for."""

    scheme: str
    host: str
    port: int
    target: str
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None

    @property
    def host_header(self):
        host = f"[{self.host}]" if self.address is not None and self.address.version == 6 else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"


def parse_url(text):
    """The WebhookUrl of `text`, or InvalidUrl saying what is wrong with it."""
    if not isinstance(text, str) or not text:
        raise InvalidUrl("Give an http:// or https:// URL with a host.")
    if len(text) > MAX_LENGTH:
        raise InvalidUrl(f"The URL is longer than {MAX_LENGTH:,} characters.")
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise InvalidUrl("The URL must not contain spaces, line breaks or other control characters.")
    scheme, separator, rest = text.partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in SCHEMES:
        raise InvalidUrl("Give an http:// or https:// URL with a host.")
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, target = rest[:cut], rest[cut:].split("#", 1)[0]
    if "@" in authority:
        raise InvalidUrl("The URL must not carry a user name or password (user@host).")
    if "\\" in authority:
        raise InvalidUrl("The URL's host must not contain a backslash.")
    match = _AUTHORITY.match(authority)
    if not match:
        raise InvalidUrl("The URL's host is not a host name or an address.")
    host, address = _host(match["v6"], match["host"])
    port = SCHEMES[scheme] if not match["port"] else int(match["port"])
    if not 1 <= port <= 65535:
        raise InvalidUrl("The URL's port must be a number from 1 to 65535.")
    if not target.startswith("/"):
        target = "/" + target
    # Sent as typed, with characters beyond ASCII percent-encoded as UTF-8.
    target = "".join(c if ord(c) < 0x80 else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in target)
    return WebhookUrl(scheme, host, port, target, address)


def _host(v6, name):
    if v6 is not None:
        if "%" in v6:
            raise InvalidUrl("The URL's IPv6 address must not name a network interface (%).")
        try:
            address = ipaddress.IPv6Address(v6)
        except ValueError:
            raise InvalidUrl("The URL's host is not a valid IPv6 address.") from None
        return str(address), address
    name = name.lower().rstrip(".")
    if not name:
        raise InvalidUrl("Give an http:// or https:// URL with a host.")
    try:
        address = ipaddress.IPv4Address(name)
        return str(address), address
    except ValueError:
        pass
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidUrl("The URL's host is not a valid host name.") from None
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise InvalidUrl("The URL's host is not a valid host name.")
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        # 2130706433 or 0x7f.1 would reach an address written some other way.
        raise InvalidUrl("The URL's host is not a valid address: write IPv4 as four numbers, 10.0.0.1.")
    return name, None


def resolve(host, port):
    """The addresses `host` has, in the resolver's order (socket.gaierror when it has none)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses = []
    for info in found:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _embedded(address):
    """The IPv4 address a v6 one carries (v4-mapped, 6to4, Teredo), or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    return address.teredo[1] if address.teredo is not None else None


def _judged(address):
    """The addresses that say where `address` leads: a v4-mapped one is its v4 address."""
    embedded = _embedded(address)
    if embedded is None:
        return (address,)
    return (embedded,) if address.ipv4_mapped is not None else (address, embedded)


def is_reserved(address):
    """True for an address that is not a public one: loopback, link-local, private, unique-local,
    multicast, unspecified, documentation, shared, reserved (v4 inside v6 judged as v4)."""
    return any(a.is_multicast or a.is_reserved or a.is_unspecified or not a.is_global
               for a in _judged(address))


class HostPolicy:
    """RESERVIA_WEBHOOK_HOSTS: which hosts and addresses webhooks may reach."""

    def __init__(self, setting):
        self.names, self.networks = [], []
        for item in (part.strip().lower() for part in (setting or "").split(",")):
            if not item:
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.names.append(item.rstrip("."))

    @property
    def restricted(self):
        return bool(self.names or self.networks)

    def _named(self, url):
        """True when the URL's host is a listed name or matches a listed wildcard."""
        return any(_name_matches(pattern, url.host) for pattern in self.names)

    def _listed(self, address):
        return any(a in network for network in self.networks for a in (address, *_judged(address))
                   if a.version == network.version)

    def address_refusal(self, url, address):
        """Why `address` (one of the URL's host's) may not be connected to, or None."""
        if self._listed(address):
            return None
        if is_reserved(address):
            return (f"{address} is a loopback, private or other non-public address: webhooks are not "
                    "sent there unless RESERVIA_WEBHOOK_HOSTS lists a network containing it.")
        if self.restricted and not self._named(url):
            return f"Webhooks to {url.host} are not allowed here (see RESERVIA_WEBHOOK_HOSTS)."
        return None

    def addresses(self, url):
        """The addresses the sender may connect to for `url`, resolved once: Blocked when there
        are none, socket.gaierror when the name does not resolve."""
        if self.restricted and not self._named(url) and not self.networks:
            raise Blocked(f"Webhooks to {url.host} are not allowed here (see RESERVIA_WEBHOOK_HOSTS).")
        found = [url.address] if url.address is not None else resolve(url.host, url.port)
        allowed = [a for a in found if self.address_refusal(url, a) is None]
        if not allowed:
            raise Blocked(self.address_refusal(url, found[0]) if found else f"{url.host} has no address.")
        return allowed

    def registration_refusal(self, url):
        """Why a webhook to `url` (a WebhookUrl) may not be registered, or None. A name that does
        not resolve now is accepted when it matches a listed name or no list is set; every
        attempt checks its addresses again."""
        try:
            self.addresses(url)
        except Blocked as refusal:
            return str(refusal)
        except (OSError, UnicodeError):
            if self.restricted and not self._named(url):
                return f"Webhooks to {url.host} are not allowed here (see RESERVIA_WEBHOOK_HOSTS)."
        return None


def _name_matches(pattern, host):
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern
