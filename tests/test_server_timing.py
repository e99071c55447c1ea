"""RESERVIA_SERVER_TIMING: the benchmark's per-request CPU and wall time in Reservia, sent only when a
site asks for it."""
import re

import pytest

TIMING = re.compile(r"cpu;dur=(\d+\.\d{3}), app;dur=(\d+\.\d{3})")


@pytest.mark.parametrize("path", ["/info/is_alive", "/session/login", "/no-such-page"])
def test_every_answer_tells_its_cpu_time_when_the_setting_is_on(make_app, path):
    app = make_app(RESERVIA_SERVER_TIMING=True)
    answer = app.test_client().get(path)
    timing = TIMING.fullmatch(answer.headers["Server-Timing"])
    assert timing, answer.headers.get("Server-Timing")
    cpu, wall = map(float, timing.groups())
    assert cpu <= wall + 1  # one thread's CPU fits in the time it spent (the clocks' ticks apart)


def test_answers_tell_nothing_of_their_cost_by_default(app, client):
    assert "Server-Timing" not in client.get("/info/is_alive").headers
    assert "Server-Timing" not in client.get("/session/login").headers
