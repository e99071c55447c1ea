"""Servers the notification tests send to: an HTTP receiver for webhooks, a real SMTP server."""
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from deploy.ports import free_loopback_port
from tests.threaded_server import start_in_thread


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers each POST with the next status of `answers` (the last one repeats), after `delay`
    seconds; keeps every request it got."""

    answers: list = field(default_factory=lambda: [200])
    delay: float = 0.0
    received: list = field(default_factory=list)

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, dict(self.headers), body))
                status = receiver.answers[min(len(receiver.received), len(receiver.answers)) - 1]
                if receiver.delay:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self._stop = start_in_thread(self.server)
        return self

    def url_of(self, path):
        """Another URL of the same receiver: a second webhook."""
        return self.url.rsplit("/", 1)[0] + path

    def stop(self):
        self._stop()

    def by_delivery(self):
        """How many times each X-Reservia-Delivery id was received."""
        counts = {}
        for request in self.received:
            key = request.headers["X-Reservia-Delivery"]
            counts[key] = counts.get(key, 0) + 1
        return counts


class ResettingReceiver:
    """Accepts each connection, reads what comes, and drops it with a reset (RST), as a crashed
    or hostile receiver does; counts the connections."""

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # stopped
            with connection:
                self.connections += 1
                connection.settimeout(5)
                try:
                    connection.recv(65536)
                except OSError:
                    pass
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def stop(self):
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() waiting in _serve
        self.listener.close()


class Mailbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a loopback port (no TLS: the tests set RESERVIA_SMTP_SECURITY=none)."""

    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_loopback_port()
        self.controller = None

    def start(self):
        """Start, or start again after stop(), on the same port."""
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        return self.mailbox.messages
