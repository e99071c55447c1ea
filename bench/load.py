"""The load generator, run as its own process: `python -m bench.load < spec.json` prints the figures as JSON.

Each virtual client keeps one HTTP/1.1 keep-alive connection to the loopback server and repeats its
operation (one or more requests in order) back to back, or with a pause between operations like a
page that refreshes itself. Only operations that start after the warm-up and end before the deadline
are counted, so every figure comes from the steady state; the server processes' CPU time is read
from /proc at the start and at the end of that same window.
"""
import asyncio
import json
import random
import resource
import ssl
import sys

from bench.machine import TICKS, tree_ticks

REQUEST_TIMEOUT = 30.0
EXTENSION = 0.25
DRAIN_TIMEOUT = 35.0


class HttpConnection(asyncio.Protocol):
    """One keep-alive connection that sends a request and hands back (status, body) when it is whole."""

    def __init__(self):
        self.transport = None
        self.buffer = bytearray()
        self.waiter = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed mid-response"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data):
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            response = self._complete_response()
            if response is not None:
                self.waiter.set_result(response)

    def send(self, raw):
        self.buffer.clear()
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return self.waiter

    def _complete_response(self):
        """(status, keep_alive) once the buffer holds a whole response, else None."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).lower()
        status = int(head[9:12])
        body_start = end + 4
        length = _header(head, b"content-length")
        if length is not None:
            if len(self.buffer) - body_start < int(length):
                return None
        elif _header(head, b"transfer-encoding") == b"chunked":
            if not self.buffer.endswith(b"0\r\n\r\n"):
                return None
        elif status not in (204, 304):
            return None  # body ends when the server closes; connection_lost reports it
        keep_alive = _header(head, b"connection") != b"close"
        return status, keep_alive


def _header(head, name):
    start = head.find(b"\r\n" + name + b":")
    if start < 0:
        return None
    start += len(name) + 3
    stop = head.find(b"\r\n", start)
    return head[start:stop if stop >= 0 else None].strip()


def build_request(step, host):
    """The bytes of one request step: {"method", "path", "headers", "body"}."""
    body = step.get("body")
    body_bytes = json.dumps(body).encode() if body is not None else b""
    lines = [f"{step['method']} {step['path']} HTTP/1.1", f"Host: {host}"]
    for name, value in step.get("headers", {}).items():
        lines.append(f"{name}: {value}")
    if body is not None:
        lines.append("Content-Type: application/json")
    if body is not None or step["method"] == "POST":
        lines.append(f"Content-Length: {len(body_bytes)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body_bytes


class Group:
    """The clients of one scenario and the operations they completed in the measured window."""

    def __init__(self, spec, host):
        self.name = spec["name"]
        self.pause = spec.get("pause", 0.0)
        self.clients = [
            [(build_request(step, host), set(step["expect"])) for step in client["steps"]]
            for client in spec["clients"]
        ]
        self.latencies = []
        self.requests = 0
        self.errors = 0
        self.error_samples = {}
        # Every request of the run, warm-up and the operations still going at the end included:
        # even a figure that finished nothing in its window shows that the scenario was answered.
        self.all_requests = 0
        self.all_errors = 0

    def record_error(self, what):
        self.errors += 1
        self.error_samples[what] = self.error_samples.get(what, 0) + 1


def client_tls():
    """TLS for the loopback server's self-signed certificate; None for plain HTTP."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Window:
    """The measured span: operations that start after `start` and end before `stop` count. The
    clients go on until `closed`, so that `stop` may still be moved while they run."""

    def __init__(self, start, stop):
        self.start, self.stop, self.closed = start, stop, False


