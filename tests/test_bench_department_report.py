"""The department scenario's report says what each failed answer was, also those sent while the
dashboards opened or the window closed, which its table of the measured window leaves out."""
from bench.department_report import failures_text


def failure(kind, asked, status, code, error, in_window):
    return {"kind": kind, "asked": asked, "status": status, "code": code, "error": error,
            "retry_after": None, "at": 0.0 if in_window else -1.0, "in_window": in_window}


def test_failed_answers_outside_the_window_are_told_with_their_status_and_code():
    refused = failure("browser request", "POST /reservation/request", 400, "CSRF_FAILED",
                      "The form could not be accepted: The referrer header is missing.", False)
    run = {"all_errors": 4, "failures": [
        refused, dict(refused, in_window=True, at=0.5),
        failure("browser book", "POST /reservation/book", 400, None, "The referrer header is missing.", False),
        failure("CI wait", "GET /reservation/wait", "TimeoutError", None, None, False)]}

    lines = failures_text(run)

    assert lines[0] == "  failed answers: 4, 3 of them outside the measured window"
    assert sorted(lines[1:]) == sorted([
        "    1 in, 1 outside: browser request, POST /reservation/request -> 400 CSRF_FAILED "
        "(The form could not be accepted: The referrer header is missing.)",
        "    0 in, 1 outside: browser book, POST /reservation/book -> 400 (The referrer header is missing.)",
        "    0 in, 1 outside: CI wait, GET /reservation/wait -> TimeoutError"])


def test_a_run_without_failures_adds_no_lines():
    assert failures_text({"all_errors": 0, "failures": []}) == []
