#!/usr/bin/env python3
"""reservia: take a Reservia resource for the length of a command, from a shell or a CI job.

    export RESERVIA_URL=https://reservia.example.org/reservia RESERVIA_TOKEN=rsv_...
    reservia lock --resource bench-1 -- ./run-hil-tests.sh
    reservia lock --labels scope,usb3 --count 2 --wait 600 --lease 60 -- make test

`lock` asks for the resource (or any COUNT resources carrying the labels), waits for its turn,
runs the command with RESERVIA_RESOURCES (names, comma-separated), RESERVIA_RESOURCE_IDS and
RESERVIA_REQUEST_ID in its environment, keeps the hold alive meanwhile and releases it when the
command ends, Ctrl-C and SIGTERM included; it exits with the command's status. The hold has a
lease: if this process dies, even by SIGKILL, the hold ends by itself LEASE seconds later and
the next in line gets the resource.

One file, Python 3.8+ standard library only: copy it to a CI machine, or `pip install ./client`.

Exit status: the command's own for `lock`; 0 for the other commands when they succeed; 1 when
Reservia refused (an unknown resource, say); 2 for a usage error or a token Reservia does not
accept; 69 when Reservia cannot be reached; 75 when `lock --wait` ran out (the request is
cancelled); 76 when the hold was lost while the command ran (the command is sent SIGTERM).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__version__ = "1.0.0"

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 69
EXIT_WAIT_TIMED_OUT = 75
EXIT_HOLD_LOST = 76

DEFAULT_LEASE = 60
# The longest one wait call is held open by the server.
SERVER_WAIT_LIMIT = 30
# How long the command has to stop after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 10
# A network error or a busy server is retried this long before the next attempt.
RETRY_PAUSE = 2.0


class ReserviaError(Exception):
    """Reservia answered with an error: its message, code and HTTP status."""

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class Unreachable(Exception):
    """Reservia could not be reached, or answered something that is not Reservia's JSON."""


class Stopped(Exception):
    """SIGINT or SIGTERM arrived while waiting."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def say(message):
    print(f"reservia: {message}", file=sys.stderr, flush=True)


class Client:
    """Reservia's JSON API, authenticated with an API token."""

    def __init__(self, url, token, timeout=15):
        self.base = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method, path, body=None, query=None, timeout=None):
        """(JSON answer, headers); ReserviaError for an error answer, Unreachable otherwise."""
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return json.loads(response.read().decode() or "{}"), response.headers
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read().decode())
            except ValueError:
                raise Unreachable(f"{url} answered HTTP {error.code}, not Reservia's JSON") from None
            raise ReserviaError(answer.get("error", f"HTTP {error.code}"), answer.get("code"), error.code) from None
        except (urllib.error.URLError, OSError) as error:
            raise Unreachable(f"cannot reach {self.base}: {getattr(error, 'reason', error)}") from None
        except ValueError:
            raise Unreachable(f"{url} did not answer with JSON: is RESERVIA_URL Reservia's address?") from None

    def get(self, path, **query):
        return self.call("GET", path, query={k: v for k, v in query.items() if v is not None})[0]

    def post(self, path, **body):
        return self.call("POST", path, body=body)[0]

    def resources(self):
        return self.get("/info/resources")["resources"]

    def resource_id(self, name):
        """The id of the resource with this name (or, failing that, this id)."""
        resources = self.resources()
        for resource in resources:
            if resource["name"] == name:
                return resource["id"]
        if name.isdigit() and any(r["id"] == int(name) for r in resources):
            return int(name)
        raise ReserviaError(f"No resource named {name!r}.", "RESOURCE_NOT_FOUND", 404)

    def request(self, resource=None, labels=None, count=None, lease=None):
        body = {"resource_id": self.resource_id(resource)} if resource else {"labels": labels}
        if count is not None:
            body["count"] = count
        if lease:
            body["lease_seconds"] = lease
        return self.post("/reservation/request", **body)

    def wait(self, request_id, timeout):
        """(status answer, seconds to wait before asking again)."""
        answer, headers = self.call("GET", "/reservation/wait",
                                    query={"request_id": request_id, "timeout": int(timeout)},
                                    timeout=timeout + self.timeout)
        retry_after = headers.get("Retry-After")
        return answer, float(retry_after) if retry_after else 0.0

    def keep_alive(self, request_id):
        return self.post("/reservation/keep_alive", request_id=request_id)

    def release(self, request_id):
        return self.post("/reservation/release", request_id=request_id)

    def cancel(self, request_id):
        return self.post("/reservation/cancel", request_id=request_id)

    def give_back(self, request_id):
        """End the request whatever it is by now: release a hold, cancel a queued request."""
        try:
            return self.release(request_id)
        except ReserviaError as error:
            if error.code == "IS_QUEUED":
                return self.cancel(request_id)
            if error.status == 404:
                return None  # already over
            raise

    def names_of(self, resource_ids):
        names = {r["id"]: r["name"] for r in self.resources()}
        return [names.get(i, str(i)) for i in resource_ids]


