"""Many CI jobs waiting at once on a real server of few threads, and a person opening the dashboard.

Used by the gunicorn test (tests/test_waits_leave_threads.py) and the Apache one
(tests/deploy/test_apache_waits.py): a site of one process with THREADS threads, where a holder
holds WAITERS benches and one CI job (an API token) queues for each of them.
"""
import queue
import threading

THREADS = 4
# Default settings: waits hold half the threads the server says it has.
HELD = THREADS // 2
# More waiting jobs than the process has threads.
WAITERS = THREADS + 2
# How long a held wait lasts; nothing settles the jobs' requests before the test releases them.
WAIT_SECONDS = 30
# Much less than a held wait lasts: an answer that came within it did not queue behind held waits.
AT_ONCE = 20
PASSWORD = "crowd-password-1"


class Crowd:
    """The holder's signed-in session, the CI job's token and, per bench, (resource id, request id)."""

    def __init__(self, site, admin_password):
        self.site = site
        admin = self._signed_in("admin", admin_password)
        for name in ("holder", "ci"):
            added = admin.post(site.url("/admin/user/add"),
                               json={"name": name, "email": f"{name}@example.org", "password": PASSWORD})
            assert added.status_code == 201, added.text
        self.holder = self._signed_in("holder", PASSWORD)
        ci = self._signed_in("ci", PASSWORD)
        self.token = ci.post(site.url("/session/tokens"), json={"name": "runner"}).json()["token"]
        self.requests = {}
        for number in range(WAITERS):
            bench = admin.post(site.url("/admin/resource/add"), json={"name": f"crowd-bench-{number}"})
            resource_id = bench.json()["resource_id"]
            held = self.holder.post(site.url("/reservation/request"), json={"resource_id": resource_id}).json()
            asked = ci.post(site.url("/reservation/request"), json={"resource_id": resource_id}).json()
            assert (held["status"], asked["status"]) == ("approved", "requested"), (held, asked)
            self.requests[asked["request_id"]] = resource_id

    def _signed_in(self, name, password):
        client = self.site.session()
        answer = client.post(self.site.url("/session/login"), json={"name": name, "password": password})
        assert answer.status_code == 200, answer.text
        return client

    def start_waiting(self):
        """Every request waits (timeout=WAIT_SECONDS) in a thread and connection of its own, as
        separate CI jobs do; returns the queue their (request id, response) arrive in."""
        answers = queue.Queue()
        for request_id in self.requests:
            threading.Thread(target=self._wait, args=(request_id, answers), daemon=True).start()
        return answers

    def _wait(self, request_id, answers):
        job = self.site.session()
        job.headers["Authorization"] = f"Bearer {self.token}"
        answers.put((request_id, job.get(self.site.url("/reservation/wait"), timeout=2 * WAIT_SECONDS,
                                         params={"request_id": request_id, "timeout": WAIT_SECONDS})))

    def release(self, request_ids):
        """The holder gives back the benches these requests wait for."""
        for request_id in request_ids:
            answer = self.holder.post(self.site.url("/reservation/release"),
                                      json={"resource_id": self.requests[request_id]}, timeout=AT_ONCE)
            assert answer.status_code == 200, answer.text


def assert_pages_answered_while_jobs_wait(crowd):
    """Of WAITERS jobs, those beyond HELD are told at once to ask again; the dashboard is answered
    while the held ones still wait; the held ones hear of their turn when it comes.

    Nothing settles the requests before the release and a held wait lasts WAIT_SECONDS, so the
    first answers can only be the jobs no thread was left for; and with every thread held, none of
    them, nor the dashboard, nor the release, would come before the held waits timed out."""
    answers = crowd.start_waiting()
    refused = dict(answers.get(timeout=AT_ONCE) for _ in range(WAITERS - HELD))
    for answer in refused.values():
        told = (answer.status_code, answer.json()["status"], answer.headers.get("Retry-After"))
        assert told == (200, "requested", "1")

    page = crowd.holder.get(crowd.site.url("/"), timeout=AT_ONCE)
    assert page.status_code == 200
    assert "crowd-bench-0" in page.text

    held = set(crowd.requests) - set(refused)
    assert len(held) == HELD
    crowd.release(held)
    heard = dict(answers.get(timeout=AT_ONCE) for _ in held)
    assert set(heard) == held
    for answer in heard.values():
        assert "Retry-After" not in answer.headers
        assert answer.json()["status"] == "approved"
