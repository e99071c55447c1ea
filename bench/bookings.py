"""Bookings, audit log and policy in the benchmark: the queue's cycle and the dashboard beside
10,000 future bookings over 200 resources, then beside those and 1,000,000 audit entries and 100
group rules (each against the same figures on a second site left empty, measured in turns: no
slope), and clients racing to book the same slots, after which the database must hold no overlap."""
import itertools
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

from bench import scenarios, seed, seed_audit
from bench.api import ApiClient, DataSet
from bench.report import ceiling_for
from bench.runner import ADMIN_PASSWORD, USER_PASSWORD

BOOKED_RESOURCES = 200
BOOKINGS = 10_000
AUDIT_ENTRIES = 1_000_000
RULES = 100
RACERS = 8
SLOT = timedelta(minutes=30)


# Each comparison is measured this many times, the two sites taking turns (see bookings_phase).
ROUNDS = 3


class Site:
    """One of the two sites the phase compares: its server and its data, built alike."""

    def __init__(self, server, sizes):
        self.server = server
        self.data = DataSet(server.reservia_port, ADMIN_PASSWORD, USER_PASSWORD, tls=server.tls)
        self.data.add_users(max(sizes.users, max(sizes.clients), RACERS))
        self.booked = self.data.add_resources(BOOKED_RESOURCES, prefix="booked")
        # The cycle's resources are among the booked ones: each hold is bounded by a booking.
        self.cycle = self.booked[:max(sizes.clients)]


