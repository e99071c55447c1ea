"""`python -m bench`: run the whole benchmark and write bench/results/latest.json and latest.txt."""
import argparse
import json
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench import report, reports, runner
from bench.servers import ROOT, pick_server


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="tiny data and sub-second measurements: checks that the benchmark works")
    parser.add_argument("--server", choices=["auto", "apache", "gunicorn"], default="auto",
                        help="auto: Apache with deploy/reservia.conf where installed, else gunicorn")
    parser.add_argument("--duration", type=float, help="seconds measured per figure")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results",
                        help="folder for latest.json and latest.txt")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sizes = runner.QUICK if args.quick else runner.Sizes()
    if args.duration:
        sizes = replace(sizes, duration=args.duration)
    started = time.monotonic()
    bench = runner.Bench(sizes)
    with tempfile.TemporaryDirectory(prefix="reservia-bench-") as tmp:
        tmp = Path(tmp)
        home = tmp / "base"
        with pick_server(tmp, "base", runner.server_env(home, sizes),
                         args.server, sizes.processes) as server:
            print(f"Base data set, {server.describe()}")
            runner.base_phase(bench, server, sizes)
        home = tmp / "growth"
        with pick_server(tmp, "growth", runner.server_env(home, sizes),
                         args.server, sizes.processes) as server:
            print("Growing data set")
            runner.growth_phase(bench, server, sizes)
        server_facts = server.describe()
    # Seeding a year of history takes about half a minute: the quick run leaves this figure out.
    page_figures = {} if args.quick else reports.measure()
    checks = report.targets(bench.measurements, sizes)
    results = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(time.monotonic() - started, 1),
        "machine": report.machine_info(),
        "server": server_facts,
        "sizes": runner.sizes_dict(sizes),
        "measurements": bench.measurements,
        "targets": checks,
        "reports_seconds": page_figures,
    }
    text = "\n\n".join([
        f"Reservia benchmark, {results['finished']}, {results['wall_seconds']}s",
        (f"CPU: {results['machine']['cpu_model']}, {results['machine']['cores']} cores; "
         f"server: {server_facts}"),
        report.table(bench.measurements),
        report.targets_table(checks),
        *([report.reports_table(page_figures, reports.TARGET_SECONDS)] if page_figures else []),
    ])
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.output / "latest.txt").write_text(text + "\n")
    print()
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
