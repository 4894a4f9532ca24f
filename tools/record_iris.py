"""Add every resource IRI the current build publishes to data/releases/published-iris.txt.

The record only grows: a published IRI is a promise (data/README.md, "IRIs that never break").
tests/test_published_iris.py checks that every IRI in it still resolves (200, or 301 to its
successor for a retired one) and that the build publishes none the record lacks.

    python tools/record_iris.py
"""

from __future__ import annotations

from ccmgraph import paths, pipeline
from ccmgraph.pipeline.published import RECORD, published_iris


def main() -> None:
    result = pipeline.run()
    before = set(RECORD.read_text(encoding="utf-8").split()) if RECORD.exists() else set()
    after = before | published_iris(result.graphs.values())
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text("".join(f"{iri}\n" for iri in sorted(after)), encoding="utf-8")
    print(f"{RECORD.relative_to(paths.ROOT)}: {len(after)} IRIs ({len(after - before)} new)")


if __name__ == "__main__":
    main()
