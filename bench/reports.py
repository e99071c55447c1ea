"""The Reports page over a year of history of 200 resources: the figure `make bench` adds after its
server phases (`python -m bench.reports` measures it alone).

The history is written straight into the SQLite file (bench/seed.py's bulk insert): each resource
held six times a day, for an hour and a half each, for 365 days (438,000 holds). The page and the
JSON are then asked for through the application in this process (Flask's test client), so the
figure is the application's own time, without a web server: the default page (the last 30 days,
per day, charts, heat-map, top users) and a whole year's JSON per month. Target: under 1 s.
"""
import statistics
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import seed

RESOURCES = 200
DAYS = 365
HOLDS_PER_DAY = 6
HOLD = timedelta(minutes=90)
TARGET_SECONDS = 1.0
PASSWORD = "bench-chief-password"
USER_PASSWORD = "bench-user-password"


def _year_of_holds(user_ids, resource_ids, end):
    start = end - timedelta(days=DAYS)
    for day in range(DAYS):
        for k in range(HOLDS_PER_DAY):
            for offset, resource_id in enumerate(resource_ids):
                requested = start + timedelta(days=day, hours=8 + 2 * k, seconds=offset)
                approved = requested + timedelta(seconds=30 + (offset * 7 + k) % 600)
                yield {"user_id": user_ids[(offset + k + day) % len(user_ids)], "resource_id": resource_id,
                       "state": "released", "requested_at": seed._stamp(requested),
                       "approved_at": seed._stamp(approved), "ended_at": seed._stamp(approved + HOLD),
                       "valid_until": None, "end_reason": None, "ended_by_id": None}


def _timed(client, url, times=3):
    """The median seconds of `times` answers (after one that warms the templates up)."""
    assert client.get(url).status_code == 200, url
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        answer = client.get(url)
        spent.append(time.perf_counter() - started)
        assert answer.status_code == 200, (url, answer.status_code)
    return statistics.median(spent)


def measure(log=print):
    """{"reports page": seconds, "utilization JSON, a year by month": seconds, ...}."""
    from backend import create_app

    with tempfile.TemporaryDirectory(prefix="reservia-bench-reports-") as home:
        app = create_app({"RESERVIA_HOME": home, "RESERVIA_ADMIN_PASSWORD": PASSWORD, "RESERVIA_LOG_FILE": "",
                          "RESERVIA_LOG_LEVEL": "WARNING", "RESERVIA_PASSWORD_METHOD": "pbkdf2:sha256:1000",
                          "RESERVIA_SECRET_KEY": "bench"})
        admin = app.test_client()
        assert admin.post("/session/login", json={"name": "admin", "password": PASSWORD}).status_code == 200
        user_ids = [admin.post("/admin/user/add", json={"name": f"user{n}", "email": f"user{n}@example.org",
                                                        "password": USER_PASSWORD}).json["user_id"]
                    for n in range(20)]
        resource_ids = [admin.post("/admin/resource/add", json={"name": f"bench-{n:03d}",
                                                                "labels": [f"lab{n % 8}"]}).json["resource_id"]
                        for n in range(RESOURCES)]
        started = time.perf_counter()
        path = Path(home) / "reservia.sqlite3"
        end = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
        with closing(seed._connect(str(path))) as connection:
            written = seed._insert(connection, _year_of_holds(user_ids, resource_ids, end))
        log(f"  reports: {written:,} holds over {DAYS} days of {RESOURCES} resources "
            f"(inserted in {time.perf_counter() - started:.1f}s)")
        year_ago = (end - timedelta(days=DAYS)).date().isoformat()
        figures = {
            "reports page (30 days)": _timed(admin, "/reports"),
            "reports page, one label (30 days)": _timed(admin, "/reports?label=lab3"),
            "utilization JSON, a year by month": _timed(admin, f"/reports/utilization?from={year_ago}&group_by=month"),
            "utilization CSV, a year by day": _timed(admin, f"/reports/utilization.csv?from={year_ago}", times=1),
        }
        with app.app_context():
            from backend.extensions import db
            db.engine.dispose()
    for name, seconds in figures.items():
        log(f"  {name:<40} {seconds * 1000:8.0f} ms{'' if seconds < TARGET_SECONDS else '  (over 1 s)'}")
    return figures


if __name__ == "__main__":
    measure()
