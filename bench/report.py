"""The machine, the table and the targets: everything a reader needs to judge the figures."""
import os
import platform
from pathlib import Path


def machine_info():
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu_model": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": platform.platform()}


def _find(measurements, label, name, clients, **state):
    for record in measurements:
        if (record["label"] == label and record["name"] == name and record["clients"] == clients
                and all(record["state"].get(k) == v for k, v in state.items())):
            return record
    return None


def ceiling_for(measurements, record):
    """The ceiling at the record's concurrency measured last before it (a ceiling is its own)."""
    index = next(i for i, r in enumerate(measurements) if r is record)
    earlier = [r for r in measurements[:index + 1]
               if r["label"] == "ceiling" and r["clients"] == record["clients"]]
    if not earlier:
        earlier = [r for r in measurements if r["label"] == "ceiling" and r["clients"] == record["clients"]]
    return earlier[-1]["requests_per_s"] if earlier else None


def cpu_ratio(measurements, record):
    """The record's server CPU per request over the hello app's, measured last before it at the
    same concurrency (the hello app under the same server is the least a request can cost)."""
    index = next(i for i, r in enumerate(measurements) if r is record)
    hello = [r for r in measurements[:index + 1] if r["label"] == "ceiling" and r["clients"] == record["clients"]]
    own, least = record["cpu"]["server_ms_per_request"], hello[-1]["cpu"]["server_ms_per_request"] if hello else None
    return own / least if own is not None and least else None


def table(measurements):
    """One row per load group: throughput also as a share of the ceiling at the same concurrency,
    the servers' CPU time per request (also as a multiple of the hello app's), and the cores that
    other programs used meanwhile (figures taken beside a busy neighbour are low)."""
    header = (f"{'scenario':<26} {'load':<9} {'data':<26} {'clients':>7} {'req/s':>8} "
              f"{'ceiling':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'cpu ms':>7} {'x hello':>7} {'others':>6}")
    lines = [header, "-" * len(header)]
    for r in measurements:
        ceiling = ceiling_for(measurements, r)
        share = f"{100 * r['requests_per_s'] / ceiling:.0f}%" if ceiling else "-"
        state = r["state"]
        data = ""
        if state:
            data = f"{state['resources']} res, {state['active']} act, {state['history']:,} hist"
            if "bookings" in state:
                data = f"{state['resources']} res, {state['bookings']:,} bookings"
            if state.get("audit"):
                data = f"{state['bookings'] // 1000}k bk, {state['audit'] / 1e6:g}M aud, {state['rules']} rules"
        lines.append(f"{r['label'][:26]:<26} {r['name']:<9} {data[:26]:<26} {r['clients']:>7} "
                     f"{r['requests_per_s']:>8.1f} {share:>7} {_ms(r['p50_ms'])} {_ms(r['p95_ms'])} "
                     f"{_ms(r['p99_ms'])} {r['errors']:>6} {_cpu(r['cpu']['server_ms_per_request'])} "
                     f"{_times(cpu_ratio(measurements, r))} {r['cpu']['other_cores']:>6.2f}")
    return "\n".join(lines)


def _ms(value):
    return f"{value:>8.1f}" if value is not None else f"{'-':>8}"


def _cpu(value):
    return f"{value:>7.2f}" if value is not None else f"{'-':>7}"


def _times(value):
    return f"{value:>6.1f}x" if value is not None else f"{'-':>7}"


