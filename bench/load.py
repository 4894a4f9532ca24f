"""Fair under load: a mixed load of many clients on `ccmgraph serve`, and runaway queries beside
simple ones.

`ccmgraph serve` is started on 127.0.0.1 over the seed graph (dist/, built when stale), as deployed.
Then, in the same run:

1. **alone**: every request of the mix, one at a time (5 rounds after a warm-up round): the
   single-request latency the load is compared with;
2. **mixed load**: ``--clients`` clients (one connection each, httpx async) send requests drawn
   from the mix for ``--duration`` seconds, each waiting for its answer before the next (closed
   loop): the analyst API, pages (the work-plan, LAP-action, coverage and timeline pages, /id/
   descriptions) and /sparql (the same few queries, and queries that differ every time, which no
   cache can answer). Reported per kind: requests, errors, p50/p95/p99, requests per second, and
   the ratio of the p95 to the kind's single-request p50;
3. **the work-plan page alone**: the same clients all asking for the work-plan page for
   ``--page-duration`` seconds (it served 4 requests per second when issue 19 was filed);
4. **runaways**: one client sends ``--runaways`` queries that never finish (each different, so that
   none is coalesced with another), re-sending each one as soon as it is answered (429, 503, or
   stopped at the time limit), while ``--others`` other clients (each from its own loopback
   address) send simple queries that differ every time, for ``--duration`` seconds. Reported: the
   others' latency, and what the runaway client was answered.

Every client is told apart by its own source address (127.0.0.2, 127.0.0.3...: all of 127/8 is
the loopback on Linux), as the server sees them behind no proxy.

    python bench/load.py                                   # 50 clients, 20 s, 12 runaways
    python bench/load.py --clients 50 --duration 20 --page-cache-mb 0   # pages rendered every time

Results go to bench/results/load.{md,json}; bench/README.md has the table.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import functools
import json
import os
import random
import signal
import ssl
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
ID = "https://w3id.org/ccmgraph/id/"
JSON_RESULTS = "application/sparql-results+json"
PREFIXES = "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

# (kind, path, Accept): the requests analysts and their tools send; a kind groups them in the table
WORKPLAN = "/id/workplan/gso-2024-2025"  # the work-plan page (4 requests per second when issue 19 was filed)
MIX: list[tuple[str, str, str]] = [
    ("api", "/api/lap-actions", "application/json"),
    ("api", "/api/lap-actions/10", "application/json"),
    ("api", "/api/coverage", "application/json"),
    ("api", "/api/workplans", "application/json"),
    ("api", "/api/workplans/gso-2024-2025", "application/json"),
    ("api", "/api/partners/unidir", "application/json"),
    ("api", "/api/timeline?from=2025-01-01&to=2025-06-30", "application/json"),
    ("api", "/api/compare?from=gso-2024-2025&to=gso-2025-2026", "application/json"),
    ("api", "/api/search?q=gender", "application/json"),
    ("api", "/api/queries/activities-serving-action?action=10", "application/json"),
    ("page", WORKPLAN, "text/html"),
    ("page", "/id/lap-action/10", "text/html"),
    ("page", "/coverage", "text/html"),
    ("page", "/timeline", "text/html"),
    ("page", "/workplans", "text/html"),
    ("page", "/id/workplan/gso-2024-2025/activity/1c", "text/turtle"),
]
SPARQL_SAME = [
    PREFIXES + "SELECT ?a ?n ?l WHERE { ?a a ccm:LAPAction ; ccm:actionNumber ?n ; rdfs:label ?l } ORDER BY ?n",
    PREFIXES
    + "SELECT ?action (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e ccm:hasAlignment/ccm:action ?action } GROUP BY ?action",
]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(?c != {k}) }}"


def simple_query(k: int) -> str:
    """A cheap query that no cache has seen: one LAP action's label (the number differs every time)."""
    return PREFIXES + f"SELECT ?l WHERE {{ ?a ccm:actionNumber {1 + k % 50} ; rdfs:label ?l }} # {k}"


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection error, client time-out)
    ms: float


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    ready_s: float = 0.0

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# settings that are `ccmgraph serve` options (an option wins over the environment)
SERVE_OPTIONS = {"timeout", "max_rows", "max_result_mb", "max_request_kb", "memory_mb", "cache_mb", "client_queries"}


