"""Which hosts webhooks may be sent to: any by default (receivers live on the intranet), or only
those an administrator lists in RESERVIA_WEBHOOK_HOSTS.

The list holds host names (`ci.example.org`), wildcards (`*.example.org`) and networks
(`10.0.0.0/8`, `fd00::/8`). A URL is allowed when its host matches a name or wildcard, or when its
host is an address in a listed network, or a name whose every address lies in one. Registration
checks it, and so does every attempt, so a narrowed list applies to webhooks already registered.
"""
import ipaddress
import socket
from urllib.parse import urlsplit


class HostPolicy:
    def __init__(self, setting):
        self.names, self.networks = [], []
        for item in (part.strip().lower() for part in (setting or "").split(",")):
            if not item:
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.names.append(item)

    @property
    def restricted(self):
        return bool(self.names or self.networks)

    def refusal(self, url):
        """Why a webhook may not be sent to `url`, or None when it may."""
        if not self.restricted:
            return None
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if any(self._name_matches(pattern, host) for pattern in self.names):
            return None
        if self.networks and self._addresses_allowed(host):
            return None
        return f"Webhooks to {host or 'that host'} are not allowed here (see RESERVIA_WEBHOOK_HOSTS)."

    @staticmethod
    def _name_matches(pattern, host):
        if pattern.startswith("*."):
            return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
        return host == pattern

    def _addresses_allowed(self, host):
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
            except (OSError, UnicodeError):
                return False
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
        return bool(addresses) and all(any(a in net for net in self.networks) for a in addresses)
