"""A synthetic dataset of about N triples shaped like the real one, for the benchmarks.

It is made from the built graph itself (dist/ccmgraph.nq), so its shape is the real shape:
the same classes and properties in the same proportions, the same literal lengths, the same
alignment + evidence + selector structure, the same share of inferred triples. The ontology
and reference graphs (LAP actions, States, organisations...) are kept once; every other graph
(one per work plan, and the inferred one) is copied as many times as needed, each copy with
its own resources (``id/syn<k>/...``), its own named graphs (``graph/<name>-syn<k>``) and its
blank nodes renamed, while it keeps pointing at the shared reference resources. Each copy
serves a rotated set of LAP actions, so that aggregates over actions stay spread out.

    python bench/synthetic.py --triples 1000000 --out bench/results/synthetic-1m.nq
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/ccmgraph/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
SHARED_GRAPHS = {GRAPH + "ontology", GRAPH + "reference"}
LAP = re.compile(re.escape(ID) + r"lap-action/(\d+)$")


def generate(seed: Path, target: int, out: Path) -> int:
    """Write about ``target`` quads to ``out``; returns the number written."""
    quads = list(ox.parse(path=str(seed), format=ox.RdfFormat.N_QUADS))
    shared = [q for q in quads if q.graph_name.value in SHARED_GRAPHS]
    copied = [q for q in quads if q.graph_name.value not in SHARED_GRAPHS]
    if not copied:
        raise SystemExit(f"{seed} has no work-plan graphs to copy")
    keep = {q.subject.value for q in shared if isinstance(q.subject, ox.NamedNode)}
    copies = max(1, math.ceil((target - len(shared)) / len(copied)))

    def rename(term, k: int, memo: dict):
        if isinstance(term, ox.NamedNode):
            value = term.value
            m = LAP.match(value)
            if m:  # rotate the LAP actions a copy serves
                return ox.NamedNode(f"{ID}lap-action/{(int(m.group(1)) - 1 + 7 * k) % 50 + 1}")
            if value.startswith(ID) and value not in keep:
                return ox.NamedNode(f"{ID}syn{k}/{value[len(ID) :]}")
            return term
        if isinstance(term, ox.BlankNode):
            node = memo.get(term.value)
            if node is None:
                node = memo[term.value] = ox.BlankNode()
            return node
        return term

    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as sink:
        sink.write(ox.serialize(shared, format=ox.RdfFormat.N_QUADS))
        written += len(shared)
        for k in range(1, copies + 1):
            memo: dict[str, ox.BlankNode] = {}
            batch = [
                ox.Quad(
                    rename(q.subject, k, memo),
                    rename(q.predicate, k, memo),
                    rename(q.object, k, memo),
                    ox.NamedNode(f"{q.graph_name.value}-syn{k}"),
                )
                for q in copied
            ]
            sink.write(ox.serialize(batch, format=ox.RdfFormat.N_QUADS))
            written += len(batch)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, default=ROOT / "dist" / "ccmgraph.nq", help="the built graph (N-Quads)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="about how many quads to write")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "synthetic.nq")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    n = generate(args.seed, args.triples, args.out)
    print(f"wrote {n} quads to {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