class Lock:
    """One `reservia lock`: request, wait in line, run the command under a kept-alive hold, release."""

    def __init__(self, client, args):
        self.client = client
        self.args = args
        self.lease = args.lease
        self.request_id = None
        self.what = args.resource or f"{args.count or 1} × {','.join(args.labels)}"
        self.lost = None
        self.last_kept_alive = None
        self.child = None
        self.stop_signal = None

    def run(self):
        previous = {s: signal.signal(s, self._stop_waiting) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        deadline = None if self.args.wait is None else time.monotonic() + self.args.wait
        try:
            answer = self._request(deadline)
            if answer is None:
                return EXIT_WAIT_TIMED_OUT
            self.request_id = answer["request_id"]
            self.last_kept_alive = time.monotonic()
            held = answer if answer["status"] == "approved" else self._wait(answer, deadline)
        except Stopped as stopped:
            self._give_back_quietly()
            return 128 + stopped.signum
        except ReserviaError as error:
            self._give_back_quietly()
            if error.code != "REQUEST_ENDED":
                raise
            say(error.message)
            return EXIT_HOLD_LOST
        except BaseException:
            self._give_back_quietly()
            raise
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if held is None:
            return EXIT_WAIT_TIMED_OUT
        say_bound(held)
        return self._run_command(held)

    def _request(self, deadline):
        """The request's first answer. Reservia takes one request per user and resource by name:
        while another job of the same user has one, ask again every few seconds (None: --wait ran out)."""
        told = False
        while True:
            try:
                return self.client.request(self.args.resource, self.args.labels, self.args.count, self.lease)
            except ReserviaError as error:
                if error.code != "ALREADY_ACTIVE":
                    raise
                if not told:
                    say(f"another request of yours holds or waits for {self.what}; asking again until it is over")
                    told = True
            if deadline is not None and time.monotonic() + RETRY_PAUSE > deadline:
                say(f"gave up waiting for {self.what} after {self.args.wait} s")
                return None
            time.sleep(RETRY_PAUSE)

    def _stop_waiting(self, signum, _frame):
        raise Stopped(signum)

    def _give_back_quietly(self):
        if self.request_id is None:
            return
        try:
            self.client.give_back(self.request_id)
        except (ReserviaError, Unreachable) as error:
            say(f"could not give back request {self.request_id}: {error}; its lease ends it")

    def _wait(self, answer, deadline):
        """The answer once approved; None when --wait ran out (the request is then cancelled)."""
        position = None
        while True:
            if answer["status"] == "approved":
                return answer
            if answer["status"] == "ended":
                raise ReserviaError(f"request {self.request_id} ended while waiting ({answer['state']}"
                                    f"{', ' + answer['end_reason'] if answer.get('end_reason') else ''}).",
                                    "REQUEST_ENDED")
            if answer.get("position") != position:
                position = answer.get("position")
                say(f"waiting for {self.what}: position {position} (request {self.request_id})")
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                say(f"gave up waiting for {self.what} after {self.args.wait} s; request {self.request_id} cancelled")
                self.client.give_back(self.request_id)
                return None
            if now - self.last_kept_alive >= self.lease / 3:
                self._keep_alive_while_waiting()
            # Never wait past the next keep-alive, nor past --wait.
            limit = self.last_kept_alive + self.lease / 3 - now
            if deadline is not None:
                limit = min(limit, deadline - now)
            timeout = max(0, min(SERVER_WAIT_LIMIT, int(limit)))
            try:
                answer, retry_after = self.client.wait(self.request_id, timeout)
            except Unreachable as error:
                say(f"{error}; trying again")
                time.sleep(RETRY_PAUSE)
                continue
            except ReserviaError as error:
                if error.code != "BUSY":
                    raise
                retry_after = RETRY_PAUSE
            if answer["status"] == "requested" and (retry_after or timeout == 0):
                time.sleep(min(max(retry_after, 0.5), max(limit, 0.5)))

    def _keep_alive_while_waiting(self):
        try:
            self.client.keep_alive(self.request_id)
            self.last_kept_alive = time.monotonic()
        except Unreachable as error:
            say(f"{error}; the request stays in line until its lease ends")
        except ReserviaError as error:
            if error.code == "BUSY":
                return
            if error.status == 404:
                return  # it ended: the next wait says how
            raise

    def _run_command(self, held):
        resource_ids = held.get("resource_ids") or [held["resource_id"]]
        names = self.client.names_of(resource_ids)
        say(f"holding {', '.join(names)} (request {self.request_id}); running {' '.join(self.args.command)}")
        env = dict(os.environ, RESERVIA_RESOURCES=",".join(names),
                   RESERVIA_RESOURCE_IDS=",".join(str(i) for i in resource_ids),
                   RESERVIA_REQUEST_ID=str(self.request_id))
        previous = {s: signal.signal(s, self._pass_on) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            try:
                self.child = subprocess.Popen(self.args.command, env=env)
            except OSError as error:
                say(f"cannot run {self.args.command[0]}: {error}")
                self._give_back_quietly()
                return 127
            keeper = threading.Thread(target=self._keep_alive_while_running, daemon=True)
            keeper.start()
            status = self.child.wait()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if self.lost:
            say(f"the hold on {', '.join(names)} was lost ({self.lost}); the command was stopped")
            return EXIT_HOLD_LOST
        self._stop_keeping_alive = True
        try:
            self.client.release(self.request_id)
            say(f"released {', '.join(names)}")
        except (ReserviaError, Unreachable) as error:
            say(f"could not release request {self.request_id}: {error}; its lease ends it")
        return status if status >= 0 else 128 - status

    def _pass_on(self, signum, _frame):
        """Ctrl-C reaches the command from the terminal itself; SIGTERM and SIGHUP are passed on."""
        self.stop_signal = signum
        if self.child is not None and self.child.poll() is None and signum != signal.SIGINT:
            self.child.send_signal(signum)

    _stop_keeping_alive = False

    def _keep_alive_while_running(self):
        """Every third of the lease: keep the hold alive; a hold found gone stops the command."""
        while self.child.poll() is None and not self._stop_keeping_alive:
            time.sleep(min(1.0, self.lease / 3))
            if self.child.poll() is not None or self._stop_keeping_alive:
                return
            if time.monotonic() - self.last_kept_alive < self.lease / 3:
                continue
            try:
                self.client.keep_alive(self.request_id)
                self.last_kept_alive = time.monotonic()
                continue
            except ReserviaError as error:
                if error.status != 404:
                    say(f"keep-alive refused: {error.message}")
                    continue
                self.lost = self._how_it_ended()
            except Unreachable as error:
                if time.monotonic() - self.last_kept_alive < self.lease:
                    say(f"{error}; trying again")
                    continue
                self.lost = f"no keep-alive reached Reservia for {self.lease} s"
            self._stop_command()
            return

    def _how_it_ended(self):
        try:
            answer, _ = self.client.wait(self.request_id, 0)
            reason = answer.get("end_reason")
            return f"request {self.request_id} {answer['state']}" + (f": {reason}" if reason else "")
        except (ReserviaError, Unreachable):
            return f"request {self.request_id} is no longer active"

    def _stop_command(self):
        say(f"the hold was lost ({self.lost}); sending SIGTERM to the command")
        self.child.terminate()
        try:
            self.child.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.child.kill()


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def labels_list(text):
    labels = [part.strip() for part in text.split(",") if part.strip()]
    if not labels:
        raise argparse.ArgumentTypeError("give at least one label")
    return labels


def parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=argparse.SUPPRESS,
                        help="Reservia's address, such as https://host/reservia (default: $RESERVIA_URL)")
    common.add_argument("--token", default=argparse.SUPPRESS,
                        help="API token (default: $RESERVIA_TOKEN; prefer the variable: "
                             "a flag shows in the process list)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print Reservia's JSON answer")
    top = argparse.ArgumentParser(prog="reservia", parents=[common],
                                  description="Take Reservia resources from shell scripts and CI jobs.",
                                  epilog="Exit status: see `pydoc reservia` or docs/ci.md.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command_name", metavar="COMMAND")
    commands.required = True

    def what(sub, lease_default):
        choice = sub.add_mutually_exclusive_group(required=True)
        choice.add_argument("--resource", help="a resource's name")
        choice.add_argument("--labels", type=labels_list, help="labels, comma-separated: any resources carrying all")
        sub.add_argument("--count", type=positive, help="how many resources carrying --labels (default 1)")
        sub.add_argument("--lease", type=int, default=lease_default,
                         help="seconds without keep-alive after which the request ends by itself (at least 30)"
                              + (f"; default {lease_default}" if lease_default else ""))

    lock = commands.add_parser("lock", parents=[common], help="hold resources while a command runs",
                               description="Request, wait for the turn, run CMD holding the resources, release.")
    what(lock, DEFAULT_LEASE)
    lock.add_argument("--wait", type=positive, help="give up (exit 75) after this many seconds in line")
    lock.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the command to run")

    request = commands.add_parser("request", parents=[common], help="request resources; prints the request id")
    what(request, None)
    release = commands.add_parser("release", parents=[common], help="release a hold (or cancel a queued request)")
    release.add_argument("request_id", type=positive)
    keep = commands.add_parser("keep-alive", parents=[common], help="keep a hold or queued request alive")
    keep.add_argument("request_id", type=positive)
    status = commands.add_parser("status", parents=[common],
                                 help="who you are and your requests, or where one request stands")
    status.add_argument("request_id", type=positive, nargs="?")
    status.add_argument("--wait", type=int, default=0, metavar="SECONDS",
                        help="with a request id: answer once it is approved or ended, or after SECONDS (at most 30)")
    commands.add_parser("list", parents=[common], help="every hold and queued request")
    add_booking_commands(commands, common)
    return top


def emit(args, answer, text):
    if getattr(args, "json", False):
        print(json.dumps(answer, indent=2, ensure_ascii=False))
    elif text:
        print(text)


def show_list(args, client):
    answer = client.get("/reservation/active")
    lines = [f"{'RESOURCE':<20} {'POS':>3}  {'USER':<16} {'STATUS':<9} {'REQUEST':>7}  VALID UNTIL"]
    for r in answer["reservations"]:
        resource = r["resource_name"] or "+".join(r.get("labels", []))
        lines.append(f"{resource:<20} {r['position']:>3}  {r['user_name']:<16} {r['status']:<9} "
                     f"{r['request_id']:>7}  {r['valid_until_date'] or '-'}")
    emit(args, answer, "\n".join(lines) if answer["reservations"] else "No active reservations.")


def show_status(args, client):
    if args.request_id is None:
        me = client.get("/session/status")
        mine = [r for r in client.get("/reservation/active")["reservations"]
                if r["user_id"] == me.get("user_id") and r["id"] == r["request_id"]]
        text = [f"{me.get('user_name')} ({me.get('role')}) at {client.base}"]
        text += [f"request {r['request_id']}: {r['status']}, position {r['position']}, "
                 f"{r['resource_name'] or '+'.join(r.get('labels', []))}" for r in mine]
        emit(args, {"user": me, "requests": mine}, "\n".join(text))
        return 0
    answer, _ = client.wait(args.request_id, max(0, min(args.wait, SERVER_WAIT_LIMIT)))
    text = f"request {answer['request_id']}: {answer['status']}"
    if answer["status"] == "requested":
        text += f", position {answer['position']}"
    elif answer["status"] == "approved":
        text += f", holding {','.join(client.names_of(answer['resource_ids']))}"
    else:
        text += f" ({answer['state']}" + (f", {answer['end_reason']})" if answer.get("end_reason") else ")")
    emit(args, answer, text)
    return 0


def run(args):
    url = getattr(args, "url", None) or os.environ.get("RESERVIA_URL")
    token = getattr(args, "token", None) or os.environ.get("RESERVIA_TOKEN")
    if not url or not token:
        say("set RESERVIA_URL and RESERVIA_TOKEN (or --url and --token); make a token on Reservia's "
            "API tokens page")
        return EXIT_USAGE
    client = Client(url, token)
    name = args.command_name
    if name in ("lock", "request") and args.lease is not None and args.lease < 30:
        say("--lease must be at least 30 seconds")
        return EXIT_USAGE
    if name in ("lock", "request") and args.count is not None and not args.labels:
        say("--count goes with --labels")
        return EXIT_USAGE
    if name == "lock":
        if args.command and args.command[0] == "--":
            args.command = args.command[1:]
        if not args.command:
            say("give the command to run after --, e.g. reservia lock --resource bench-1 -- make test")
            return EXIT_USAGE
        return Lock(client, args).run()
    if name == "request":
        answer = client.request(args.resource, args.labels, args.count, args.lease)
        emit(args, answer, str(answer["request_id"]))
        say(answer["message"])
    elif name == "release":
        answer = client.give_back(args.request_id)
        if answer is None:
            say(f"request {args.request_id} was already over")
            answer = {}
        emit(args, answer, answer.get("message"))
    elif name == "keep-alive":
        answer = client.keep_alive(args.request_id)
        emit(args, answer, answer["message"])
    elif name == "status":
        return show_status(args, client)
    elif name == "list":
        show_list(args, client)
    elif name in BOOKING_COMMANDS:
        return run_booking_command(args, client)
    return 0


# Bookings: reserving a resource ahead for a time window (docs/bookings.md).

BOOKING_COMMANDS = ("book", "bookings", "cancel-booking")


def say_bound(answer):
    """Tell when a hold ends early because the resource is booked next."""
    bound = answer.get("bounded_by_booking")
    if bound:
        say(f"the hold ends by {answer.get('valid_until_date')}: the resource is booked from {bound['start']} "
            f"(booking {bound['booking_id']})")


def add_booking_commands(commands, common):
    book = commands.add_parser("book", parents=[common], help="book a resource for a time window; prints its id",
                               description="Book RESOURCE from --start to --end (ISO 8601 with offset, "
                                           "such as 2026-12-03T14:00:00+01:00).")
    book.add_argument("resource", help="the resource's name")
    book.add_argument("--start", required=True, help="when the booking starts, with its UTC offset")
    book.add_argument("--end", required=True, help="when it ends, with its UTC offset")
    book.add_argument("--note", help="what it is for, shown to everyone")
    listing = commands.add_parser("bookings", parents=[common], help="the shared calendar of bookings")
    listing.add_argument("--mine", action="store_true", help="only your own bookings")
    cancel = commands.add_parser("cancel-booking", parents=[common], help="cancel a booking (an active one ends)")
    cancel.add_argument("booking_id", type=positive)


def run_booking_command(args, client):
    name = args.command_name
    if name == "book":
        body = {"resource_id": client.resource_id(args.resource), "start": args.start, "end": args.end}
        if args.note:
            body["note"] = args.note
        answer = client.post("/reservation/book", **body)
        emit(args, answer, str(answer["booking_id"]))
        say(answer["message"])
    elif name == "bookings":
        query = {}
        if args.mine:
            query["user_id"] = client.get("/session/status")["user_id"]
        answer = client.get("/reservation/bookings", **query)
        lines = [f"{'BOOKING':>7}  {'RESOURCE':<20} {'USER':<16} {'STATUS':<14} START -> END"]
        lines += [f"{b['booking_id']:>7}  {b['resource_name']:<20} {b['user_name']:<16} {b['status']:<14} "
                  f"{b['start']} -> {b['end']}" for b in answer["bookings"]]
        emit(args, answer, "\n".join(lines) if answer["bookings"] else "No bookings.")
    else:
        answer = client.post("/reservation/booking/cancel", booking_id=args.booking_id)
        emit(args, answer, answer["message"])
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return run(args)
    except ReserviaError as error:
        if error.status == 401:
            say(f"Reservia did not accept the token ({error.code}): {error.message} "
                "Check RESERVIA_TOKEN, or make a new token on the API tokens page.")
            return EXIT_USAGE
        say(f"{error.message} ({error.code})")
        return EXIT_REFUSED
    except Unreachable as error:
        say(str(error))
        return EXIT_UNREACHABLE
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main())
