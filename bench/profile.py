"""`python -m bench.profile SCENARIO`: py-spy samples the server's workers while the load runs, then
prints the functions where the time goes (own time and time including callees).

The data set and load are the benchmark's own. The server is gunicorn with the deployment's processes,
threads and settings: py-spy reads the stacks of its Python workers, not those of mod_wsgi's daemons.
"""
import argparse
import collections
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench import runner, scenarios
from bench.api import DataSet
from bench.servers import pick_server

SCENARIOS = ("is_alive", "active", "dashboard", "cycle", "login")


def load_group(name, data, clients, cycle_resources):
    if name == "is_alive":
        return scenarios.is_alive(clients)
    if name == "active":
        return scenarios.active_list(data.cookies, clients)
    if name == "dashboard":
        return scenarios.dashboard(data.cookies, clients)
    if name == "login":
        return scenarios.login(data.user_names, runner.USER_PASSWORD, clients)
    return scenarios.request_release_cycle(data.cookies, cycle_resources, clients)


def summarise(raw_path, top):
    """Own and inclusive sample counts per function from py-spy's collapsed stacks."""
    own, inclusive, total = collections.Counter(), collections.Counter(), 0
    for line in Path(raw_path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        count = int(count)
        total += count
        frames = [f.split(" (", 1)[0] + " " + f.rsplit("/", 1)[-1].split(":")[0].rstrip(")")
                  for f in stack.split(";")[1:]]
        if frames:
            own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    print(f"{total} samples")
    for title, counter in (("own time", own), ("including callees", inclusive)):
        print(f"\n-- {title}")
        for frame, count in counter.most_common(top):
            print(f"{100 * count / total:6.1f}%  {frame}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--idle", action="store_true",
                        help="sample waiting threads too (default: only the thread holding the GIL)")
    args = parser.parse_args(argv)
    sizes = runner.Sizes(warmup=1.0, duration=args.seconds, quiet_wait=0)
    bench = runner.Bench(sizes)
    with tempfile.TemporaryDirectory(prefix="reservia-profile-") as tmp:
        home = Path(tmp) / "home"
        with pick_server(tmp, "profile", runner.server_env(home, sizes), "gunicorn") as server:
            bench.server = server
            data = DataSet(server.reservia_port, runner.ADMIN_PASSWORD, runner.USER_PASSWORD,
                           tls=server.tls)
            data.add_users(max(sizes.users, args.clients))
            data.queue_up(data.add_resources(sizes.resources), sizes.per_resource)
            cycle_resources = data.add_resources(args.clients, prefix="cycle")
            raw = Path(tmp) / "profile.txt"
            command = ["py-spy", "record", "--format", "raw", "--output", str(raw),
                       "--duration", str(int(args.seconds) + 1), "--rate", "200", "--subprocesses",
                       "--pid", str(server.root_pids()[0])]
            command.append("--idle" if args.idle else "--gil")
            spy = subprocess.Popen([str(Path(sys.executable).parent / command[0]), *command[1:]],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            group = load_group(args.scenario, data, args.clients, cycle_resources)
            runner_thread = threading.Thread(
                target=bench.measure, args=(server.reservia_port, args.scenario, [group], {}))
            runner_thread.start()
            spy.wait()
            runner_thread.join()
            if spy.returncode != 0:
                raise SystemExit(f"py-spy failed: {spy.stderr.read().decode()[-1000:]}")
        summarise(raw, args.top)


if __name__ == "__main__":
    main()
