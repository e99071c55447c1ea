"""How many threads waits may hold: always leaving threads for the pages, whatever the server."""
import pytest

from backend.domain.held_waits import DEVELOPMENT_SERVER_WAITS, ServerThreads, held_waits


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