def start_server(workers: int, settings: dict[str, str]) -> Server:
    port = free_port()
    environment = {"CCMGRAPH_" + k.upper(): v for k, v in settings.items() if k not in SERVE_OPTIONS}
    env = {**os.environ, **environment}
    args = [str(BIN / "ccmgraph"), "serve", "--port", str(port), "--log-level", "warning", "--workers", str(workers)]
    for name, value in settings.items():
        if name in SERVE_OPTIONS:
            args += ["--" + name.replace("_", "-"), value]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}", proc)
    started = time.monotonic()
    while time.monotonic() - started < 600:
        if proc.poll() is not None:
            raise RuntimeError(f"ccmgraph serve exited with {proc.returncode}")
        try:
            if httpx.get(server.url + "/health", timeout=5).status_code == 200:
                server.ready_s = time.monotonic() - started
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("ccmgraph serve did not answer within 600 s")


def session_cpu(session: int) -> float:
    """CPU seconds used by a session's processes (the server, its zygote and workers), with the
    children they have reaped (killed workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields from the state on: state ppid pgrp session ...
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


@functools.cache
def no_tls() -> ssl.SSLContext:
    """One TLS context for every client (plain HTTP needs none, but each httpx transport would
    otherwise load the CA certificates again: tens of milliseconds of CPU per client)."""
    return ssl.create_default_context()


def client(base: str, address: str, timeout: float = 30.0) -> httpx.AsyncClient:
    """A client with its connections from its own loopback address."""
    transport = httpx.AsyncHTTPTransport(
        local_address=address, limits=httpx.Limits(max_connections=64), verify=no_tls()
    )
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=timeout)


async def send(http: httpx.AsyncClient, kind: str, path: str, accept: str, query: str | None = None) -> Sample:
    started = time.perf_counter()
    try:
        if query is None:
            r = await http.get(path, headers={"Accept": accept})
        else:
            headers = {"Accept": accept, "Content-Type": "application/sparql-query"}
            r = await http.post("/sparql", content=query.encode(), headers=headers)
        status = r.status_code
    except httpx.HTTPError:
        status = 0
    return Sample(kind, status, (time.perf_counter() - started) * 1000)


def draw(rng: random.Random, counter: list[int]) -> tuple[str, str, str, str | None]:
    """One request of the mix: 60% API and pages, 20% repeated SPARQL, 20% SPARQL never seen."""
    roll = rng.random()
    if roll < 0.6:
        kind, path, accept = rng.choice(MIX)
        return kind, path, accept, None
    if roll < 0.8:
        return "sparql (repeated)", "/sparql", JSON_RESULTS, rng.choice(SPARQL_SAME)
    counter[0] += 1
    return "sparql (new)", "/sparql", JSON_RESULTS, simple_query(counter[0])


async def alone(base: str, rounds: int) -> dict[str, list[float]]:
    """Each request of the mix, one at a time: its latency per kind (after a warm-up round)."""
    out: dict[str, list[float]] = defaultdict(list)
    async with client(base, "127.0.0.2") as http:
        requests = [(k, p, a, None) for k, p, a in MIX] + [
            ("sparql (repeated)", "/sparql", JSON_RESULTS, q) for q in SPARQL_SAME
        ]
        for round_ in range(rounds + 1):
            for kind, path, accept, query in requests:
                sample = await send(http, kind, path, accept, query)
                if sample.status != 200:
                    raise RuntimeError(f"{path}: HTTP {sample.status} alone")
                if round_:
                    out[kind].append(sample.ms)
                    if path == WORKPLAN:
                        out[WORKPLAN].append(sample.ms)
            for k in range(5):
                query = simple_query(10_000_000 + round_ * 10 + k)
                sample = await send(http, "sparql (new)", "/sparql", JSON_RESULTS, query)
                if round_:
                    out["sparql (new)"].append(sample.ms)
    return out


async def mixed_clients(
    base: str, clients: range, duration: float, seed: int, begin: float, only: str | None = None
) -> list[Sample]:
    """The clients numbered ``clients``, from the wall-clock time ``begin`` for ``duration`` seconds
    (``only``: every request for this page, instead of the mix)."""
    samples: list[Sample] = []
    counter = [clients.start * 1_000_000]  # the never-seen queries differ across processes too
    async with contextlib.AsyncExitStack() as stack:
        https = [await stack.enter_async_context(client(base, f"127.0.{1 + i // 250}.{2 + i % 250}")) for i in clients]
        await asyncio.sleep(max(0.0, begin - time.time()))
        deadline = time.monotonic() + duration

        async def one(i: int, http: httpx.AsyncClient) -> None:
            rng = random.Random(seed + i)
            while time.monotonic() < deadline:
                kind, path, accept, query = ("page", only, "text/html", None) if only else draw(rng, counter)
                samples.append(await send(http, kind, path, accept, query))

        await asyncio.gather(*(one(i, http) for i, http in zip(clients, https, strict=True)))
    return samples


def mixed_part(
    base: str, clients: range, duration: float, seed: int, begin: float, only: str | None
) -> tuple[list[Sample], float]:
    """One load process's samples, and the CPU seconds it used."""
    cpu = time.process_time()
    samples = asyncio.run(mixed_clients(base, clients, duration, seed, begin, only))
    return samples, time.process_time() - cpu


