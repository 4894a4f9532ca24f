"""SPARQL endpoint benchmark: ccmgraph against Oxigraph server and rdflib-endpoint.

Each server is started on 127.0.0.1 in the same run, over the same dataset (the built graph,
or a synthetic one shaped like it, see bench/synthetic.py), with the union of the named graphs
as the default graph. Each query is sent by Debian's ``wrk`` (2 threads, 8 connections, a Lua
script; the load generator is native code, not a Python client) for a bounded time, after a
check that every server gives the same number of answers. Reported per query and server:
throughput, median and p95 latency, errors, and the ratio of ccmgraph's throughput to the
peer's. ccmgraph runs twice: as deployed (its result cache on) and with the cache off, which
measures the engine path (every request goes to a worker process).

    python bench/endpoint.py --dataset seed                       # the built graph (dist/)
    python bench/endpoint.py --dataset synthetic --triples 1000000 --duration 5

Results go to bench/results/endpoint-<dataset>.{md,json}; bench/README.md has the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from ccmgraph import disk_store

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
PREFIXES = """PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX id: <https://w3id.org/ccmgraph/id/>
"""
# name -> (what it exercises, query); the Accept header follows the form
QUERIES: dict[str, tuple[str, str]] = {
    "lookup": (
        "50 LAP actions, sorted: index lookups",
        PREFIXES
        + """
SELECT ?action ?number ?label WHERE { ?action a ccm:LAPAction ; ccm:actionNumber ?number ; rdfs:label ?label }
ORDER BY ?number""",
    ),
    "group-by": (
        "plan elements per LAP action over the whole graph: join + GROUP BY + COUNT DISTINCT",
        PREFIXES
        + """
SELECT ?action (COUNT(DISTINCT ?element) AS ?elements) WHERE { ?element ccm:hasAlignment/ccm:action ?action }
GROUP BY ?action ORDER BY DESC(?elements) ?action""",
    ),
    "evidence": (
        "elements serving action 10 with the quote that says so: 5-way join",
        PREFIXES
        + """
SELECT ?element ?label ?quote WHERE {
  ?element ccm:hasAlignment ?alignment ; rdfs:label ?label .
  ?alignment ccm:action <https://w3id.org/ccmgraph/id/lap-action/10> ; prov:wasDerivedFrom ?evidence .
  ?evidence oa:hasSelector ?selector . ?selector oa:exact ?quote .
} ORDER BY ?element LIMIT 200""",
    ),
    "text-search": (
        "labels containing a word: scan + FILTER",
        PREFIXES
        + """
