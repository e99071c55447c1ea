#!/usr/bin/env python3
"""reservia: take a Reservia resource for the length of a command, from a shell or a CI job.

    export RESERVIA_URL=https://reservia.example.org/reservia RESERVIA_TOKEN=rsv_...
    reservia lock --resource bench-1 -- ./run-hil-tests.sh
    reservia lock --labels scope,usb3 --count 2 --wait 600 --lease 60 -- make test

`lock` asks for the resource (or any COUNT resources carrying the labels), waits for its turn,
runs the command in a process group of its own with the resources described in its environment,
keeps the hold alive meanwhile, and when the command ends (Ctrl-C, SIGTERM and SIGHUP included)
stops whatever is left of its process group and only then releases. The command never outlives
the hold: the group is stopped before a lease or a maximum hold can run out, and a watchdog stops
it within seconds when this process dies, even by SIGKILL; the hold then ends by itself at its
lease's end and the next in line gets the resource.

One file, Python 3.8+ standard library only: copy it to a CI machine, or `pip install ./client`.

Exit status: the command's own for `lock`; 0 for the other commands when they succeed; 1 when
Reservia refused (an unknown resource, say); 2 for a usage error, a token Reservia does not accept
or a RESERVIA_URL that redirects elsewhere; 69 when Reservia cannot be reached; 75 when
`lock --wait` ran out (the request is cancelled); 76 when the hold was lost while the command ran.
`lock --exit-base N` moves 1, 69, 75 and 76 to N+1, N+2, N+3 and N+4.
"""
import argparse
import ctypes
import email.utils
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

__version__ = "2.0.0"

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 69
EXIT_WAIT_TIMED_OUT = 75
EXIT_HOLD_LOST = 76
# Where --exit-base N moves the lock's own codes to (N + offset).
EXIT_BASE_OFFSETS = {EXIT_REFUSED: 1, EXIT_UNREACHABLE: 2, EXIT_WAIT_TIMED_OUT: 3, EXIT_HOLD_LOST: 4}

DEFAULT_LEASE = 60
DEFAULT_CONNECT_TIMEOUT = 60
# The longest one wait call is held open by the server.
SERVER_WAIT_LIMIT = 30
# How often a waiting job says where it stands, at least.
POSITION_EVERY = 30
# How long the command's process group has to stop after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 10
# Stop the command this long before the hold can end on the server, on top of its grace.
SAFETY_SECONDS = 3
# A network error or a busy server is retried after this long (doubling up to RETRY_MAX).
RETRY_PAUSE = 1.0
RETRY_MAX = 10.0
# Answers that mean "Reservia is restarting" rather than "this is not Reservia".
PASSING_STATUSES = (502, 503, 504)
# CI systems' job addresses, the default --note.
CI_JOB_URL_VARIABLES = ("CI_JOB_URL", "BUILD_URL")
PR_SET_PDEATHSIG = 1


