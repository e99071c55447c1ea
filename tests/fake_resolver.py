"""Names the tests give webhooks, resolved from a table instead of the network: tests never send
traffic beyond the loopback range, not even a DNS query."""
import ipaddress
import socket


class FakeResolver:
    """Stands in for backend.domain.webhook_urls.resolve: `names` maps a host name to its addresses, or
    to a list of such lists handed out one per look-up (the last one repeating); `looked_up` is
    every name asked for, in order. Any other name does not resolve."""

    def __init__(self):
        self.names = {"localhost": ["127.0.0.1", "::1"]}
        self.looked_up = []

    def __call__(self, host, port):
        self.looked_up.append(host)
        answers = self.names.get(host)
        if answers is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if answers and isinstance(answers[0], list):
            asked = self.looked_up.count(host)
            answers = answers[min(asked, len(answers)) - 1]
        return [ipaddress.ip_address(a) for a in answers]
