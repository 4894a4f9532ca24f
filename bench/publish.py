"""Benchmark of ``ccmgraph publish``: the engine's bulk path against one Graph Store PUT per
graph, into Oxigraph server and Virtuoso started as the tests start them (tests/_remote_engines.py).

    .venv/bin/python bench/publish.py                          # the seed graph, dist/
    .venv/bin/python bench/publish.py --synthetic 1000000      # about a million quads

Each store starts empty for each path (its own server), so that both paths do the same work:
the named graphs, the union graph and its parts (ccmgraph.sparql.merge), counted back. Reported:
seconds, triples per second, the ratio of the PUT path's time to the bulk path's (above 1: the
bulk path is faster), and the size of the server's directory once published. Virtuoso has no
bulk path over HTTP, so both rows are the PUT path (its loader runs through its SQL interface,
which a store elsewhere does not offer).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from _remote_engines import SERVING_BUFFERS, missing, start_oxigraph, start_virtuoso  # noqa: E402
from analyst import synthetic_dist  # noqa: E402
from ccmgraph import paths, publish  # noqa: E402

ENGINES = ("oxigraph", "virtuoso")


def timed(engine: str, nquads: Path, bulk: bool) -> tuple[float, int, float]:
    """Seconds to publish ``nquads`` into a fresh ``engine``, the triples loaded, and the MB the
    server's directory holds then."""
    server = start_virtuoso(SERVING_BUFFERS) if engine == "virtuoso" else start_oxigraph(union_default_graph=False)
    try:
        store = server.store()
        began = time.perf_counter()
        reports = publish.publish(store, nquads, bulk=bulk)
        seconds = time.perf_counter() - began
        size = sum(f.stat().st_size for f in server.workdir.rglob("*") if f.is_file())
        return seconds, sum(r.loaded for r in reports), size / 2**20
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="about N quads (bench/synthetic.py)")
    parser.add_argument("--nquads", type=Path, help="a dump written already (instead of --synthetic)")
    parser.add_argument("--engines", nargs="+", default=ENGINES, choices=ENGINES)
    parser.add_argument("--paths", nargs="+", default=("put", "bulk"), choices=("put", "bulk"))
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="ccmgraph-publish-bench-")
    dist, name = paths.DIST, "seed"
    if args.synthetic and not args.nquads:
        dist, name = Path(tmp.name), f"synthetic-{args.synthetic}"
        synthetic_dist(args.synthetic, paths.DIST / "ccmgraph.nq", dist)
    nquads = args.nquads or dist / "ccmgraph.nq"
    name = args.nquads.name if args.nquads else name
    print(f"dataset: {name} ({sum(1 for _ in nquads.open('rb'))} quads)\n")
    print("| store | path | seconds | triples loaded | triples/s | PUT / bulk | on disk (MB) |")
    print("|---|---|---|---|---|---|---|")
    for engine in args.engines:
        reason = missing(engine)
        if reason:
            print(f"| {engine} | skipped: {reason} | | | | | |")
            continue
        path = "bulk load (+ MOVE of a graph held)" if engine == "oxigraph" else "PUT per graph (no bulk path)"
        put = timed(engine, nquads, bulk=False) if "put" in args.paths else None
        if put:
            seconds, loaded, size = put
            print(f"| {engine} | PUT per graph | {seconds:.1f} | {loaded} | {loaded / seconds:.0f} | | {size:.0f} |")
        if "bulk" in args.paths:
            seconds, loaded, size = timed(engine, nquads, bulk=True)
            ratio = f"{put[0] / seconds:.2f}" if put else ""
            print(f"| {engine} | {path} | {seconds:.1f} | {loaded} | {loaded / seconds:.0f} | {ratio} | {size:.0f} |")


if __name__ == "__main__":
    main()
