"""Benchmark of ccmgraph over remote stores: the same app over the embedded engine, Virtuoso and
Oxigraph server, in the same run, as ratios to embedded.

    .venv/bin/python bench/remote.py                          # the seed graph, dist/
    .venv/bin/python bench/remote.py --synthetic 1000000      # about a million quads

The dataset is published to each store with ``ccmgraph.publish`` (timed), Virtuoso and Oxigraph
server being started as the tests start them (tests/_remote_engines.py: 127.0.0.1, temporary
directories, Oxigraph without --union-default-graph). Then the FastAPI app over each store is
requested in process (httpx over ASGI), one request at a time, with its result and page caches off so
that every request reaches the engine:

- the SPARQL benchmark queries of bench/endpoint.py, through /sparql;
- the analyst endpoints of bench/analyst.py (/api/..., pages);
- every named query of queries/ at /api/queries/<name>, with its parameters' examples.

One remote engine runs at a time (started, published to, requested once in full and not counted,
measured, stopped), so that one's background work (a bulk load's compaction) does not slow the
other's answers, and the engine is measured as it serves once settled after the load.
Reported: the median latency per store and the ratio remote / embedded (above 1: slower than
embedded), embedded being the graph in memory (the engine at its fastest) and, for a graph larger
than ``memory_copy_quads``, also as ``ccmgraph serve`` deploys it (read from the store on disk:
"as deployed"). Each first answer is compared with the embedded engine's, byte for byte: a cell
marked "differs" is an answer that is not the same (the tests hold the seed graph to that; the
SPARQL queries' answers and the dated spreadsheet are not compared).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from _remote_engines import SERVING_BUFFERS, missing, start_oxigraph, start_virtuoso  # noqa: E402
from analyst import ENDPOINTS, ameasure, synthetic_dist  # noqa: E402
from ccmgraph import paths, publish  # noqa: E402
from ccmgraph.analysis import service  # noqa: E402
from ccmgraph.execution.engine import SparqlSettings  # noqa: E402
from ccmgraph.settings import Settings  # noqa: E402
from ccmgraph.store import EmbeddedStore, Store  # noqa: E402
from ccmgraph.web.app import create_app  # noqa: E402
from endpoint import QUERIES, accept_for  # noqa: E402

ENGINES = ("virtuoso", "oxigraph")


async def measure_store(store: Store, requests: list[str], duration: float, min_n: int, max_n: int) -> dict[str, dict]:
    """Median latency (and answer size) of each request over the app on ``store``."""
    app = create_app(store=store, settings=SparqlSettings(cache_bytes=0, page_cache_bytes=0, timeout=120))
    out: dict[str, dict] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
    ) as client:
        for url in requests:
            headers = {"Accept": accept_for(QUERIES[url][1])} if url in QUERIES else {}
            path = "/sparql?" + str(httpx.QueryParams({"query": QUERIES[url][1]})) if url in QUERIES else url

            async def get(path: str = path, headers: dict[str, str] = headers) -> httpx.Response:
                return await client.get(path, headers=headers)

            first = await get()
            stats = await ameasure(get, duration, min_n, max_n)
            digest = hashlib.sha256(first.content).hexdigest()
            out[url] = {"status": first.status_code, "bytes": len(first.content), "sha256": digest, **stats}
            print(f"  {url[:70]:70} {first.status_code} {stats['p50']:9.2f} ms", flush=True)
        await app.state.engine.close()
    return out


def comparable(url: str) -> bool:
    """Whether the answers to ``url`` are the same bytes on every engine: not the benchmark's
    SPARQL queries (written by each engine, rows in its order), nor a spreadsheet (it is dated)."""
    return url not in QUERIES and "format=xlsx" not in url


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="about N quads (bench/synthetic.py)")
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per request and store")
    parser.add_argument("--min-n", type=int, default=3)
    parser.add_argument("--max-n", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--virtuoso-buffers",
        type=int,
        default=SERVING_BUFFERS,
        metavar="N",
        help=f"Virtuoso's NumberOfBuffers (default {SERVING_BUFFERS:,}; the tests use 40,000)",
    )
    parser.add_argument("--match", default="", metavar="REGEX", help="only the requests matching (e.g. '^/api|^[a-z]')")
    args = parser.parse_args()
    began = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="ccmgraph-remote-bench-")
    dist = paths.DIST
    name = "seed"
    if args.synthetic:
        dist, name = Path(tmp.name), f"synthetic-{args.synthetic}"
        synthetic_dist(args.synthetic, paths.DIST / "ccmgraph.nq", dist)
    embedded = EmbeddedStore(dist, memory_copy_quads=sys.maxsize)
    embedded.wait_in_memory()  # the embedded engine at its fastest: the graph in memory
    quads = len(embedded.oxigraph)
    print(f"dataset: {name} ({quads} quads)")
    named = [q.url for q in service.named_queries()]
    everything = dict.fromkeys([*QUERIES, *(url for url, _ in ENDPOINTS), *named])
    requests = [u for u in everything if re.search(args.match, u)]
    stores: dict[str, Store] = {"embedded": embedded}
    copied = Settings.from_environment().memory_copy_quads
    if quads > copied:  # where `ccmgraph serve` reads a graph this large: the store on disk
        stores["as deployed"] = EmbeddedStore(dist, memory_copy_quads=copied)
    results: dict[str, dict[str, dict]] = {}
    for label, store in stores.items():
        print(label)
        results[label] = await measure_store(store, requests, args.duration, args.min_n, args.max_n)
    published: dict[str, float] = {}
    for engine in ENGINES:
        reason = missing(engine)
        if reason:
            print(f"{engine}: skipped ({reason})")
            continue
        running = (
            start_virtuoso(args.virtuoso_buffers) if engine == "virtuoso" else start_oxigraph(union_default_graph=False)
        )
        try:
            remote = running.store(version_ttl=60)
            t = time.perf_counter()
            publish.publish(remote, dist / "ccmgraph.nq")
            published[engine] = time.perf_counter() - t
            print(f"{engine}: published in {published[engine]:.1f} s")
            stores[engine] = remote
            # one pass first, not counted: a store that has served a while has read its pages
            await measure_store(remote, requests, 0, 1, 1)
            results[engine] = await measure_store(remote, requests, args.duration, args.min_n, args.max_n)
        finally:
            running.stop()
    remotes = [s for s in stores if s in ENGINES]
    bases = [s for s in stores if s not in ENGINES]
    lines = [
        f"dataset: {name} ({quads} quads); in process (httpx ASGI), result and page caches off, one request at a time, "
        f"{args.duration:g} s per request and store ({args.min_n}-{args.max_n} requests); "
        f"Virtuoso with {args.virtuoso_buffers:,} buffers; publish: "
        + ", ".join(f"{e} {s:.1f} s" for e, s in published.items())
        + f"; run took {time.perf_counter() - began:.0f} s",
        "",
        "| request | "
        + " | ".join(f"{b} p50 ms" for b in bases)
        + " | "
        + " | ".join(f"{r} p50 ms | " + " | ".join(f"{r} / {b}" for b in bases) for r in remotes)
        + " |",
        "|---|" + "---|" * len(bases) + ("---|" * (1 + len(bases))) * len(remotes),
    ]
    for url in requests:
        here = results["embedded"][url]
        cells = [f"{results[b][url]['p50']:.2f}" for b in bases]
        for r in remotes:
            there = results[r][url]
            if there["status"] != 200 or here["status"] != 200:
                note = f" (status {there['status']})"
            else:
                note = "" if there["sha256"] == here["sha256"] or not comparable(url) else " (differs)"
            cells.append(f"{there['p50']:.2f}{note}")
            cells += [f"{there['p50'] / results[b][url]['p50']:.1f}" for b in bases]
        label = f"SPARQL `{url}`" if url in QUERIES else f"`{url}`"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print()
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"remote-{name}.md").write_text(table + "\n", encoding="utf-8")
    (args.out / f"remote-{name}.json").write_text(
        json.dumps({"dataset": name, "quads": quads, "published_s": published, "results": results}, indent=1),
        encoding="utf-8",
    )
    tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
