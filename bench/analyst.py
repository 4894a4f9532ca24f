"""Benchmark of the analyst endpoints: median and p95 latency and throughput per endpoint.

    .venv/bin/python bench/analyst.py                                  # the seed graph, dist/
    .venv/bin/python bench/analyst.py --synthetic 1000000              # about a million quads
    .venv/bin/python bench/analyst.py --dist DIR                       # DIR/ccmgraph.nq
    .venv/bin/python bench/analyst.py --only /reports/lap-review       # the endpoints whose URL has it
    .venv/bin/python bench/analyst.py --as-deployed                    # the graph where `ccmgraph serve` reads it

Runs the FastAPI app in process (httpx over ASGI: the whole FastAPI stack, no network) and
requests each endpoint one at a time for --duration seconds (at most --max-n requests, at least
--min-n), after one warm-up request whose status must be 200.

Peer, measured in the same run: the SPARQL view(s) the endpoint runs (queries/views/*.rq, or
the named query for /api/queries/...), with the same parameters, executed directly on the
pyoxigraph store (``Store.select``: bind parameters, query, rows to Python), without HTTP, FastAPI or the
endpoint's Python post-processing. ``api / direct`` is the ratio of the two medians: what the
API adds on top of its engine work. Pages and /id/ descriptions have no peer.

--synthetic N builds the synthetic graph of bench/synthetic.py (the seed's work-plan graphs
copied, fresh IRIs id/syn<k>/...) into a temporary directory and appends the seed's own
work-plan graphs to it, so that the seed's ids (gso-2024-2025, unidir...) still resolve and
every endpoint answers with the real answer plus the load of the copies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from ccmgraph import catalog, disk_store, paths
from ccmgraph.analysis import views
from ccmgraph.settings import Settings
from ccmgraph.store import EmbeddedStore
from ccmgraph.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
WP = views.ID + "workplan/"
GSO = WP + "gso-2024-2025"

# endpoint -> the SPARQL it runs: (view name or queries/ file, parameters)
ENDPOINTS: list[tuple[str, list[tuple[str, dict[str, str]]]]] = [
    ("/api/queries", []),
    ("/api/queries/evidence-spans", [("queries/evidence-spans.rq", {})]),
    ("/api/queries/activities-serving-action?action=10", [("queries/activities-serving-action.rq", {"action": "10"})]),
    ("/api/lap-actions", [("lap-actions", {"basis": "workplan"}), ("lap-action-kinds", {"basis": "workplan"})]),
    (
        "/api/lap-actions/10",
        [("lap-action", {"n": "10", "basis": "workplan"}), ("lap-action-evidence", {"n": "10", "basis": "workplan"})],
    ),
    (
        "/api/lap-actions/10?working_group=general-status-and-operation",
        [("lap-action", {"n": "10", "basis": "workplan"}), ("lap-action-evidence", {"n": "10", "basis": "workplan"})],
    ),
    ("/api/coverage", [("coverage", {"basis": "workplan"}), ("workplans", {})]),
    ("/api/coverage?cycle=2025", [("coverage", {"basis": "workplan"}), ("workplans", {})]),
    ("/api/workplans", [("workplans", {})]),
    ("/api/workplans?working_group=general-status-and-operation", [("workplans", {})]),
    ("/api/workplans/gso-2024-2025", [("workplans", {"workplan": GSO}), ("workplan-elements", {"workplan": GSO})]),
    ("/api/states/DEU", [("agent-roles", {"key": "DEU"})]),
    ("/api/partners", [("partners", {})]),
    ("/api/partners/unidir", [("agent-roles", {"key": "unidir"})]),
    ("/api/timeline?from=2025-01-01&to=2025-06-30", [("timeline", {"from": "2025-01-01", "to": "2025-06-30"})]),
    (
        "/api/compare?from=gso-2024-2025&to=gso-2025-2026",
        [
            ("workplans", {}),
            ("compare-elements", {"from": GSO, "to": WP + "gso-2025-2026"}),
            ("compare-partners", {"from": GSO, "to": WP + "gso-2025-2026"}),
        ],
    ),
    ("/api/search?q=gender", [("search", {"q": "gender"})]),
    ("/id/workplan/gso-2024-2025/activity/1c.ttl", []),
    ("/id/lap-action/10.html", []),
    ("/coverage", []),
    ("/timeline", []),
    # the LAP review: the plans, then one named query per section (analysis/review.py; then the
    # quotes of the links' evidence, views/evidence-quotes.rq with their IRIs bound, not here)
    (
        "/reports/lap-review",
        [
            ("workplans", {}),
            ("queries/lap-review-links.rq", {"basis": "workplan"}),
            ("queries/lap-review-details.rq", {}),
            ("queries/lap-review-continuity.rq", {}),
            ("queries/lap-review-agents.rq", {"basis": "workplan"}),
        ],
    ),
    ("/reports/lap-review?format=xlsx", []),
    ("/compare?from=gso-2024-2025&to=gso-2025-2026", []),
]


def named(spec: str) -> catalog.NamedQuery:
    return catalog.read_query(ROOT / spec) if spec.endswith(".rq") else views.view(spec)


def synthetic_dist(target: int, seed: Path, out: Path) -> int:
    """bench/synthetic.py's graph of about ``target`` quads plus the seed's work-plan graphs."""
    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic

    dump = out / "ccmgraph.nq"
    n = synthetic.generate(seed, target, dump)
    own = [
        q
        for q in ox.parse(path=str(seed), format=ox.RdfFormat.N_QUADS)
        if q.graph_name.value not in synthetic.SHARED_GRAPHS
    ]
    with dump.open("ab") as sink:
        sink.write(ox.serialize(own, format=ox.RdfFormat.N_QUADS))
    disk_store.write(out)  # the store the server opens, as the build writes it
    return n + len(own)


def measure(fn, duration: float, min_n: int, max_n: int) -> dict[str, float]:
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_n and (len(times) < min_n or time.perf_counter() - start < duration):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - start
    times.sort()
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
        "rps": len(times) / total,
    }


async def ameasure(fn, duration: float, min_n: int, max_n: int) -> dict[str, float]:
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_n and (len(times) < min_n or time.perf_counter() - start < duration):
        t0 = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - start
    times.sort()
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
        "rps": len(times) / total,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, default=None, help="a directory holding ccmgraph.nq (default dist/)")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        metavar="N",
        help="build the synthetic graph of about N quads (bench/synthetic.py) in a temp dir",
    )
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per endpoint (and per peer)")
    parser.add_argument("--min-n", type=int, default=5)
    parser.add_argument("--max-n", type=int, default=500)
    parser.add_argument("--goal", type=float, default=None, help="p95 goal in ms (default 50 seed, 500 synthetic)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--only", default=None, metavar="TEXT", help="only the endpoints whose URL contains TEXT")
    parser.add_argument(
        "--as-deployed",
        action="store_true",
        help="the graph where `ccmgraph serve` reads it (in memory up to memory_copy_quads, else from the store "
        "on disk) instead of always in memory",
    )
    args = parser.parse_args()
    began = time.perf_counter()
    tmp = None
    if args.synthetic:
        tmp = tempfile.TemporaryDirectory(prefix="ccmgraph-analyst-")
        t = time.perf_counter()
        n = synthetic_dist(args.synthetic, paths.DIST / "ccmgraph.nq", Path(tmp.name))
        print(f"synthetic graph: {n} quads in {time.perf_counter() - t:.1f} s ({tmp.name})")
        args.dist = Path(tmp.name)
        name = f"synthetic-{args.synthetic}"
    else:
        name = "seed" if args.dist is None else args.dist.name
    goal = args.goal or (500.0 if args.synthetic else 50.0)
    t = time.perf_counter()
    if args.as_deployed:
        store = EmbeddedStore(args.dist, memory_copy_quads=Settings.from_environment().memory_copy_quads)
    else:
        store = EmbeddedStore(args.dist, memory_copy_quads=sys.maxsize)
    store.wait_in_memory()  # in memory if it is to be copied there (by default: the engine at its fastest)
    quads = len(store.oxigraph)
    print(f"dataset: {name} ({quads} quads, read from {store.place}), loaded in {time.perf_counter() - t:.1f} s")
    app = create_app(store=store, dist=args.dist)
    results = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
        for url, peer in [e for e in ENDPOINTS if args.only is None or args.only in e[0]]:
            r = await client.get(url)  # warm-up
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
            size = len(r.content)
            api = await ameasure(lambda url=url: client.get(url), args.duration, args.min_n, args.max_n)
            direct = None
            if peer:
                prepared = [(named(spec).sparql, named(spec).bindings(params)) for spec, params in peer]
                direct = measure(
                    lambda prepared=prepared: [store.select(s, b) for s, b in prepared],
                    args.duration,
                    args.min_n,
                    args.max_n,
                )
            results.append(
                {"endpoint": url, "bytes": size, "api": api, "direct": direct, "views": [spec for spec, _ in peer]}
            )
            d = f"{direct['p50']:8.1f} {direct['p95']:8.1f} {api['p50'] / direct['p50']:6.2f}" if direct else ""
            print(f"{url:64} {api['n']:5d} {api['p50']:8.1f} {api['p95']:8.1f} {api['rps']:8.1f} {d}", flush=True)
    worst = max(results, key=lambda x: x["api"]["p95"])
    took = time.perf_counter() - began
    lines = [
        f"dataset: {name} ({quads} quads); in process (httpx ASGI), one request at a time, "
        f"{args.duration:g} s per endpoint and per peer ({args.min_n}-{args.max_n} requests); "
        f"run took {took:.0f} s",
        "",
        "| endpoint | answer bytes | n | p50 ms | p95 ms | req/s | direct p50 ms | direct p95 ms "
        "| api / direct (p50) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for x in results:
        a, d = x["api"], x["direct"]
        peer = f"{d['p50']:.2f} | {d['p95']:.2f} | {a['p50'] / d['p50']:.2f}" if d else "- | - | -"
        lines.append(
            f"| `{x['endpoint']}` | {x['bytes']} | {a['n']} | {a['p50']:.2f} | {a['p95']:.2f} | "
            f"{a['rps']:.1f} | {peer} |"
        )
    lines += [
        "",
        f"worst p95: {worst['api']['p95']:.1f} ms (`{worst['endpoint']}`); goal < {goal:g} ms: "
        + ("met" if worst["api"]["p95"] < goal else "NOT met"),
    ]
    table = "\n".join(lines)
    print()
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    name += f"-{args.only.strip('/').replace('/', '-')}" if args.only else ""
    (args.out / f"analyst-{name}.md").write_text(table + "\n", encoding="utf-8")
    (args.out / f"analyst-{name}.json").write_text(
        json.dumps({"dataset": name, "quads": quads, "duration": args.duration, "results": results}, indent=1),
        encoding="utf-8",
    )
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
