"""Write the gold files of the five curated sources from their curated files.

``tests/data/drafting/<stem>.gold.toml`` for each ``data/workplans/<stem>.ttl`` with a source
text: the facts ``ccmgraph draft --evaluate`` scores, read from the compiled curated file (so
they are not typed by hand). Run it after a curated file changes::

    .venv/bin/python tools/gold_from_curated.py
"""

from __future__ import annotations

from ccmgraph import paths
from ccmgraph.curation.evaluate import CORPUS, gold_from_curated


def main() -> None:
    for curated in sorted(paths.WORKPLANS.glob("*.ttl")):
        if (paths.SOURCES / f"{curated.stem}.txt").exists():
            target = CORPUS / f"{curated.stem}.gold.toml"
            target.write_text(gold_from_curated(curated.stem), encoding="utf-8")
            print(f"wrote {target}")


if __name__ == "__main__":
    main()