def mixed(
    base: str, clients: int, duration: float, seed: int, processes: int, only: str | None = None
) -> tuple[list[Sample], float, float]:
    """The mixed load from ``processes`` processes (one Python process cannot send fast enough: httpx
    costs more CPU per request than the server): the samples, the seconds it took, the clients' CPU."""
    begin = time.time() + 3.0  # every process starts at once, its clients ready
    parts = [range(k * clients // processes, (k + 1) * clients // processes) for k in range(processes)]
    with concurrent.futures.ProcessPoolExecutor(processes) as pool:
        futures = [pool.submit(mixed_part, base, part, duration, seed, begin, only) for part in parts]
        done = [f.result() for f in futures]
    seconds = time.time() - begin
    return [s for samples, _ in done for s in samples], seconds, sum(cpu for _, cpu in done)


async def runaways(base: str, runaways: int, others: int, duration: float) -> tuple[list[Sample], list[Sample]]:
    """(the runaway client's answers, the other clients' answers)."""
    theirs: list[Sample] = []
    ours: list[Sample] = []
    deadline = time.monotonic() + duration
    counter = [20_000_000]

    async def runaway(http: httpx.AsyncClient, k: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            sample = await send(http, "runaway", "/sparql", JSON_RESULTS, RUNAWAY.format(k=k * 1000 + n))
            theirs.append(sample)
            if sample.status in (429, 503):
                await asyncio.sleep(0.05)  # a client that ignores Retry-After, almost

    async def other(i: int) -> None:
        async with client(base, f"127.0.2.{2 + i}") as http:
            await asyncio.sleep(0.5)  # the runaways first
            while time.monotonic() < deadline:
                counter[0] += 1
                ours.append(await send(http, "simple", "/sparql", JSON_RESULTS, simple_query(counter[0])))
                await asyncio.sleep(0.1)

    async with client(base, "127.0.3.2") as http:
        await asyncio.gather(*(runaway(http, k) for k in range(runaways)), *(other(i) for i in range(others)))
    return theirs, ours


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def statuses(samples: list[Sample]) -> str:
    """How many answers of each status ("none": no answer)."""
    return ", ".join(f"{status or 'none'}: {n}" for status, n in sorted(Counter(s.status for s in samples).items()))


def table(samples: list[Sample], seconds: float, single: dict[str, list[float]]) -> list[dict]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    rows = []
    for kind in [*sorted(by_kind), "all"]:
        group = samples if kind == "all" else by_kind[kind]
        ok = [s.ms for s in group if s.status == 200]
        alone_ms = [ms for k, v in single.items() for ms in v] if kind == "all" else single.get(kind, [])
        alone_p50 = statistics.median(alone_ms) if alone_ms else float("nan")
        rows.append(
            {
                "kind": kind,
                "requests": len(group),
                "errors": sum(1 for s in group if s.status != 200),
                "error_statuses": statuses([s for s in group if s.status != 200]),
                "req_s": len(ok) / seconds,
                "p50": pct(ok, 50),
                "p95": pct(ok, 95),
                "p99": pct(ok, 99),
                "max": max(ok, default=float("nan")),
                "alone_p50": alone_p50,
                "p95_over_alone": pct(ok, 95) / alone_p50 if alone_ms else float("nan"),
            }
        )
    return rows


def markdown(title: str, rows: list[dict]) -> str:
    lines = [
        title,
        "",
        "| kind | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | alone p50 ms | p95 / alone p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        errors = f"{r['errors']} ({r['error_statuses']})" if r["errors"] else "0"
        lines.append(
            f"| {r['kind']} | {r['requests']} | {errors} | {r['req_s']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} "
            f"| {r['p99']:.1f} | {r['max']:.1f} | {r['alone_p50']:.1f} | {r['p95_over_alone']:.1f} |"
        )
    return "\n".join(lines)


# the server as it was before issue 19: no page cache, no lowering of long queries, no per-client
# limit, no cap on queries waiting (the peer of ``--peer``)
UNFAIR = {"page_cache_mb": "0", "slow_after": "0", "client_queries": "0", "max_queries": "100000"}


def measure(args: argparse.Namespace, name: str, settings: dict[str, str]) -> tuple[str, dict]:
    """One server with ``settings``: the requests alone, the mixed load, the runaways."""
    load_before = os.getloadavg()[0]
    server = start_server(args.workers, settings)
    try:
        single = asyncio.run(alone(server.url, args.rounds))
        served = session_cpu(server.proc.pid)
        samples, seconds, cpu = mixed(server.url, args.clients, args.duration, args.seed, args.processes)
        served = session_cpu(server.proc.pid) - served
        one_page, one_page_s, _ = mixed(
            server.url, args.clients, args.page_duration, args.seed, args.processes, WORKPLAN
        )
        theirs, ours = asyncio.run(runaways(server.url, args.runaways, args.others, args.duration))
    finally:
        server.stop()
    load_rows = table(samples, seconds, {k: v for k, v in single.items() if k != WORKPLAN})
    others_rows = table(ours, args.duration, {"simple": single["sparql (new)"]})
    page_rows = table(one_page, one_page_s, {"page": single[WORKPLAN]})
    described = ", ".join(f"{k}={v}" for k, v in settings.items()) or "the defaults"
    head = (
        f"**{name}**: ccmgraph serve --workers {args.workers} with {described}; ready in {server.ready_s:.1f} s; "
        f"load average before {load_before:.1f} on {os.cpu_count()} CPUs; during the mixed load ({seconds:.1f} s) "
        f"the clients ({args.processes} processes) used {cpu:.1f} CPU s, the server {served:.1f} CPU s "
        f"({1000 * served / max(len(samples), 1):.1f} CPU ms per request)"
    )
    text = "\n\n".join(
        [
            head,
            markdown(f"Mixed load: {args.clients} clients for {args.duration:g} s", load_rows),
            markdown(
                f"Runaways: one client with {args.runaways} runaway queries at once, {args.others} other clients "
                f"sending simple queries (one every 0.1 s each) for {args.duration:g} s",
                others_rows[:1],
            ),
            "the runaway client was answered: " + statuses(theirs),
            markdown(
                f"The work-plan page alone ({WORKPLAN}): {args.clients} clients for {args.page_duration:g} s",
                page_rows[:1],
            ),
        ]
    )
    raw = {
        "settings": settings,
        "ready_s": server.ready_s,
        "load_average_before": load_before,
        "client_cpu_s": cpu,
        "server_cpu_s": served,
        "alone": single,
        "mixed": load_rows,
        "others": others_rows,
        "runaway_statuses": statuses(theirs),
        "workplan_page": page_rows,
    }
    return text, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of each load")
    parser.add_argument("--processes", type=int, default=2, help="processes sending the mixed load")
    parser.add_argument("--workers", type=int, default=0, help="engine processes (ccmgraph serve --workers)")
    parser.add_argument("--page-duration", type=float, default=10.0, help="seconds of the work-plan page alone")
    parser.add_argument("--runaways", type=int, default=12, help="runaway queries sent at once by one client")
    parser.add_argument("--others", type=int, default=5, help="clients sending simple queries beside them")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the requests alone")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a setting of the server (ccmgraph.settings)"
    )
    parser.add_argument(
        "--peer", action="store_true", help="then the same with page cache, lowering and limits off (as before)"
    )
    parser.add_argument("--label", default="", help="a name for this run's results file")
    args = parser.parse_args()
    settings = dict(s.split("=", 1) for s in args.set)

    began = time.monotonic()
    runs = [("as deployed", settings)] + ([("peer: fairness off", {**settings, **UNFAIR})] if args.peer else [])
    results = [measure(args, name, chosen) for name, chosen in runs]
    text = "\n\n".join(t for t, _ in results) + f"\n\nrun took {time.monotonic() - began:.0f} s"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "load" + (f"-{args.label}" if args.label else "")
    (RESULTS / f"{stem}.md").write_text(text + "\n", encoding="utf-8")
    raw = {name: r for (name, _), (_, r) in zip(runs, results, strict=True)}
    (RESULTS / f"{stem}.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