SELECT ?thing ?label WHERE { ?thing rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "universal")) }
ORDER BY ?thing LIMIT 100""",
    ),
    "describe": (
        "DESCRIBE one resource, as Turtle",
        PREFIXES + "DESCRIBE <https://w3id.org/ccmgraph/id/lap-action/10>",
    ),
    "ask": (
        "ASK: the cheapest request",
        PREFIXES + "ASK { ?element ccm:servesAction <https://w3id.org/ccmgraph/id/lap-action/10> }",
    ),
}
LUA = """
wrk.method = "GET"
wrk.path = "{path}"
wrk.headers["Accept"] = "{accept}"
done = function(summary, latency, requests)
  io.write(string.format('WRK {{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "socket_errors": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status, summary.errors.timeout,
    summary.errors.connect + summary.errors.read + summary.errors.write))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_pss_mib(pid: int) -> float:
    """Proportional set size of a process and its descendants (shared pages counted once)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


@dataclass
class Server:
    name: str
    url: str  # the query endpoint
    proc: subprocess.Popen
    workdir: Path | None = None
    started_s: float = 0.0
    pss_mib: float = 0.0

    def stop(self) -> None:
        with_group = True
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except OSError:
            with_group = False
            self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            if with_group:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def wait_ready(server: Server, limit: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}")
        try:
            r = httpx.get(
                server.url, params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}, timeout=5
            )
            if r.status_code == 200:
                server.started_s = time.monotonic() - started
                return
            if r.status_code == 404:
                raise RuntimeError(f"{server.name}: no endpoint at {server.url}")
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{server.name} did not answer within {limit} s")


def start_ccmgraph(nquads: Path, cache: bool, workers: int) -> Server:
    workdir = Path(tempfile.mkdtemp(prefix="bench-ccmgraph-"))
    (workdir / "ccmgraph.nq").symlink_to(nquads.resolve())
    disk_store.write(workdir)  # the store the server opens, as the build writes it
    port = free_port()
    args = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve-ccmgraph",
        str(workdir),
        str(port),
        str(workers),
        "cache" if cache else "nocache",
    ]
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server("ccmgraph" if cache else "ccmgraph (no cache)", f"http://127.0.0.1:{port}/sparql", proc, workdir)


def start_oxigraph(nquads: Path) -> Server:
    workdir = Path(tempfile.mkdtemp(prefix="bench-oxigraph-"))
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(workdir / "db"), "--file", str(nquads)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            str(workdir / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server("oxigraph server", f"http://127.0.0.1:{port}/query", proc, workdir)


def start_rdflib_endpoint(nquads: Path) -> Server:
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port), str(nquads)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server("rdflib-endpoint", f"http://127.0.0.1:{port}/", proc)  # its endpoint is at /


def accept_for(query: str) -> str:
    return "text/turtle" if "DESCRIBE" in query or "CONSTRUCT" in query else "application/sparql-results+json"


def answer_size(server: Server, query: str, timeout: float) -> str:
    """A fingerprint of the answer, to check that all servers agree: rows, boolean or triples."""
    try:
        r = httpx.get(server.url, params={"query": query}, headers={"Accept": accept_for(query)}, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"error: {type(exc).__name__}"
    if r.status_code != 200:
        return f"HTTP {r.status_code}"
    if accept_for(query) == "text/turtle":
        import rdflib

        kind = r.headers.get("content-type", "").split(";")[0].strip()
        fmt = {"application/rdf+xml": "xml", "application/ld+json": "json-ld", "application/n-triples": "nt"}.get(
            kind, "turtle"
        )
        try:
            n = len(rdflib.Graph().parse(data=r.content, format=fmt))
        except Exception:
            return f"unparseable {kind}"
        return f"{n} triples" + ("" if fmt == "turtle" else f" ({kind}, not Turtle)")
    data = r.json()
    if "boolean" in data:
        return str(data["boolean"]).lower()
    return f"{len(data['results']['bindings'])} rows"


def run_wrk(server: Server, query: str, duration: float, connections: int, threads: int) -> dict:
    parsed = urllib.parse.urlsplit(server.url)
    path = parsed.path + "?" + urllib.parse.urlencode({"query": query})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(path=path.replace("\\", "\\\\").replace('"', '\\"'), accept=accept_for(query)))
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{int(duration)}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                f"{parsed.scheme}://{parsed.netloc}",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        )
    finally:
        os.unlink(script.name)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    stats = json.loads(line[4:])
    ok = stats["requests"] - stats["status_errors"]
    stats["throughput"] = ok / (stats["duration_us"] / 1e6)
    return stats


@dataclass
class Row:
    query: str
    server: str
    answer: str
    throughput: float
    p50_ms: float | None
    p95_ms: float | None
    requests: int
    errors: int
    extra: dict = field(default_factory=dict)


def benchmark(
    nquads: Path, dataset: str, duration: float, connections: int, threads: int, workers: int, skip: set[str]
) -> tuple[list[Row], list[Server]]:
    starters = [
        ("ccmgraph", lambda: start_ccmgraph(nquads, True, workers)),
        ("ccmgraph-nocache", lambda: start_ccmgraph(nquads, False, workers)),
        ("oxigraph", lambda: start_oxigraph(nquads)),
        ("rdflib", lambda: start_rdflib_endpoint(nquads)),
    ]
    servers: list[Server] = []
    rows: list[Row] = []
    try:
        for key, start in starters:
            if key in skip:
                continue
            print(f"starting {key}...", file=sys.stderr, flush=True)
            server = start()
            servers.append(server)
            wait_ready(server, 1800)
            server.pss_mib = tree_pss_mib(server.proc.pid)
            print(f"  {server.name} ready in {server.started_s:.1f} s, {server.pss_mib:.0f} MiB", file=sys.stderr)
        for name, (_, query) in QUERIES.items():
            for server in servers:
                answer = answer_size(server, query, timeout=120)
                print(f"{name:12} {server.name:22} {answer:14}", end=" ", file=sys.stderr, flush=True)
                if answer.startswith(("HTTP", "error")):
                    rows.append(Row(name, server.name, answer, 0.0, None, None, 0, 0))
                    print("skipped", file=sys.stderr)
                    continue
                stats = run_wrk(server, query, duration, connections, threads)
                done = stats["requests"] > 0 and stats["p50_us"] > 0
                rows.append(
                    Row(
                        name,
                        server.name,
                        answer,
                        stats["throughput"],
                        stats["p50_us"] / 1000 if done else None,
                        stats["p95_us"] / 1000 if done else None,
                        stats["requests"],
                        stats["status_errors"] + stats["timeouts"] + stats["socket_errors"],
                        stats,
                    )
                )
                print(f"{stats['throughput']:9.1f} req/s  p50 {stats['p50_us'] / 1000:8.2f} ms", file=sys.stderr)
    finally:
        for server in servers:
            server.stop()
    return rows, servers


def table(rows: list[Row], servers: list[Server]) -> str:
    by = {(r.query, r.server): r for r in rows}
    names = [s.name for s in servers]
    peers = [n for n in names if not n.startswith("ccmgraph")]
    ours = [n for n in names if n.startswith("ccmgraph")]
    lines = [
        "| query | server | answer | req/s | p50 ms | p95 ms | "
        + " | ".join(f"{o} / {p}" for o in ours for p in peers)
        + " |"
    ]
    lines.append("|" + "---|" * (6 + len(ours) * len(peers)))
    for q in QUERIES:
        for n in names:
            r = by.get((q, n))
            if r is None:
                continue
            cells = [
                q,
                n,
                r.answer,
                f"{r.throughput:.1f}",
                "-" if r.p50_ms is None else f"{r.p50_ms:.2f}",
                "-" if r.p95_ms is None else f"{r.p95_ms:.2f}",
            ]
            for o in ours:
                for p in peers:
                    if n == o and by.get((q, p)) and by[(q, p)].throughput > 0:
                        cells.append(f"{r.throughput / by[(q, p)].throughput:.2f}")
                    elif n == o:
                        cells.append("∞ (peer: no answer)")
                    else:
                        cells.append("")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def serve_ccmgraph(workdir: str, port: str, workers: str, cache: str) -> None:
    """The ccmgraph server of the benchmark (a child process): limits raised for big answers."""
    import uvicorn

    from ccmgraph.execution.engine import SparqlSettings
    from ccmgraph.settings import MiB
    from ccmgraph.store import EmbeddedStore
    from ccmgraph.web.app import create_app

    settings = SparqlSettings(
        timeout=120,
        workers=int(workers),
        max_rows=1_000_000,
        max_result_bytes=512 * MiB,
        cache_bytes=64 * MiB if cache == "cache" else 0,
        memory_limit=None,
        client_queries=0,  # wrk's connections all come from 127.0.0.1: one client, whose limit is not measured here
    )
    app = create_app(store=EmbeddedStore(Path(workdir)), settings=settings)
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning", access_log=False)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--serve-ccmgraph":
        serve_ccmgraph(*argv[1:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["seed", "synthetic"], default="seed")
    parser.add_argument("--nquads", type=Path, help="serve this N-Quads file instead")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic dataset")
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per query and server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="ccmgraph engine processes (0: one per CPU, >= 2)")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["ccmgraph", "ccmgraph-nocache", "oxigraph", "rdflib"]
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    if args.nquads:
        nquads, label = args.nquads, args.nquads.stem
    elif args.dataset == "seed":
        nquads, label = ROOT / "dist" / "ccmgraph.nq", "seed"
        if not nquads.exists():
            raise SystemExit("build the graph first: ccmgraph build")
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        from synthetic import generate

        nquads = RESULTS / f"synthetic-{args.triples}.nq"
        label = f"synthetic-{args.triples}"
        if not nquads.exists():
            generate(ROOT / "dist" / "ccmgraph.nq", args.triples, nquads)
    quads = sum(1 for _ in nquads.open("rb"))
    started = time.monotonic()
    rows, servers = benchmark(
        nquads, label, args.duration, args.connections, args.threads, args.workers, set(args.skip)
    )
    header = (
        f"dataset: {label} ({quads} quads); wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s per "
        f"query and server; {os.cpu_count()} CPUs; run took {time.monotonic() - started:.0f} s\n"
        + "servers: "
        + "; ".join(f"{s.name}: ready in {s.started_s:.1f} s, {s.pss_mib:.0f} MiB" for s in servers)
    )
    text = header + "\n\n" + table(rows, servers) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"endpoint-{label}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"endpoint-{label}.json").write_text(
        json.dumps(
            {
                "dataset": label,
                "quads": quads,
                "servers": [{"name": s.name, "ready_s": s.started_s, "pss_mib": s.pss_mib} for s in servers],
                "rows": [asdict(r) for r in rows],
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    print(text)


if __name__ == "__main__":
    main()
