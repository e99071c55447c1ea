"""`python -m bench`: run the whole benchmark and write bench/results/latest.json and latest.txt."""
import argparse
import json
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench import bookings, department, department_report, report, reports, runner, told
from bench.servers import ROOT, pick_server

PHASES = ("base", "growth", "bookings", "department", "told")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="tiny data and sub-second measurements: checks that the benchmark works")
    parser.add_argument("--server", choices=["auto", "apache", "gunicorn"], default="auto",
                        help="auto: Apache with deploy/reservia.conf where installed, else gunicorn")
    parser.add_argument("--duration", type=float, help="seconds measured per figure")
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=None,
                        help="which parts to run (default: all; --quick: all but bookings)")
    parser.add_argument("--clients", type=int, nargs="+", help="concurrencies measured (default: 1 8 32)")
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"],
                        help="the department's and told's database engines (default: SQLite, and "
                             "PostgreSQL where installed; --quick: SQLite)")
    parser.add_argument("--department-seconds", type=float,
                        help="seconds the department scenario is measured (default 60)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results",
                        help="folder for latest.json and latest.txt")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sizes = runner.QUICK if args.quick else runner.Sizes()
    if args.duration:
        sizes = replace(sizes, duration=args.duration)
    if args.clients:
        sizes = replace(sizes, clients=args.clients, growth_clients=args.clients)
    started = time.monotonic()
    bench = runner.Bench(sizes)
    phases = args.phases or (("base", "growth", "department", "told") if args.quick else PHASES)
    race, server_facts, runs, told_runs = None, "", [], []
    with tempfile.TemporaryDirectory(prefix="reservia-bench-") as tmp:
        tmp = Path(tmp)
        for phase in phases:
            if phase == "department":
                runs = _department(args, tmp)
                continue
            if phase == "told":
                told_runs = _told(args, tmp)
                continue
            if phase == "bookings":
                print("Bookings, audit log and rules: an empty site and a seeded one, in turns")
                with pick_server(tmp, "bookings-empty", runner.server_env(tmp / "bookings-empty", sizes),
                                 args.server, sizes.processes) as empty, \
                        pick_server(tmp, "bookings-seeded", runner.server_env(tmp / "bookings-seeded", sizes),
                                    args.server, sizes.processes) as seeded:
                    race = bookings.bookings_phase(bench, (empty, seeded), sizes)
                    server_facts = seeded.describe()
                continue
            with pick_server(tmp, phase, runner.server_env(tmp / phase, sizes),
                             args.server, sizes.processes) as server:
                print({"base": f"Base data set, {server.describe()}", "growth": "Growing data set"}[phase])
                if phase == "base":
                    runner.base_phase(bench, server, sizes)
                else:
                    runner.growth_phase(bench, server, sizes)
                server_facts = server.describe()
    checks = report.targets(bench.measurements, sizes) if "base" in phases and "growth" in phases else []
    if "bookings" in phases:
        checks += bookings.targets(bench.measurements, race, sizes)
    # Seeding a year of history takes about half a minute: the quick run, and a run of chosen
    # phases, leave this figure out.
    page_figures = {} if args.quick or args.phases else reports.measure()
    results = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(time.monotonic() - started, 1),
        "machine": report.machine_info(),
        "server": server_facts,
        "sizes": runner.sizes_dict(sizes),
        "measurements": bench.measurements,
        "targets": checks,
        "booking_race": race,
        "reports_seconds": page_figures,
        "department": runs,
        "told": told_runs,
    }
    text = "\n\n".join(filter(None, [
        f"Reservia benchmark, {results['finished']}, {results['wall_seconds']}s",
        (f"CPU: {results['machine']['cpu_model']}, {results['machine']['cores']} cores; "
         f"server: {server_facts}"),
        report.table(bench.measurements) if bench.measurements else None,
        report.race_text(race),
        report.targets_table(checks),
        report.reports_table(page_figures, reports.TARGET_SECONDS) if page_figures else None,
        department_report.text(runs) if runs else None,
        told.text(told_runs) if told_runs else None,
    ]))
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.output / "latest.txt").write_text(text + "\n")
    print()
    print(text)
    return 0


def _department(args, tmp):
    """The department scenario under each server and engine asked for (--quick: the auto server
    alone, on SQLite)."""
    sizes = department.QUICK if args.quick else department.DepartmentSizes()
    if args.department_seconds:
        sizes = replace(sizes, duration=args.department_seconds)
    kinds = department.available_servers(args.server)
    if args.quick and args.server == "auto":
        kinds = kinds[-1:]
    engines = department.available_engines(args.engines or (["sqlite"] if args.quick else None))
    return department.department_phase(sizes, kinds, engines, tmp / "department")


def _told(args, tmp):
    """How fast the next holder and its webhook are told, on each engine asked for (--quick: a few
    jobs, on SQLite)."""
    engines = department.available_engines(args.engines or (["sqlite"] if args.quick else None))
    if args.quick:
        # Two server processes still hand a turn over from one process to another.
        return told.told_phase(engines, tmp / "told", waiters=4, benches=2, idle_seconds=0.5, processes=2)
    return told.told_phase(engines, tmp / "told")


if __name__ == "__main__":
    raise SystemExit(main())
