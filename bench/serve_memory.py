"""``ccmgraph serve`` at scale: the memory of every process of the server (PSS, from
/proc/<pid>/smaps_rollup: the web process, the engine's zygote and its workers; pages shared between
them counted once), the time to its first SPARQL answer and until the pages' graph is settled
(``graph`` in /health: in memory, or staying on disk), in three runs over the same dataset:
``--before`` (by default the last commit that parsed the N-Quads dump at every start and held the
graph in the web process and in the zygote); this version as deployed (the web process copies the
graph into memory up to ``memory_copy_quads``, 500,000 quads by default, and reads the store on
disk beyond); and this version with the copy made whatever the size.

Each server is ``create_app(dist=...)`` under uvicorn, as ``ccmgraph serve`` runs it (result cache
off, so that every SPARQL request reaches the engine); the earlier version runs from ``git
archive REF`` with the same Python environment. After the first answer, the same requests (pages,
API, SPARQL) are sent to each, once cold then ``--repeat`` times: their median time is in the
table, and PSS is read again after them.

    python bench/serve_memory.py --synthetic 1000000
    python bench/serve_memory.py                      # the seed graph (dist/)

Results go to bench/results/serve-memory-<dataset>.{md,json}; bench/README.md has the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from analyst import synthetic_dist  # noqa: E402
from endpoint import QUERIES, Server, accept_for, free_port, tree_pss_mib, wait_ready  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BEFORE = "0c75203"  # the last commit that parsed the dump at every start
SERVE = """
import sys
from pathlib import Path

import uvicorn

from ccmgraph.execution.engine import SparqlSettings
from ccmgraph.web.app import create_app

options = {"memory_copy_quads": int(sys.argv[3])} if len(sys.argv) > 3 else {}
settings = SparqlSettings(timeout=120, cache_bytes=0, memory_limit=None, **options)
app = create_app(dist=Path(sys.argv[1]), settings=settings)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""
PAGES = ["/api/coverage", "/api/lap-actions/10", "/workplans", "/id/lap-action/10"]
SPARQL = ["group-by", "evidence", "text-search", "describe"]


def start(name: str, source: Path, dist: Path, memory_copy_quads: int | None) -> Server:
    port = free_port()
    copy = [] if memory_copy_quads is None else [str(memory_copy_quads)]
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(dist), str(port), *copy],
        env={**{k: v for k, v in os.environ.items() if k != "CCMGRAPH_ROOT"}, "PYTHONPATH": str(source / "src")},
        cwd=source,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server(name, f"http://127.0.0.1:{port}/sparql", proc)


def requests_of(server: Server) -> dict[str, tuple[str, dict, dict]]:
    """name -> (url, params, headers)."""
    base = server.url.removesuffix("/sparql")
    out: dict[str, tuple[str, dict, dict]] = {page: (base + page, {}, {}) for page in PAGES}
    for name in SPARQL:
        query = QUERIES[name][1]
        out[f"sparql {name}"] = (server.url, {"query": query}, {"Accept": accept_for(query)})
    return out


