"""The department scenario's figures as text, and how each run stands against the goal of issue 29."""

# The goal: the whole department on at most half a core, refreshes and writes answered within
# 100 ms for 99 in 100, and nothing failing.
GOAL_CORES = 0.5
GOAL_P99_MS = 100.0


def _value(value, unit=""):
    return "-" if value is None else f"{value:g}{unit}"


def verdicts(run):
    """[(what, measured, met)] for one run."""
    cores = run["server_cores"] + run["database_cores"]
    errors = sum(kind["errors"] for kind in run["kinds"])
    answered = run["refreshes_answered"] / run["refreshes_asked"] if run["refreshes_asked"] else None
    refresh, write = run["refresh"]["p99_ms"], run["write"]["p99_ms"]
    return [
        (f"server + database CPU <= {GOAL_CORES} core", f"{cores:.2f} cores", cores <= GOAL_CORES),
        (f"dashboard refresh p99 <= {GOAL_P99_MS:g} ms", _value(refresh, " ms"),
         refresh is not None and refresh <= GOAL_P99_MS),
        (f"write p99 <= {GOAL_P99_MS:g} ms", _value(write, " ms"), write is not None and write <= GOAL_P99_MS),
        ("errors = 0", str(errors), errors == 0),
        ("refreshes answered / asked", f"{run['refreshes_answered']} / {run['refreshes_asked']}"
         + (f" ({answered:.0%})" if answered is not None else ""), answered is not None and answered >= 0.95),
    ]


def run_text(run):
    server = run["server"]
    timed = sum(kind["cpu_ms"] for kind in run["kinds"]) / 1000 / run["seconds"]
    lines = [
        f"{server['server']} ({server.get('processes')} processes x {server.get('threads')} threads), "
        f"{run['engine']}: {run['pages_open']} open dashboards every {run['refresh_seconds']:g} s, "
        f"{run['sizes']['ci_jobs']} CI jobs, "
        f"{run['sizes']['people']} people at forms; {run['seconds']:g} s measured",
        f"  CPU cores: web server {run['server_cores']:.2f} (in Reservia's request code {timed:.2f}), "
        f"database {run['database_cores']:.2f}, load generator {run['client_cores']:.2f}, "
        f"other programs {run['other_cores']:.2f}",
        *_lateness_line(run),
        f"  {'kind':<20} {'req/s':>7} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'CPU ms/req':>10} {'cores':>6} {'in app p50':>10} {'p99 ms':>8} {'queued p50':>10} {'new conn.':>9} "
        f"{'closed':>6}",
    ]
    for kind in run["kinds"]:
        cores = kind["cpu_ms"] / 1000 / run["seconds"]
        lines.append(f"  {kind['kind']:<20} {kind['per_s']:>7.2f} {kind['errors']:>6} {_value(kind['p50_ms']):>8} "
                     f"{_value(kind['p99_ms']):>8} {_value(kind['max_ms']):>8} "
                     f"{_value(kind['cpu_ms_per_request']):>10} {cores:>6.3f} "
                     f"{_value(kind.get('app_p50_ms')):>10} {_value(kind.get('app_p99_ms')):>8} "
                     f"{_value(kind.get('queued_p50_ms')):>10} {_value(kind.get('on_new_connection')):>9} "
                     f"{_value(kind.get('told_to_close')):>6}")
    for what, measured, met in verdicts(run):
        lines.append(f"  {what:<36} {measured:<24} {'met' if met else 'NOT MET'}")
    lines += failures_text(run)
    return "\n".join(lines)


def _lateness_line(run):
    late = run.get("client_late_ms")
    if not late:
        return []
    return [f"  load generator's own lateness (a task woken late): p50 {_value(late['p50'], ' ms')}, "
            f"p99 {_value(late['p99'], ' ms')}"]


def failures_text(run):
    """The failed answers, alike ones together: the table counts only the window's, by kind;
    these lines also tell what failed while dashboards opened or the window closed, and what
    each answer said."""
    alike = {}
    for failure in run.get("failures", []):
        key = (failure["kind"], failure["asked"], failure["status"], failure["code"], failure["error"])
        counts = alike.setdefault(key, [0, 0])
        counts[0 if failure["in_window"] else 1] += 1
    if not alike:
        return []
    outside = sum(counts[1] for counts in alike.values())
    lines = [f"  failed answers: {run['all_errors']}, {outside} of them outside the measured window"]
    for (kind, asked, status, code, error), (inside, out) in sorted(alike.items(), key=str):
        answer = " ".join(str(part) for part in (status, code, error and f"({error})") if part)
        lines.append(f"    {inside} in, {out} outside: {kind}, {asked} -> {answer}")
    return lines


def text(runs):
    return "\n\n".join(["Department scenario (issue 29)", *(run_text(run) for run in runs)])
