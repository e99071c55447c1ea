"""Loopback ports for the private servers the tests and the benchmark start (PostgreSQL, Apache)."""
import random
import socket

# The kernel hands out ephemeral ports from 32768 up; a server port must stay below them, or a
# client connection made meanwhile may already hold it.
PORT_RANGE = (20000, 32000)


def free_loopback_port():
    """A loopback port below the kernel's ephemeral range that nothing is listening on now."""
    for _ in range(200):
        port = random.randint(*PORT_RANGE)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below 32768")