def targets(measurements, sizes):
    """Each target of the issue with the measured figure and whether it is met."""
    checks = []
    top = 32 if 32 in sizes.clients else max(sizes.clients)
    mid = 8 if 8 in sizes.clients else max(sizes.clients)

    def share(record):
        ceiling = ceiling_for(measurements, record) if record else None
        return record["requests_per_s"] / ceiling if record and ceiling else None

    alive = _find(measurements, "health", "is_alive", top)
    value = share(alive)
    checks.append((f"is_alive at {top} clients >= 80% of ceiling", _pct(value),
                   value is not None and value >= 0.8))
    active = _find(measurements, "active list", "active", top)
    value = share(active)
    checks.append((f"active list at {top} clients >= 50% of ceiling", _pct(value),
                   value is not None and value >= 0.5))
    checks.append((f"active list at {top} clients p99 < 50 ms",
                   f"{active['p99_ms']} ms" if active else "-",
                   bool(active and active["p99_ms"] is not None and active["p99_ms"] < 50)))
    cycle = _find(measurements, "request-release cycle", "cycle", mid)
    value = cpu_ratio(measurements, cycle) if cycle else None
    checks.append((f"cycle at {mid} clients: server CPU per request <= 4x the hello app's",
                   f"{value:.1f}x" if value else "-", value is not None and value <= 4))
    for clients in sorted({mid, top}):
        cycle = _find(measurements, "request-release cycle", "cycle", clients)
        checks.append((f"cycle at {clients} clients without errors", str(cycle["errors"]) if cycle else "-",
                       bool(cycle and cycle["errors"] == 0 and cycle["operations"] > 0)))
    refresh = _find(measurements, "unchanged refresh", "board 304", mid)
    status = _find(measurements, "session status", "status", mid)
    costs = [r["cpu"]["server_ms_per_request"] if r else None for r in (refresh, status)]
    checks.append((f"unchanged refresh at {mid} clients: server CPU <= GET /session/status",
                   f"{costs[0]} vs {costs[1]} ms" if None not in costs else "-",
                   None not in costs and costs[0] <= costs[1]))
    dashboard = _find(measurements, "dashboard", "dashboard", top)
    value = share(dashboard)
    checks.append((f"changed dashboard (50 resources) at {top} clients >= 25% of ceiling", _pct(value),
                   value is not None and value >= 0.25))
    many = sizes.resources + sizes.big_resources
    big = _find(measurements, "dashboard, growing data", "dashboard", min(sizes.growth_clients), resources=many)
    checks.append((f"dashboard with {many:,} resources, {min(sizes.growth_clients)} client: p50 <= 30 ms",
                   f"{big['p50_ms']} ms" if big else "-",
                   bool(big and big["p50_ms"] is not None and big["p50_ms"] <= 30)))
    open_pages = next((r for r in measurements if r["label"] == "open dashboards"), None)
    opened = f"{sizes.open_dashboards} open dashboards every {sizes.refresh_seconds:g} s"
    checks.append((f"{opened}: server cores (reported), no errors",
                   f"{open_pages['cpu']['server_cores_measured']} cores, {open_pages['errors']} errors"
                   if open_pages else "-",
                   bool(open_pages and open_pages["errors"] == 0 and open_pages["operations"])))
    largest = max(sizes.history_steps)
    for label, name in (("active list, growing data", "active"), ("dashboard, growing data", "dashboard")):
        for clients in sizes.growth_clients:
            empty = _find(measurements, label, name, clients, history=0)
            full = _find(measurements, label, name, clients, history=largest, resources=sizes.resources)
            raw = empty["requests_per_s"] / full["requests_per_s"] \
                if empty and full and full["requests_per_s"] else None
            # Each as a share of the ceiling measured just before it: drift of the machine cancels.
            ratio = share(empty) / share(full) if raw and share(empty) and share(full) else None
            checks.append((f"{name} at {clients} clients, {largest:,} history vs none: within 1.2x",
                           f"{ratio:.2f}x (raw {raw:.2f}x)" if ratio else "-",
                           ratio is not None and ratio <= 1.2))
    mixed = [r for r in measurements if r["label"] == "cycle while others log in"]
    cycle_mixed = next((r for r in mixed if r["name"] == "cycle"), None)
    checks.append(("cycle while others log in: no errors",
                   str(cycle_mixed["errors"]) if cycle_mixed else "-",
                   bool(cycle_mixed and cycle_mixed["errors"] == 0 and cycle_mixed["operations"] > 0)))
    return [{"target": t, "measured": m, "met": bool(ok)} for t, m, ok in checks]


def _pct(value):
    return f"{100 * value:.0f}%" if value is not None else "-"


def race_text(race):
    """The booking race in words, or nothing when it did not run."""
    if not race:
        return ""
    return (f"Booking race, {race['clients']} clients on the same slots for {race['seconds']} s: "
            f"{race['booked']} booked, {race['conflicts']} refused with 409, {race['errors']} other answers; "
            f"{race['per_s']} bookings tried/s ({race['booked_per_s']} made/s), p50 {race['p50_ms']} ms, "
            f"p99 {race['p99_ms']} ms; {race['overlaps']} overlapping bookings in the database after it.")


def targets_table(checks):
    if not checks:
        return ""
    width = max(len(c["target"]) for c in checks)
    measured = max(len(c["measured"]) for c in checks)
    return "\n".join(f"{c['target']:<{width}}  {c['measured']:>{measured}}  {'met' if c['met'] else 'NOT MET'}"
                     for c in checks)


def reports_table(figures, target):
    """The Reports page over a year of history of 200 resources (bench/reports.py)."""
    lines = [f"Reports over a year of history of 200 resources (target: the page under {target:.0f} s)"]
    for name, seconds in figures.items():
        lines.append(f"  {name:<40} {seconds * 1000:8.0f} ms")
    return "\n".join(lines)