class ReserviaError(Exception):
    """Reservia answered with an error: its message, code and HTTP status, and the seconds its
    Retry-After asked for (None without one: a busy Reservia says how long to stay away)."""

    def __init__(self, message, code=None, status=None, retry_after=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after


class Unreachable(Exception):
    """Reservia could not be reached, or answered something that is not Reservia's JSON."""

    def __init__(self, message, status=None, retry_after=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def passing(self):
        """Whether trying again later may help (no answer, or a proxy's 'restarting')."""
        return self.status is None or self.status in PASSING_STATUSES


class Misdirected(Exception):
    """RESERVIA_URL redirected to another origin: the token is not sent there."""


class Stopped(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived while waiting."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def clean(text):
    """Text from the server with terminal control characters (and bidi overrides) escaped."""
    return "".join(c.encode("unicode_escape").decode() if unicodedata.category(c) in ("Cc", "Cf") else c
                   for c in str(text))


def timestamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def say(message):
    """One timestamped line on stderr; anything that came from the server is escaped."""
    print(f"{timestamp()} reservia: {clean(message)}", file=sys.stderr, flush=True)


def duration(seconds):
    """'14 s', '2 min 3 s', '1 h 5 min'."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def retry_after_seconds(value, default=RETRY_PAUSE):
    """Seconds a Retry-After header asks for: a number or an HTTP date; `default` for anything else."""
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (email.utils.parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
    if seconds != seconds:  # NaN
        return default
    return min(max(seconds, 0.0), SERVER_WAIT_LIMIT)


def pause_asked(error, pause=RETRY_PAUSE):
    """How long to stay away after a failed call: what the answer's Retry-After asked for (at most
    RETRY_MAX, so keep-alives stay on time), else `pause`."""
    asked = getattr(error, "retry_after", None)
    return min(asked, RETRY_MAX) if asked else pause


def parse_date(text):
    """An ISO date from Reservia, or None."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within Reservia's origin: the token never goes anywhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if _origin(newurl) != _origin(req.full_url):
            raise Misdirected(f"{req.full_url} redirected to {clean(newurl)}, another origin; not following it "
                              "with the token: set RESERVIA_URL to Reservia's own address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Client:
    """Reservia's JSON API, authenticated with an API token."""

    def __init__(self, url, token, timeout=15):
        self.base = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_SameOriginRedirects)

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
            with self.opener.open(request, timeout=timeout or self.timeout) as response:
                return json.loads(response.read().decode() or "{}"), response.headers
        except urllib.error.HTTPError as error:
            asked = error.headers.get("Retry-After") if error.headers else None
            retry_after = retry_after_seconds(asked) if asked else None
            try:
                answer = json.loads(error.read().decode())
            except (ValueError, OSError):
                raise Unreachable(f"{url} answered HTTP {error.code}, not Reservia's JSON", error.code,
                                  retry_after) from None
            raise ReserviaError(answer.get("error", f"HTTP {error.code}"), answer.get("code"), error.code,
                                retry_after) from None
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

    def resource_id(self, name, resources=None):
        """The id of the resource with this name (or, failing that, this id)."""
        resources = resources if resources is not None else self.resources()
        for resource in resources:
            if resource["name"] == name:
                return resource["id"]
        if name.isdigit() and any(r["id"] == int(name) for r in resources):
            return int(name)
        raise ReserviaError(f"No resource named {name!r}.", "RESOURCE_NOT_FOUND", 404)

    def request(self, names=None, labels=None, count=None, lease=None, hold_minutes=None, note=None,
                resources=None):
        """Ask for resources by name (several: all at once, in one request) or by labels."""
        if names:
            resources = resources if resources is not None else self.resources()
            ids = [self.resource_id(name, resources) for name in names]
            body = {"resource_id": ids[0]} if len(ids) == 1 else {"resource_ids": ids}
        else:
            body = {"labels": labels}
        if count is not None:
            body["count"] = count
        if lease:
            body["lease_seconds"] = lease
        if hold_minutes:
            body["hold_minutes"] = hold_minutes
        if note:
            body["note"] = note
        return self.post("/reservation/request", **body)

    def wait(self, request_id, timeout):
        """(status answer, seconds to wait before asking again)."""
        answer, headers = self.call("GET", "/reservation/wait",
                                    query={"request_id": request_id, "timeout": int(timeout)},
                                    timeout=timeout + self.timeout)
        return answer, retry_after_seconds(headers.get("Retry-After"))

    def keep_alive(self, request_id, timeout=None):
        return self.call("POST", "/reservation/keep_alive", body={"request_id": request_id}, timeout=timeout)

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


def how_it_ended(answer):
    """Why a request ended, in words, from a wait answer."""
    reason = answer.get("end_reason")
    if reason == "lease_lost":
        return "lease lost"
    if reason == "max_hold":
        return "maximum hold reached"
    if answer.get("state") == "released" and reason:
        return f"released by admin: {reason}"
    return f"{answer.get('state', 'ended')}" + (f": {reason}" if reason else "")


def default_note(environ):
    """The CI job's address: GitLab's CI_JOB_URL, Jenkins' BUILD_URL, or GitHub's run."""
    for name in CI_JOB_URL_VARIABLES:
        if environ.get(name):
            return environ[name]
    github = [environ.get(n) for n in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if all(github):
        return "{}/{}/actions/runs/{}".format(*github)
    return None


def resource_environment(held, infos):
    """The variables describing held resources: RESERVIA_RESOURCES … and RESERVIA_RESOURCE_<n>_*."""
    by_id = {r["id"]: r for r in infos}
    resource_ids = held.get("resource_ids") or [held["resource_id"]]
    chosen = [by_id.get(i, {"id": i, "name": str(i)}) for i in resource_ids]
    env = {"RESERVIA_RESOURCES": ",".join(r["name"] for r in chosen),
           "RESERVIA_RESOURCE_IDS": ",".join(str(r["id"]) for r in chosen),
           "RESERVIA_REQUEST_ID": str(held["request_id"]),
           "RESERVIA_RESOURCE_COUNT": str(len(chosen))}
    for n, resource in enumerate(chosen, 1):
        env[f"RESERVIA_RESOURCE_{n}_NAME"] = resource["name"]
        env[f"RESERVIA_RESOURCE_{n}_ID"] = str(resource["id"])
        env[f"RESERVIA_RESOURCE_{n}_LABELS"] = ",".join(resource.get("labels") or [])
        env[f"RESERVIA_RESOURCE_{n}_COMMENT"] = resource.get("comment") or ""
    return env


def write_env_file(path, env):
    """Append KEY=VALUE lines (GitLab's dotenv reports, GitHub's $GITHUB_ENV, which must be appended
    to); line breaks in values become spaces."""
    with open(path, "a", encoding="utf-8") as out:
        for key, value in env.items():
            out.write(f"{key}={' '.join(str(value).splitlines())}\n")


class Events:
    """What `lock` says: timestamped lines on stderr, and with --json one JSON line per event on stdout."""

    def __init__(self, as_json):
        self.as_json = as_json
        self.lines = []

    def say(self, message):
        self.lines.append(f"{timestamp()} {clean(message)}")
        say(message)

    def event(self, name, **fields):
        if self.as_json:
            print(json.dumps({"event": name, "time": timestamp(), **fields}), flush=True)


# The watchdog: stops the command's process group when the client dies without saying "done".
# It reads the client's end of a pipe; end-of-file without "done" means the client is gone.
WATCHDOG = r"""
import os, signal, sys, time
group, grace = int(sys.argv[1]), float(sys.argv[2])
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
said = b""
while True:
    chunk = os.read(0, 64)
    if not chunk:
        break
    said += chunk
if b"done" in said:
    sys.exit(0)
def alive():
    try:
        os.killpg(group, 0)
        return True
    except OSError:
        return False
for signum, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
    try:
        os.killpg(group, signum)
    except OSError:
        sys.exit(0)
    end = time.monotonic() + wait
    while alive() and time.monotonic() < end:
        time.sleep(0.05)
"""


def _parent_death_signal():
    """A preexec function that has the kernel kill the command when its parent dies (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_it():
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    return set_it


def _only_zombies_in(group):
    """Whether every process of the group has ended and only waits to be reaped (Linux's /proc).

    A grandchild whose parent has ended is reaped by init, which some containers' init does a
    second or more later, or never; until then it stays in the group. False whenever /proc shows
    no member at all (another pid namespace's /proc, say): the group is then taken as running."""
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return False
    found = False
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                state, _parent, group_id = stat.read().rsplit(b")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue  # ended meanwhile, or not a process
        if int(group_id) == group:
            if state not in (b"Z", b"X"):
                return False
            found = True
    return found


class CommandGroup:
    """The command in a session and process group of its own, watched by a watchdog process.

    Everything the command starts stays in its group (unless it makes a session of its own), so
    signalling the group reaches grandchildren that `sh -c` or `make` left behind.
    """

    def __init__(self, argv, env, grace):
        self.grace = grace
        self.child = subprocess.Popen(argv, env=env, start_new_session=True, preexec_fn=_parent_death_signal())
        self.group = self.child.pid
        read_end, self._watch = os.pipe()
        try:
            self.watchdog = subprocess.Popen([sys.executable, "-c", WATCHDOG, str(self.group), str(grace)],
                                             stdin=read_end, stdout=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            self.watchdog = None
        os.close(read_end)

    def send(self, signum):
        try:
            os.killpg(self.group, signum)
        except OSError:
            pass

    def alive(self):
        """Whether anything of the group is left (the command itself is reaped first)."""
        self.child.poll()
        try:
            os.killpg(self.group, 0)
        except PermissionError:
            return True  # a member runs as another user (sudo): alive, and out of our reach
        except OSError:
            return False
        return not _only_zombies_in(self.group)

    def _wait_empty(self, seconds):
        end = time.monotonic() + seconds
        while self.alive():
            if time.monotonic() >= end:
                return False
            time.sleep(0.05)
        return True

    def stop(self, signum=signal.SIGTERM):
        """Signal the whole group, give it its grace, then SIGKILL; True once nothing of it runs."""
        if not self.alive():
            return True
        self.send(signum)
        if self._wait_empty(self.grace):
            return True
        say(f"the command's processes did not stop within {self.grace:g} s; killing them")
        self.send(signal.SIGKILL)
        return self._wait_empty(5)

    def done(self):
        """Tell the watchdog that the group was dealt with, so that it leaves it alone."""
        try:
            os.write(self._watch, b"done")
            os.close(self._watch)
        except OSError:
            pass
        if self.watchdog is not None:
            try:
                self.watchdog.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.watchdog.kill()


class Lock:
    """One `reservia lock` (or `request --wait`): ask, wait in line, run the command under a kept-alive
    hold in its own process group, stop the group, release."""

    def __init__(self, client, args, command=None):
        self.client = client
        self.args = args
        self.command = command
        self.lease = args.lease or DEFAULT_LEASE
        self.grace = getattr(args, "grace", None) or min(STOP_GRACE_SECONDS, self.lease / 6)
        self.keep_alive_every = getattr(args, "keep_alive_every", None) or self.lease / 3
        self.what = ", ".join(args.resource) if args.resource else f"{args.count or 1} × {','.join(args.labels)}"
        self.log = Events(getattr(args, "json", False) and command is not None)
        self.request_id = None
        self.infos = []
        self.lost = None
        self.ended_on_server = False
        self.stopped_by = None
        self.holding = False
        self.group = None
        self.pending_signal = None
        self.last_kept_alive = None
        self.hold_ends = None
        self.finished = threading.Event()
        self.started = time.monotonic()
        self.approved_at = None
        self.released_at = None
        self.held = None

    def run(self):
        """The exit status: the command's, or the lock's own (moved by --exit-base)."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            code, failure = self._run()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if self.command is None:
            if failure is not None:
                say(failure)
            return code
        now = time.monotonic()
        waited = (self.approved_at or now) - self.started
        held = ((self.released_at or now) - self.approved_at) if self.approved_at else 0
        closing = f"waited {duration(waited)}, held {duration(held)}"
        self.log.say(closing if failure is None else f"{failure}; {closing}")
        self.log.event("ended", request_id=self.request_id, reason=self.lost or self.stopped_by,
                       failure=failure, exit_status=code, waited_seconds=round(waited, 1),
                       held_seconds=round(held, 1))
        if getattr(self.args, "report", None):
            self._write_report(failure, code, waited, held)
        if failure is not None and code in EXIT_BASE_OFFSETS and getattr(self.args, "exit_base", None) is not None:
            return self.args.exit_base + EXIT_BASE_OFFSETS[code]
        return code

    def _run(self):
        """(exit status, None) when the command ran; (the lock's code, why) when the lock failed."""
        try:
            held = self._take()
        except Stopped as stopped:
            self._give_back_quietly()
            return 128 + stopped.signum, f"stopped by signal {stopped.signum} while waiting"
        except ReserviaError as error:
            self._give_back_quietly()
            if error.code == "REQUEST_ENDED":
                return EXIT_HOLD_LOST, error.message
            if error.status == 401:
                return EXIT_USAGE, (f"Reservia did not accept the token ({error.code}): {error.message} "
                                    "Check RESERVIA_TOKEN, or make a new token on the API tokens page.")
            return EXIT_USAGE if error.status == 400 else EXIT_REFUSED, f"{error.message} ({error.code})"
        except Unreachable as error:
            self._give_back_quietly()
            return EXIT_UNREACHABLE, str(error)
        except Misdirected as error:
            return EXIT_USAGE, str(error)
        except BaseException:
            self._give_back_quietly()
            raise
        if isinstance(held, int):
            return held, "gave up waiting" if held == EXIT_WAIT_TIMED_OUT else None
        if self.command is None:
            if getattr(self.args, "env_file", None):
                write_env_file(self.args.env_file, resource_environment(held, self.infos))
            return 0, None
        return self._hold(held)

    def _take(self):
        """The approved request's answer; EXIT_WAIT_TIMED_OUT when --wait ran out."""
        deadline = None if self.args.wait is None else self.started + self.args.wait
        self.infos = self._first_contact(self.client.resources)
        self._warn_about_max_hold()
        answer = self._request(deadline)
        if answer is None:
            return EXIT_WAIT_TIMED_OUT
        self.request_id = answer["request_id"]
        if answer["status"] != "approved":
            self.log.event("queued", request_id=self.request_id, position=answer.get("position"))
            if self.args.wait == 0:
                self.log.say(f"{self.what} is taken; not waiting (--wait 0)")
                self.client.give_back(self.request_id)
                return EXIT_WAIT_TIMED_OUT
            answer = self._wait(answer, deadline)
            if answer is None:
                return EXIT_WAIT_TIMED_OUT
        self.approved_at = time.monotonic()
        self._kept(answer, self.last_kept_alive)
        say_bound(answer, self.log.say)
        return answer

    def _first_contact(self, call):
        """call()'s answer, tried again through connection errors and 502/503/504 for --connect-timeout."""
        limit = getattr(self.args, "connect_timeout", DEFAULT_CONNECT_TIMEOUT)
        deadline = time.monotonic() + limit
        pause = RETRY_PAUSE
        while True:
            try:
                return call()
            except Unreachable as error:
                if not error.passing:
                    raise
                problem = error
            except ReserviaError as error:
                if error.status not in PASSING_STATUSES:
                    raise
                problem = error
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unreachable(f"{problem}; gave up after --connect-timeout {limit} s")
            asked = pause_asked(problem, pause)
            say(f"{problem}; trying again in {min(asked, left):.3g} s (for up to {limit} s)")
            time.sleep(min(asked, left))
            pause = min(pause * 2, RETRY_MAX)

    def _warn_about_max_hold(self):
        expect = getattr(self.args, "expect", None)
        longest = self._max_hold_minutes()
        if expect and longest and longest * 60 < expect:
            # /info/resources gives the resource's own maximum, else the site's hold length (which
            # keep-alives may exceed): both are worth a warning, only the first stops the command.
            self.log.say(f"warning: the longest hold on {self.what} is {longest} min, shorter than "
                         f"--expect {duration(expect)}: where that is the resource's maximum, the "
                         "command will be stopped when it is reached")

    def _max_hold_minutes(self):
        wanted = [r for r in self.infos if r["name"] in (self.args.resource or ()) or (
            self.args.labels and set(self.args.labels) <= set(r.get("labels") or []))]
        limits = [r["max_hold_minutes"] for r in wanted if r.get("max_hold_minutes")]
        return min(limits) if limits else None

    def _request(self, deadline):
        """The request's first answer. Reservia takes one request per user and resource by name:
        while another job of the same user has one, ask again every few seconds (None: --wait ran out)."""
        told = False
        note = getattr(self.args, "note", None)
        while True:
            sent = time.monotonic()
            try:
                answer = self._first_contact(lambda: self.client.request(
                    self.args.resource, self.args.labels, self.args.count, self.lease,
                    getattr(self.args, "hold_minutes", None), note, self.infos))
                self.last_kept_alive = sent
                return answer
            except ReserviaError as error:
                if error.code != "ALREADY_ACTIVE":
                    raise
                if not told:
                    self.log.say(f"another request of yours holds or waits for {self.what}; "
                                 "asking again until it is over")
                    told = True
            if deadline is not None and time.monotonic() + RETRY_PAUSE > deadline:
                self.log.say(f"gave up waiting for {self.what} after {self.args.wait} s")
                return None
            time.sleep(2 * RETRY_PAUSE)

    def _on_signal(self, signum, _frame):
        """While waiting, SIGTERM, SIGINT and SIGHUP cancel the request; once the hold is taken, they
        go to the command's whole group (it has no terminal of its own), which then ends."""
        self.stopped_by = f"signal {signum}"
        if self.group is None and not self.holding:
            raise Stopped(signum)
        self.pending_signal = signum
        if self.group is not None:
            self.group.send(signum)

    def _give_back_quietly(self):
        if self.request_id is None:
            return
        try:
            self.client.give_back(self.request_id)
        except (ReserviaError, Unreachable, Misdirected) as error:
            say(f"could not give back request {self.request_id}: {error}; its lease ends it")

    def _wait(self, answer, deadline):
        """The answer once approved; None when --wait ran out (the request is then cancelled)."""
        position, said_at = None, 0.0
        while True:
            if answer["status"] == "approved":
                return answer
            if answer["status"] == "ended":
                self.lost = how_it_ended(answer)
                raise ReserviaError(f"request {self.request_id} ended while waiting ({self.lost})", "REQUEST_ENDED")
            now = time.monotonic()
            if answer.get("position") != position or now - said_at >= POSITION_EVERY:
                position, said_at = answer.get("position"), now
                self.log.say(f"waiting for {self.what}: position {position} (request {self.request_id}), "
                             f"waited {duration(now - self.started)}")
                self.log.event("position", request_id=self.request_id, position=position)
            if deadline is not None and now >= deadline:
                self.log.say(f"gave up waiting for {self.what} after {self.args.wait} s; "
                             f"request {self.request_id} cancelled")
                self.client.give_back(self.request_id)
                return None
            if now - self.last_kept_alive >= self.keep_alive_every:
                self._keep_alive_while_waiting()
            # Never wait past the next keep-alive, the next position line, nor --wait.
            limit = min(self.last_kept_alive + self.keep_alive_every, said_at + POSITION_EVERY) - now
            if deadline is not None:
                limit = min(limit, deadline - now)
            timeout = max(0, min(SERVER_WAIT_LIMIT, int(limit)))
            sent = time.monotonic()
            try:
                answer, retry_after = self.client.wait(self.request_id, timeout)
            except Unreachable as error:
                pause = pause_asked(error)
                say(f"{error}; trying again in {pause:g} s")
                time.sleep(pause)
                continue
            except ReserviaError as error:
                if error.status not in PASSING_STATUSES:
                    raise
                retry_after = pause_asked(error)
                say(f"{error.message} ({error.code}); asking again in {retry_after:g} s")
            if answer["status"] == "requested" and (retry_after or timeout == 0):
                time.sleep(max(0.0, min(max(retry_after, 0.5), limit) - (time.monotonic() - sent)))

    def _keep_alive_while_waiting(self):
        sent = time.monotonic()
        try:
            self.client.keep_alive(self.request_id)
            self.last_kept_alive = sent
        except Unreachable as error:
            say(f"{error}; the request stays in line until its lease ends")
        except ReserviaError as error:
            if error.status in PASSING_STATUSES or error.status == 404:
                return  # busy, or it ended: the next wait says how
            raise

    def _kept(self, answer, sent):
        """Note when the hold ends whatever the keep-alives: a maximum hold shorter than the lease."""
        until, lease_until = parse_date(answer.get("valid_until_date")), parse_date(answer.get("lease_until_date"))
        if until is not None and lease_until is not None and until < lease_until:
            self.hold_ends = sent + self.lease - (lease_until - until).total_seconds()
        else:
            self.hold_ends = None

    def _hold(self, held):
        """Run the command holding the resources; its exit status (or the lock's, when the hold was lost)."""
        self.holding = True
        resource_env = resource_environment(held, self.infos)
        names = resource_env["RESERVIA_RESOURCES"]
        if getattr(self.args, "env_file", None):
            write_env_file(self.args.env_file, resource_env)
        env = dict(os.environ, **resource_env)
        if not getattr(self.args, "pass_token", False):
            env.pop("RESERVIA_TOKEN", None)
        self.log.say(f"holding {names} (request {self.request_id}) after waiting "
                     f"{duration(self.approved_at - self.started)}; running {' '.join(self.command)}")
        self.log.event("approved", request_id=self.request_id, resources=names.split(","),
                       resource_ids=[int(i) for i in resource_env["RESERVIA_RESOURCE_IDS"].split(",")])
        try:
            group = self.group = CommandGroup(self.command, env, self.grace)
        except OSError as error:
            say(f"cannot run {self.command[0]}: {error}")
            self._release(names)
            return 127, None
        if self.pending_signal is not None:
            group.send(self.pending_signal)
        keeper = threading.Thread(target=self._keep_alive_while_running, daemon=True)
        keeper.start()
        status = self._watch(group)
        self.finished.set()
        if group.alive():
            self.log.say("stopping what the command left running")
        if not group.stop():
            self.log.say("warning: some of the command's processes could not be stopped")
        group.done()
        keeper.join(timeout=self.grace)
        if not self.ended_on_server:
            self._release(names)
        self.released_at = time.monotonic()
        if self.lost:
            self.log.say(f"the hold on {names} ended: {self.lost}; the command was stopped")
            return EXIT_HOLD_LOST, f"hold lost: {self.lost}"
        return (status if status >= 0 else 128 - status), None

    def _watch(self, group):
        """Wait for the command; stop its group when the hold is lost or about to end. Its status."""
        stopping_since = None
        while True:
            try:
                return group.child.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
            if stopping_since is None:
                self.lost = self.lost or self._about_to_end()
                if self.lost:
                    self.log.say(f"{self.lost}; stopping the command")
                    group.send(signal.SIGTERM)
                    stopping_since = time.monotonic()
            elif time.monotonic() - stopping_since > self.grace:
                group.send(signal.SIGKILL)

    def _about_to_end(self):
        """Why the hold must be given up now, before the server can end it under a running command."""
        now = time.monotonic()
        if now >= self.last_kept_alive + self.lease - self.grace - SAFETY_SECONDS:
            return (f"no keep-alive reached Reservia for {duration(now - self.last_kept_alive)} "
                    f"(lease {self.lease} s): lease lost")
        if self.hold_ends is not None and now >= self.hold_ends - self.grace - SAFETY_SECONDS:
            longest = self._max_hold_minutes()
            return f"maximum hold of {longest} min reached" if longest else "maximum hold reached"
        return None

    def _keep_alive_while_running(self):
        """Every --keep-alive-every seconds, a third of the lease by default (every RETRY_PAUSE after a
        failure): keep the hold alive; a hold found ended stops the command."""
        due = self.last_kept_alive + self.keep_alive_every
        pause = RETRY_PAUSE
        while not self.finished.wait(0.2):
            if time.monotonic() < due:
                continue
            sent = time.monotonic()
            try:
                answer, _ = self.client.keep_alive(self.request_id, timeout=max(2.0, self.lease / 6))
                self.last_kept_alive = sent
                self._kept(answer, sent)
                due, pause = sent + self.keep_alive_every, RETRY_PAUSE
                continue
            except ReserviaError as error:
                if error.status == 404:
                    self.ended_on_server = True
                    self.lost = self._how_it_ended()
                    return
                problem, asked = f"keep-alive refused: {error.message}", pause_asked(error, pause)
            except (Unreachable, Misdirected) as error:
                problem, asked = str(error), pause_asked(error, pause)
            asked = min(asked, RETRY_MAX / 2)
            say(f"{problem}; trying again in {asked:g} s")
            due, pause = time.monotonic() + asked, min(pause * 2, RETRY_MAX / 2)

    def _how_it_ended(self):
        try:
            answer, _ = self.client.wait(self.request_id, 0)
        except (ReserviaError, Unreachable, Misdirected):
            return f"request {self.request_id} is no longer active"
        reason = how_it_ended(answer)
        if answer.get("end_reason") == "max_hold" and self._max_hold_minutes():
            reason = f"maximum hold of {self._max_hold_minutes()} min reached"
        return reason

    def _release(self, names):
        """Release, trying again with a growing pause until it works or the lease would have ended it."""
        give_up = self.last_kept_alive + self.lease
        pause = RETRY_PAUSE
        while True:
            try:
                self.client.give_back(self.request_id)
                self.log.say(f"released {names}")
                self.log.event("released", request_id=self.request_id, resources=names.split(","))
                return True
            except ReserviaError as error:
                if error.status not in PASSING_STATUSES:
                    say(f"could not release request {self.request_id}: {error.message}")
                    return False
                problem, pause = error.message, pause_asked(error, pause)
            except (Unreachable, Misdirected) as error:
                problem, pause = str(error), pause_asked(error, pause)
            left = give_up - time.monotonic()
            if left <= pause:
                say(f"could not release request {self.request_id} ({problem}); its lease ends it "
                    f"within {duration(max(left, 0))}")
                return False
            say(f"could not release request {self.request_id} ({problem}); trying again in {pause:g} s")
            time.sleep(pause)
            pause = min(pause * 2, RETRY_MAX)

    def _write_report(self, failure, code, waited, held):
        """A JUnit XML test case: one per lock, failed when the lock failed (not when the command did)."""
        name = quoteattr(f"lock {self.what}")
        body = ""
        if failure is not None:
            text = clean(failure)
            body = f'<failure message={quoteattr(text)} type="exit {code}">{xml_escape(text)}</failure>'
        log = xml_escape("\n".join(self.log.lines))
        properties = "".join(f'<property name="{k}" value="{v}"/>' for k, v in (
            ("request_id", self.request_id or ""), ("waited_seconds", f"{waited:.1f}"),
            ("held_seconds", f"{held:.1f}"), ("exit_status", code)))
        with open(self.args.report, "w", encoding="utf-8") as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n'
                      f'<testsuite name="reservia" tests="1" failures="{int(failure is not None)}" errors="0" '
                      f'time="{waited + held:.1f}">\n'
                      f'  <testcase classname="reservia.lock" name={name} time="{waited + held:.1f}">'
                      f'<properties>{properties}</properties>{body}<system-err>{log}</system-err></testcase>\n'
                      f'</testsuite>\n')


def keep_alive_in_background(client, request_id, every=None):
    """Keep a request alive from a background process, every third of its lease or `every` seconds,
    until it ends (or Reservia was out of reach for a whole lease, which ends it too); prints that
    process's id."""
    answer, _ = client.keep_alive(request_id)
    lease = answer.get("lease_seconds") or DEFAULT_LEASE
    if every is not None and every > lease / 3:
        say(f"--every must be at most a third of the request's lease ({lease / 3:g} s)")
        return EXIT_USAGE
    period = every or lease / 3
    pid = os.fork()
    if pid:
        print(pid, flush=True)
        say(f"keeping request {request_id} alive every {period:g} s in process {pid}, until it ends")
        return 0
    os.setsid()
    # A CI step waits until its output is closed: the background process keeps none of it.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    pause, kept = period, time.monotonic()
    while time.monotonic() - kept < lease:  # unreachable for a whole lease: the request is over
        time.sleep(pause)
        try:
            client.keep_alive(request_id)
            pause, kept = period, time.monotonic()
        except ReserviaError as error:
            if error.status == 404:
                break
            pause = RETRY_PAUSE
        except (Unreachable, Misdirected):
            pause = RETRY_PAUSE
        except BaseException:
            break
    os._exit(0)


def non_negative(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def seconds(text):
    """A duration: seconds, or with a unit: 90s, 20m, 2h."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    factor = units.get(text[-1:], None)
    try:
        value = int(text[:-1] if factor else text) * (factor or 1)
    except ValueError:
        raise argparse.ArgumentTypeError("give seconds, or minutes like 20m, or hours like 2h") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 s")
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
                        help="print Reservia's JSON answer (lock: one JSON line per event)")
    top = argparse.ArgumentParser(prog="reservia", parents=[common],
                                  description="Take Reservia resources from shell scripts and CI jobs.",
                                  epilog="Exit status: see `pydoc reservia` or docs/ci.md.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command_name", metavar="COMMAND")
    commands.required = True

    def what(sub, lease_default):
        choice = sub.add_mutually_exclusive_group(required=True)
        choice.add_argument("--resource", action="append",
                            help="a resource's name; repeated: all of them at once, in one request")
        choice.add_argument("--labels", type=labels_list, help="labels, comma-separated: any resources carrying all")
        sub.add_argument("--count", type=positive, help="how many resources carrying --labels (default 1)")
        sub.add_argument("--lease", type=int, default=lease_default,
                         help="seconds without keep-alive after which the request ends by itself (at least 30)"
                              + (f"; default {lease_default}" if lease_default else ""))
        sub.add_argument("--hold-minutes", type=positive, help="how long the hold lasts between keep-alives")
        sub.add_argument("--note", default=default_note(os.environ),
                         help="shown on the dashboard (default: the CI job's address from CI_JOB_URL, "
                              "BUILD_URL or GitHub's GITHUB_* variables)")
        sub.add_argument("--connect-timeout", type=non_negative, default=DEFAULT_CONNECT_TIMEOUT, metavar="SECONDS",
                         help="try the first request again through connection errors and 502/503/504 "
                              f"this long (default {DEFAULT_CONNECT_TIMEOUT})")
        sub.add_argument("--env-file", metavar="FILE",
                         help="write the held resources' RESERVIA_* variables there, KEY=VALUE lines")

    lock = commands.add_parser("lock", parents=[common], help="hold resources while a command runs",
                               description="Request, wait for the turn, run CMD holding the resources, release.")
    what(lock, DEFAULT_LEASE)
    lock.add_argument("--wait", type=non_negative, metavar="SECONDS",
                      help="give up (exit 75) after this many seconds in line; 0: try once")
    lock.add_argument("--expect", type=seconds, metavar="DURATION",
                      help="how long the command should take (600, 20m): warns when the maximum hold is shorter")
    lock.add_argument("--report", metavar="FILE", help="write a JUnit XML test case for the lock there")
    lock.add_argument("--keep-alive-every", type=positive, metavar="SECONDS",
                      help="keep the request alive this often, waiting and holding (default: a third of the "
                           "lease; at most that)")
    lock.add_argument("--grace", type=positive, metavar="SECONDS",
                      help="how long the command's processes get between SIGTERM and SIGKILL (default: "
                           f"{STOP_GRACE_SECONDS}, or a sixth of the lease when that is shorter; at most a sixth)")
    lock.add_argument("--exit-base", type=int, metavar="N",
                      help="exit N+1 (refused), N+2 (unreachable), N+3 (wait ran out), N+4 (hold lost) "
                           "instead of 1, 69, 75, 76")
    lock.add_argument("--pass-token", action="store_true",
                      help="leave RESERVIA_TOKEN in the command's environment (removed by default)")
    lock.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the command to run")

    request = commands.add_parser("request", parents=[common], help="request resources; prints the request id")
    what(request, None)
    request.add_argument("--wait", type=non_negative, metavar="SECONDS",
                         help="wait in line (kept alive) until approved; exit 75 after SECONDS")
    release = commands.add_parser("release", parents=[common], help="release a hold (or cancel a queued request)")
    release.add_argument("request_id", type=positive)
    keep = commands.add_parser("keep-alive", parents=[common], help="keep a hold or queued request alive")
    keep.add_argument("request_id", type=positive)
    keep.add_argument("--daemon", action="store_true",
                      help="go on keeping it alive in the background until it ends; prints that process's id")
    keep.add_argument("--every", type=positive, metavar="SECONDS",
                      help="with --daemon: keep it alive this often (default: a third of its lease; at most that)")
    status = commands.add_parser("status", parents=[common],
                                 help="who you are and your requests, or where one request stands")
    status.add_argument("request_id", type=positive, nargs="?")
    status.add_argument("--wait", type=int, metavar="SECONDS",
                        help="with a request id: answer once it is approved or ended, or after SECONDS (at most 30)")
    commands.add_parser("list", parents=[common], help="every hold and queued request")
    add_booking_commands(commands, common)
    return top


def emit(args, answer, text):
    if getattr(args, "json", False):
        print(json.dumps(answer, indent=2))
    elif text:
        # Line by line: the listings' own line breaks stay, control characters within a line are escaped.
        print("\n".join(clean(line) for line in str(text).split("\n")))


def show_list(args, client):
    answer = client.get("/reservation/active")
    lines = [f"{'RESOURCE':<20} {'POS':>3}  {'USER':<16} {'STATUS':<9} {'REQUEST':>7}  VALID UNTIL"]
    for r in answer["reservations"]:
        resource = r["resource_name"] or "+".join(r.get("labels", []))
        lines.append(f"{clean(resource):<20} {r['position']:>3}  {clean(r['user_name']):<16} {r['status']:<9} "
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
    answer, _ = client.wait(args.request_id, max(0, min(args.wait or 0, SERVER_WAIT_LIMIT)))
    text = f"request {answer['request_id']}: {answer['status']}"
    if answer["status"] == "requested":
        text += f", position {answer['position']}"
    elif answer["status"] == "approved":
        text += f", holding {','.join(client.names_of(answer['resource_ids']))}"
    else:
        text += f" ({answer['state']}" + (f", {answer['end_reason']})" if answer.get("end_reason") else ")")
    emit(args, answer, text)
    return 0


def usage_problem(args):
    """What is wrong with the command line that argparse cannot see, or None."""
    name = args.command_name
    if name in ("lock", "request"):
        if args.lease is not None and args.lease < 30:
            return "--lease must be at least 30 seconds"
        if args.count is not None and not args.labels:
            return "--count goes with --labels"
    if name == "lock":
        if args.command and args.command[0] == "--":
            args.command = args.command[1:]
        if not args.command:
            return "give the command to run after --, e.g. reservia lock --resource bench-1 -- make test"
        if args.exit_base is not None and not 2 < args.exit_base < 251:
            return "--exit-base must be from 3 to 250"
        lease = args.lease or DEFAULT_LEASE
        if args.keep_alive_every is not None and args.keep_alive_every > lease / 3:
            return f"--keep-alive-every must be at most a third of the lease ({lease / 3:g} s)"
        if args.grace is not None and args.grace > lease / 6:
            return f"--grace must be at most a sixth of the lease ({lease / 6:g} s)"
    if name == "keep-alive" and args.every is not None and not args.daemon:
        return "--every goes with --daemon: reservia keep-alive --daemon --every 20 REQUEST_ID"
    if name == "status" and args.wait is not None and args.request_id is None:
        return "status --wait needs a request id: reservia status REQUEST_ID --wait 30"
    return None


def run(args):
    problem = usage_problem(args)
    if problem:
        say(problem)
        return EXIT_USAGE
    url = getattr(args, "url", None) or os.environ.get("RESERVIA_URL")
    token = getattr(args, "token", None) or os.environ.get("RESERVIA_TOKEN")
    if not url or not token:
        say("set RESERVIA_URL and RESERVIA_TOKEN (or --url and --token); make a token on Reservia's "
            "API tokens page")
        return EXIT_USAGE
    client = Client(url, token)
    name = args.command_name
    if name == "lock":
        return Lock(client, args, args.command).run()
    if name == "request" and args.wait is not None:
        lock = Lock(client, args)
        code = lock.run()
        if code == 0:
            print(lock.request_id)
        return code
    if name == "request":
        answer = client.request(args.resource, args.labels, args.count, args.lease, args.hold_minutes, args.note)
        if args.env_file and answer.get("status") == "approved":
            write_env_file(args.env_file, resource_environment(answer, client.resources()))
        emit(args, answer, str(answer["request_id"]))
        say(answer["message"])
    elif name == "release":
        answer = client.give_back(args.request_id)
        if answer is None:
            say(f"request {args.request_id} was already over")
            answer = {}
        emit(args, answer, answer.get("message"))
    elif name == "keep-alive" and args.daemon:
        return keep_alive_in_background(client, args.request_id, args.every)
    elif name == "keep-alive":
        answer, _ = client.keep_alive(args.request_id)
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


def say_bound(answer, tell=None):
    """Tell when a hold ends early because the resource is booked next."""
    bound = answer.get("bounded_by_booking")
    if bound:
        (tell or say)(f"the hold ends by {answer.get('valid_until_date')}: the resource is booked from "
                      f"{bound['start']} (booking {bound['booking_id']})")


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
        return EXIT_USAGE if error.status == 400 else EXIT_REFUSED
    except Unreachable as error:
        say(str(error))
        return EXIT_UNREACHABLE
    except Misdirected as error:
        say(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main())