def bookings_phase(bench, servers, sizes, log=print):
    """Cycle and dashboard on two sites built alike, one left empty, the other given 10,000
    bookings, then also 1,000,000 audit entries and 100 rules; then the race on the seeded one.
    Returns the race's figures (they are not requests of one kind, so they are not a row of the
    load table).

    The two sites run side by side and take turns, figure by figure, ROUNDS times (empty, seeded,
    seeded, empty, ...): on a small machine the same figure moves by a third between two runs a
    few minutes apart (other work, CPU clocks, the order of the figures), far more than the 1.2x
    being judged; measured in turns, both sites meet the same moments."""
    empty, seeded = (Site(server, sizes) for server in servers)
    state = {"resources": BOOKED_RESOURCES, "active": 0, "history": 0, "bookings": 0, "audit": 0, "rules": 0}

    def measure(stage, seeded_state):
        for clients, round_ in itertools.product(sizes.clients, range(ROUNDS)):
            turns = ((empty, {**state, "stage": stage}), (seeded, {**seeded_state, "stage": stage}))
            for site, site_state in turns if round_ % 2 == 0 else reversed(turns):
                bench.server = site.server
                port = site.server.reservia_port
                bench.measure_ceiling(clients)
                bench.measure(port, "cycle, bookings",
                              [scenarios.request_release_cycle(site.data.cookies, site.cycle, clients)],
                              {**site_state, "round": round_})
                bench.measure(port, "dashboard, bookings", [scenarios.dashboard(site.data.cookies, clients)],
                              {**site_state, "round": round_})

    started = time.perf_counter()
    written = seed.add_bookings(seeded.server.database_path, seeded.booked, seeded.data.user_ids,
                                BOOKINGS // BOOKED_RESOURCES)
    log(f"  {written:,} future bookings over {BOOKED_RESOURCES} resources (inserted in "
        f"{time.perf_counter() - started:.1f}s)")
    with_bookings = {**state, "bookings": written}
    measure("bookings", with_bookings)
    started = time.perf_counter()
    audited = seed_audit.add_audit_entries(seeded.server.database_path, AUDIT_ENTRIES, seeded.data.user_ids)
    rules = seed.add_rules(seeded.server.database_path, seeded.data.user_ids, seeded.booked, RULES)
    log(f"  {audited:,} audit entries (chained) and {rules} group rules over 20 groups (inserted in "
        f"{time.perf_counter() - started:.1f}s)")
    measure("audit", {**with_bookings, "audit": audited, "rules": rules})
    bench.server = seeded.server
    race_resource = seeded.data.add_resources(1, prefix="race")[0]
    port = seeded.server.reservia_port
    outcome = race(port, seeded.data.cookies[:RACERS], race_resource, sizes.duration, seeded.server.tls)
    outcome["overlaps"] = seed.overlapping_bookings(seeded.server.database_path)
    log(f"  booking race, {RACERS} clients: {outcome['booked']} booked, {outcome['conflicts']} refused (409), "
        f"{outcome['errors']} other answers, {outcome['per_s']} bookings tried/s, p50 {outcome['p50_ms']} ms, "
        f"p99 {outcome['p99_ms']} ms; {outcome['overlaps']} overlaps in the database")
    return outcome


def race(port, cookies, resource_id, duration, tls=False):
    """Each client books the same run of half-hour slots of one resource, in the same order, the
    odd clients a quarter of an hour later (so windows overlap partly, not only exactly), for
    `duration` seconds. Counts 201s, 409s and anything else."""
    base = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    counts = {"booked": 0, "conflicts": 0, "errors": 0}
    latencies, lock = [], threading.Lock()
    deadline = time.monotonic() + duration

    def client(index):
        api = ApiClient(port, cookies[index], tls=tls)
        shift = SLOT / 2 if index % 2 else timedelta(0)
        mine, took, slot = {"booked": 0, "conflicts": 0, "errors": 0}, [], 0
        try:
            while time.monotonic() < deadline:
                start = base + slot * SLOT + shift
                began = time.perf_counter()
                try:
                    response, _ = api.call("POST", "/reservation/book", {
                        "resource_id": resource_id, "start": start.isoformat(), "end": (start + SLOT).isoformat()},
                        expect=(201, 409))
                    mine["booked" if response.status == 201 else "conflicts"] += 1
                except Exception:  # noqa: BLE001 - every other answer is counted, none stops the race
                    mine["errors"] += 1
                took.append(time.perf_counter() - began)
                slot += 1
        finally:
            api.close()
        with lock:
            for key, value in mine.items():
                counts[key] += value
            latencies.extend(took)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(cookies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    tried = sum(counts.values())
    ordered = sorted(latencies)

    def percentile(share):
        return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else None

    return {**counts, "clients": len(cookies), "seconds": round(seconds, 2), "per_s": round(tried / seconds, 1),
            "booked_per_s": round(counts["booked"] / seconds, 1), "p50_ms": percentile(0.5),
            "p99_ms": percentile(0.99), "mean_ms": round(1000 * statistics.fmean(ordered), 1) if ordered else None}


def targets(measurements, race_outcome, sizes):
    """The issue's targets: within 1.2x of the same figures on an empty database, with bookings and
    with bookings, the audit log and the rules (judged on the servers' CPU per request and the raw
    rate, each the median of the rounds' ratios, every round comparing two figures measured one
    after the other; the share of the ceiling is shown too), and a race that ends with no overlap."""
    def rounds(label, clients, stage, seeded):
        found = [r for r in measurements if r["label"] == label and r["clients"] == clients
                 and r["state"].get("stage") == stage and bool(r["state"].get("bookings")) == seeded]
        return {r["state"]["round"]: r for r in found}

    def median_ratio(pairs, figure):
        ratios = [figure(with_) / figure(without) for without, with_ in pairs
                  if figure(with_) is not None and figure(without)]
        return statistics.median(ratios) if ratios else None

    checks = []
    comparisons = ((f"{BOOKINGS:,} bookings vs none", "bookings"),
                   (f"{BOOKINGS:,} bookings, {AUDIT_ENTRIES:,} audit entries, {RULES} rules vs none", "audit"))
    for (seeded, stage), label, clients in itertools.product(comparisons, ("cycle, bookings", "dashboard, bookings"),
                                                             sizes.clients):
        without, with_ = rounds(label, clients, stage, False), rounds(label, clients, stage, True)
        pairs = [(without[n], with_[n]) for n in sorted(without) if n in with_]
        # The servers' CPU time per request, the steadiest figure on a busy machine; the rate the
        # clients got (as time per request, so that more is worse in both); the share of the ceiling.
        cpu = median_ratio(pairs, lambda r: r["cpu"]["server_ms_per_request"])
        raw = median_ratio(pairs, lambda r: 1 / r["requests_per_s"] if r["requests_per_s"] else None)
        share = median_ratio(pairs, lambda r: _ceiling_per_request(measurements, r))
        spread = sorted(round(with_cpu / without_cpu, 2) for without_cpu, with_cpu in
                        ((a["cpu"]["server_ms_per_request"], b["cpu"]["server_ms_per_request"]) for a, b in pairs)
                        if without_cpu and with_cpu)
        checks.append((f"{label.split(',')[0]} at {clients} clients, {seeded}: within 1.2x",
                       f"CPU {cpu:.2f}x (rounds {', '.join(map(str, spread))}), raw {raw:.2f}x "
                       f"(as shares of the ceiling {share:.2f}x)" if cpu and raw and share else "-",
                       cpu is not None and raw is not None and cpu <= 1.2 and raw <= 1.2))
    if race_outcome:
        checks.append((f"booking race, {race_outcome['clients']} clients: 0 overlaps, no other answers",
                       f"{race_outcome['overlaps']} overlaps, {race_outcome['errors']} others",
                       race_outcome["overlaps"] == 0 and race_outcome["errors"] == 0 and race_outcome["booked"] > 0))
    return [{"target": t, "measured": m, "met": bool(ok)} for t, m, ok in checks]


def _ceiling_per_request(measurements, record):
    """The ceiling's rate over the figure's: how many hello requests one of its requests is worth."""
    ceiling = ceiling_for(measurements, record)
    return ceiling / record["requests_per_s"] if ceiling and record["requests_per_s"] else None