def exercise(server: Server, repeat: int) -> dict[str, dict[str, float]]:
    """Each request once (cold), then ``repeat`` times: milliseconds, and the status."""
    timings = {}
    with httpx.Client(timeout=300) as client:
        for name, (url, params, headers) in requests_of(server).items():
            times, status = [], 0
            for _ in range(1 + repeat):
                t = time.perf_counter()
                response = client.get(url, params=params, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
                status = response.status_code
            timings[name] = {"cold_ms": times[0], "median_ms": statistics.median(times[1:]), "status": status}
    return timings


def measure(
    name: str, source: Path, dist: Path, repeat: int, memory_copy_quads: int | None = None
) -> dict[str, object]:
    server = start(name, source, dist, memory_copy_quads)
    try:
        wait_ready(server, 600)
        ready_pss = tree_pss_mib(server.proc.pid)
        settled_s = server.started_s + settle(server)
        settled_pss = tree_pss_mib(server.proc.pid)
        processes = _processes(server.proc.pid)
        timings = exercise(server, repeat)
        after_pss = tree_pss_mib(server.proc.pid)
    finally:
        server.stop()
    print(f"  {name}: ready in {server.started_s:.1f} s, {ready_pss:.0f} MiB; {after_pss:.0f} MiB", file=sys.stderr)
    return {
        "ready_s": server.started_s,
        "settled_s": settled_s,
        "pss_ready_mib": ready_pss,
        "pss_settled_mib": settled_pss,
        "pss_after_mib": after_pss,
        "processes": processes,
        "requests": timings,
    }


def settle(server: Server) -> float:
    """Seconds until the pages' graph is settled: in memory, or staying on disk (/health ``graph``
    is no longer ``loading``; a version that does not say holds it in memory from the start)."""
    health = server.url.removesuffix("/sparql") + "/health"
    began = time.monotonic()
    while httpx.get(health, timeout=30).json().get("graph", "memory") == "loading":
        if time.monotonic() - began > 600:
            raise RuntimeError(f"{server.name}: the graph did not move into memory within 600 s")
        time.sleep(0.2)
    return time.monotonic() - began


def _processes(pid: int) -> int:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return 1 + sum(_processes(int(child)) for child in out)


def table(runs: dict[str, dict]) -> str:
    """A column per run, and each later run's ratio to the first."""
    (first, base), *others = runs.items()
    head = ["measure", first, *(n for n, _ in others), *(f"{n} / {first}" for n, _ in others)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def row(label: str, values: list[float], unit: str) -> None:
        ratios = [f"{v / values[0]:.2f}" if values[0] else "-" for v in values[1:]]
        lines.append("| " + " | ".join([label, *(f"{v:.1f} {unit}" for v in values), *ratios]) + " |")

    measures = [
        ("ready (first /sparql answer)", "ready_s", "s"),
        ("pages' graph settled (in memory, or staying on disk)", "settled_s", "s"),
        ("PSS, all processes, at ready", "pss_ready_mib", "MiB"),
        ("PSS, all processes, graph settled", "pss_settled_mib", "MiB"),
        ("PSS, all processes, after the requests", "pss_after_mib", "MiB"),
    ]
    for label, key, unit in measures:
        row(label, [r[key] for r in runs.values()], unit)
    lines.append("| processes | " + " | ".join(str(r["processes"]) for r in runs.values()) + " |" + " |" * len(others))
    for name in base["requests"]:
        for label, key in (("first", "cold_ms"), ("median", "median_ms")):
            row(f"{name}: {label}", [r["requests"][name][key] for r in runs.values()], "ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=0, help="about this many quads (bench/synthetic.py)")
    parser.add_argument("--before", default=BEFORE, help="the earlier version (a git commit)")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests after the first, per request")
    args = parser.parse_args()
    began = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="ccmgraph-serve-bench-"))
    try:
        before_src = work / "before"
        before_src.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(before_src)], input=archive.stdout, check=True)
        if args.synthetic:
            dist, label = work / "dist", f"synthetic-{args.synthetic}"
            dist.mkdir()
            t = time.perf_counter()
            quads = synthetic_dist(args.synthetic, ROOT / "dist" / "ccmgraph.nq", dist)
            print(f"dataset: {quads} quads, dump and store written in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        else:
            dist, label = ROOT / "dist", "seed"
        sizes = {
            "dump_mib": (dist / "ccmgraph.nq").stat().st_size / 2**20,
            "store_mib": sum(f.stat().st_size for f in (dist / "store").iterdir()) / 2**20,
        }
        runs = {
            f"before ({args.before})": measure(f"before ({args.before})", before_src, dist, args.repeat),
            "now": measure("now", ROOT, dist, args.repeat),
            "now, copied into memory": measure("now, copied into memory", ROOT, dist, args.repeat, sys.maxsize),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    header = (
        f"dataset: {label}; dump {sizes['dump_mib']:.0f} MiB, store on disk {sizes['store_mib']:.0f} MiB "
        f"(file pages: in the page cache, shared, not in PSS); engine workers: one per CPU; "
        f"run took {time.perf_counter() - began:.0f} s"
    )
    text = header + "\n\n" + table(runs) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"serve-memory-{label}.md").write_text(text, encoding="utf-8")
    data = {"dataset": label, "before": args.before, "sizes": sizes, "runs": runs}
    (RESULTS / f"serve-memory-{label}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
