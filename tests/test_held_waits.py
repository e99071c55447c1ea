"""How many threads waits may hold: always leaving threads for the pages, whatever the server."""
import sys
from types import SimpleNamespace

import pytest

from backend.domain.held_waits import DEVELOPMENT_SERVER_WAITS, ServerThreads, held_waits, may_hold, retry_after_seconds
from backend.web.server_threads import server_threads
from config import load_settings


@pytest.mark.parametrize(("threads", "held"), [(1, 0), (2, 1), (4, 2), (8, 4), (16, 8)])
def test_by_default_waits_hold_half_the_threads_the_server_says_it_has(threads, held):
    assert held_waits(ServerThreads("mod_wsgi", count=threads)) == held


@pytest.mark.parametrize(("threads", "explicit", "held"), [
    (1, 4, 0), (2, 4, 1), (4, 4, 3), (8, 4, 4), (16, 4, 4), (32, 25, 25), (8, 0, 0)])
def test_an_explicit_number_never_takes_the_last_thread(threads, explicit, held):
    assert held_waits(ServerThreads("gunicorn", count=threads), explicit) == held


def test_a_server_that_does_not_say_spares_one_thread_if_it_has_several():
    assert held_waits(ServerThreads("waitress/3.0", multithread=True)) == 1


def test_a_server_serving_one_request_at_a_time_holds_none():
    assert held_waits(ServerThreads("", multithread=False)) == 0


def test_an_explicit_number_is_the_operators_measure_where_the_server_does_not_say():
    assert held_waits(ServerThreads("", multithread=False), 2) == 2
    assert held_waits(ServerThreads("waitress/3.0", multithread=True), 6) == 6


def test_the_development_server_keeps_its_thread_per_request_default():
    assert held_waits(ServerThreads("Werkzeug/3.1", unbounded=True)) == DEVELOPMENT_SERVER_WAITS == 4
    assert held_waits(ServerThreads("Werkzeug/3.1", unbounded=True), 10) == 10


@pytest.fixture
def inside_mod_wsgi(monkeypatch):
    """The module mod_wsgi gives the applications it runs, for a daemon process of 8 threads."""
    monkeypatch.setitem(sys.modules, "mod_wsgi", SimpleNamespace(threads_per_process=8, version=(4, 9, 4)))


def test_under_mod_wsgi_the_threads_are_those_of_the_daemon_process(inside_mod_wsgi):
    threads = server_threads({"mod_wsgi.version": (4, 9, 4), "wsgi.multithread": True})
    assert (threads.server, threads.count, held_waits(threads)) == ("mod_wsgi", 8, 4)


def test_under_gunicorn_the_threads_are_those_of_the_worker_calling_the_application():
    """gunicorn's gthread worker calls the application from its own method; its --threads is read
    from there (tests/test_waits_leave_threads.py runs the real gunicorn)."""
    gthread = pytest.importorskip("gunicorn.workers.gthread")

    class Worker(gthread.ThreadWorker):
        def handle_request(self, environ):
            return server_threads(environ)

    worker = Worker.__new__(Worker)
    worker.cfg = SimpleNamespace(threads=6)
    threads = worker.handle_request({"gunicorn.socket": None, "SERVER_SOFTWARE": "gunicorn/27.0.1",
                                     "wsgi.multithread": True})
    assert (threads.server, threads.count, held_waits(threads)) == ("gunicorn", 6, 3)


def test_gunicorn_not_found_up_the_stack_is_a_server_that_does_not_say():
    threads = server_threads({"gunicorn.socket": None, "SERVER_SOFTWARE": "gunicorn/27.0.1", "wsgi.multithread": True})
    assert (threads.count, held_waits(threads)) == (None, 1)


def test_the_development_server_starts_a_thread_per_request():
    threads = server_threads({"SERVER_SOFTWARE": "Werkzeug/3.1.9 Python/3.11.2", "wsgi.multithread": True})
    assert threads.unbounded and held_waits(threads) == DEVELOPMENT_SERVER_WAITS


@pytest.mark.parametrize(("raw", "value"), [("", ""), (" ", ""), ("0", 0), ("12", 12)])
def test_the_setting_is_empty_or_a_whole_number(raw, value):
    assert load_settings(environ={"RESERVIA_WAIT_THREADS": raw})["RESERVIA_WAIT_THREADS"] == value


@pytest.mark.parametrize("raw", ["-1", "four", "2.5"])
def test_a_setting_that_is_no_number_stops_the_start(raw):
    with pytest.raises(ValueError, match="RESERVIA_WAIT_THREADS must be empty or a whole number"):
        load_settings(environ={"RESERVIA_WAIT_THREADS": raw})


def test_the_default_is_derived_from_the_server():
    assert load_settings(environ={})["RESERVIA_WAIT_THREADS"] == ""


def test_where_one_request_is_served_at_a_time_every_wait_is_answered_at_once(accounts):
    """The test client says so (wsgi.multithread false), like gunicorn's sync worker: a held wait
    would stop everybody else, so the waiter is told to ask again instead."""
    bench, _, bob = accounts.queue_of("bench-1", "alice", "bob")
    request_id = bob.get(f"/reservation/active?resource_id={bench}").json["reservations"][1]["request_id"]
    answer = bob.get(f"/reservation/wait?request_id={request_id}&timeout=30")
    assert (answer.json["status"], answer.headers.get("Retry-After")) == ("requested", "1")


@pytest.mark.parametrize(("taken", "total", "next_in_line", "held"), [
    (0, 1, True, True), (0, 1, False, False), (1, 1, True, False),
    (0, 4, False, True), (1, 4, False, True), (2, 4, False, False), (3, 4, True, True), (4, 4, True, False)])
def test_slots_go_first_to_the_waiters_next_in_line(taken, total, next_in_line, held):
    """Half of the slots (rounded up) stay free for the waiters a release would approve."""
    assert may_hold(taken, total, next_in_line) is held


@pytest.mark.parametrize(("position", "seconds"), [(1, 1), (2, 2), (7, 7), (10, 10), (250, 10)])
def test_the_further_back_the_later_a_waiter_asks_again(position, seconds):
    assert retry_after_seconds(position) == seconds
