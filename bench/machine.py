"""What else the CPUs were doing: figures taken while other programs compete for two cores are not comparable."""
import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _system_ticks():
    """(busy, total) clock ticks of all CPUs since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return total - idle, total


def tree_ticks(root_pids):
    """CPU ticks used so far by the processes descended from root_pids (a server and its workers),
    those that ended included: each live process's own and its waited-for children's. A
    PostgreSQL backend ends with its connection; counting the live ones only, the CPU of every
    connection that ended within the window was lost to "other programs"."""
    parents, ticks = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = raw.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    used = 0
    for pid, own in ticks.items():
        ancestor = pid
        while ancestor > 1 and ancestor not in root_pids:
            ancestor = parents.get(ancestor, 0)
        if ancestor in root_pids:
            used += own
    return used


class CpuWatch:
    """CPU cores used, on average, by everything, by the servers, and by the rest, over a span of time."""

    def __init__(self, root_pids):
        self.root_pids = set(root_pids)

    def __enter__(self):
        self._start = (time.monotonic(), *_system_ticks(), tree_ticks(self.root_pids))
        return self

    def __exit__(self, *exc):
        end = (time.monotonic(), *_system_ticks(), tree_ticks(self.root_pids))
        self.seconds = seconds = end[0] - self._start[0]
        busy_share = (end[1] - self._start[1]) / max(1, end[2] - self._start[2])
        self.busy_cores = busy_share * (os.cpu_count() or 1)
        self.server_cores = (end[3] - self._start[3]) / TICKS / seconds
        return False

    def others(self, client_cores=0.0):
        """Cores used by programs that are neither the servers nor the load process."""
        return max(0.0, self.busy_cores - self.server_cores - client_cores)


def wait_for_quiet(root_pids, limit_seconds, sample_seconds=1.0, threshold_cores=0.3, log=print):
    """Wait (up to the limit) until other programs use less than threshold_cores, looking at their
    use over sample_seconds at a time; returns their last use."""
    deadline = time.monotonic() + limit_seconds
    announced = False
    while True:
        with CpuWatch(root_pids) as watch:
            time.sleep(sample_seconds)
        others = watch.others()
        if others < threshold_cores or time.monotonic() >= deadline:
            return others
        if not announced:
            log(f"  waiting: other programs use {others:.1f} cores")
            announced = True
