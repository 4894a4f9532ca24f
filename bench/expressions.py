"""Time the expression recognisers (src/ccmgraph/curation/expressions.py) on 100 KB, 1 MB and 2 MB
of real work-plan text (the five sources repeated), with a peer in the same run: the reference
index's own name search (ReferenceIndex.find_states / find_orgs, one regex per name), which the
recognisers' word n-gram lookup replaces. Prints seconds per size and the time per KB relative
to the 100 KB run (1.0 everywhere: linear).

    .venv/bin/python bench/expressions.py [--sizes 100000 1000000 2000000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from ccmgraph.curation import expressions
from ccmgraph.curation.reference_index import load

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"


def corpus(size: int) -> str:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SOURCES.glob("*.txt")))
    return (text * (size // len(text) + 1))[:size]


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 2_000_000])
    sizes = parser.parse_args().sizes
    index = load()
    cases: dict[str, Callable[[str], object]] = {
        "periods": lambda t: expressions.periods(t, index),
        "action_references": expressions.action_references,
        "articles": lambda t: expressions.articles(t, index),
        "meetings": lambda t: expressions.meetings(t, index),
        "organisations": lambda t: expressions.organisations(t, index),
        "states": lambda t: expressions.states(t, index),
        "peer: index.find_orgs": index.find_orgs,
        "peer: index.find_states": index.find_states,
    }
    texts = {size: corpus(size) for size in sizes}
    print(f"{'recogniser':<26}" + "".join(f"{f'{s // 1000} KB s':>12}" for s in sizes) + f"{'per KB vs first':>20}")
    results: dict[str, list[float]] = {}
    for name, run in cases.items():
        seconds = [timed(lambda run=run, t=texts[s]: run(t)) for s in sizes]  # type: ignore[misc]
        results[name] = seconds
        per_kb = [sec / s for sec, s in zip(seconds, sizes, strict=True)]
        ratios = " ".join(f"{p / per_kb[0]:.2f}" for p in per_kb)
        print(f"{name:<26}" + "".join(f"{sec:>12.3f}" for sec in seconds) + f"{ratios:>20}")
    for mine, peer in (("organisations", "peer: index.find_orgs"), ("states", "peer: index.find_states")):
        print(f"{mine} vs {peer} at {sizes[-1] // 1000} KB: {results[peer][-1] / results[mine][-1]:.1f}x faster")


if __name__ == "__main__":
    main()