async def run_client(group, steps, host, port, window, tls=None):
    """Repeat the client's operation until the window closes, reconnecting after closes and failures."""
    loop = asyncio.get_running_loop()
    connection = None
    if group.pause:
        await asyncio.sleep(random.uniform(0, group.pause))  # open pages do not refresh in step
    while not window.closed:
        began = loop.time()
        measured = window.start <= began < window.stop
        failed = False
        for raw, expected in steps:
            status, keep_alive, connection = await _exchange(connection, raw, host, port, tls)
            if not keep_alive and connection is not None:
                connection.transport.close()
                connection = None
            group.all_requests += 1
            group.all_errors += status not in expected
            if measured and loop.time() <= window.stop:
                group.requests += 1
                if status not in expected:
                    failed = True
                    group.record_error(str(status))
            if isinstance(status, str):
                await asyncio.sleep(0.05)
        ended = loop.time()
        if measured and ended <= window.stop and not failed:
            group.latencies.append(ended - began)
        if group.pause:
            await asyncio.sleep(group.pause)
    if connection is not None:
        connection.transport.close()


async def _exchange(connection, raw, host, port, tls):
    """(status, keep_alive, connection) for one request; the status is an exception's name when it
    failed. A GET that finds its idle keep-alive connection closed by the server (Apache closes
    them after KeepAliveTimeout) is sent once more on a new one, as browsers do."""
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        reused = connection is not None and not connection.transport.is_closing()
        try:
            if not reused:
                _, connection = await loop.create_connection(HttpConnection, host, port, ssl=tls)
            status, keep_alive = await asyncio.wait_for(connection.send(raw), REQUEST_TIMEOUT)
            return status, keep_alive, connection
        except (TimeoutError, OSError, ConnectionError) as exc:
            if connection is not None:
                connection.transport.close()
                connection = None
            stale = reused and not isinstance(exc, TimeoutError) and raw.startswith(b"GET ")
            if attempt == 2 or not stale:
                return type(exc).__name__, False, None
    raise AssertionError("unreachable")


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(group, seconds):
    values = sorted(group.latencies)

    def ms(v):
        return round(v * 1000, 2) if v is not None else None

    operations = len(values)
    return {
        "name": group.name,
        "clients": len(group.clients),
        "operations": operations,
        "requests": group.requests,
        "errors": group.errors,
        "error_kinds": group.error_samples,
        "all_requests": group.all_requests,
        "all_errors": group.all_errors,
        "seconds": round(seconds, 3),
        "ops_per_s": round(operations / seconds, 1),
        "requests_per_s": round(group.requests / seconds, 1),
        "p50_ms": ms(percentile(values, 0.50)),
        "p95_ms": ms(percentile(values, 0.95)),
        "p99_ms": ms(percentile(values, 0.99)),
        "max_ms": ms(values[-1] if values else None),
    }


async def drive(spec):
    host, port = spec["host"], spec["port"]
    groups = [Group(g, f"{host}:{port}") for g in spec["groups"]]
    loop = asyncio.get_running_loop()
    start_at = loop.time() + spec["warmup"]
    window = Window(start_at, start_at + spec["duration"])
    tls = client_tls() if spec.get("tls") else None
    tasks = [asyncio.create_task(run_client(group, steps, host, port, window, tls))
             for group in groups for steps in group.clients]
    servers = set(spec.get("server_pids", ()))
    await asyncio.sleep(max(0.0, start_at - loop.time()))
    cpu_before, server_before = _cpu_seconds(), tree_ticks(servers)
    await asyncio.sleep(max(0.0, window.stop - loop.time()))
    # The quick benchmark's sub-second figures, on a machine busy with other work: a figure that
    # finished no operation is measured longer (up to `at_least_one` seconds more), not left empty.
    more = spec.get("at_least_one", 0.0)
    while more > 0 and any(not group.latencies for group in groups):
        window.stop += EXTENSION
        more -= EXTENSION
        await asyncio.sleep(max(0.0, window.stop - loop.time()))
    cpu_used, server_used = _cpu_seconds() - cpu_before, (tree_ticks(servers) - server_before) / TICKS
    window.closed = True
    _, pending = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT)
    for task in pending:
        task.cancel()
    seconds = window.stop - window.start
    return {"groups": [summarise(g, seconds) for g in groups],
            "client_cpu_share": round(cpu_used / seconds, 3),
            "server_cpu_seconds": round(server_used, 3), "seconds": round(seconds, 3)}


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    spec = json.load(sys.stdin)
    json.dump(asyncio.run(drive(spec)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
