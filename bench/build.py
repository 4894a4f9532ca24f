"""How long `ccmgraph build` takes, now and at a reference commit, on the same data.

    python bench/build.py                  # reference: the commit before the fast build (0e6c454)
    python bench/build.py --reference REV --runs 3

Each build runs as its own process (`python -m ccmgraph.cli build --quiet`, imports included),
with CCMGRAPH_ROOT pointing at this checkout's data for both, so only the code differs. The
reference code is extracted with `git archive` into a temporary folder. Prints a table: the
median wall-clock seconds of each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = "0e6c454"  # main before issue 10: owlrl closure, pySHACL advanced, rdflib dumps


def _extract(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def _time_build(src: Path, dist: Path, runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(src), "CCMGRAPH_ROOT": str(ROOT), "CCMGRAPH_DIST": str(dist)}
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ccmgraph.cli", "build", "--quiet"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", default=REFERENCE, help="git revision to compare with")
    parser.add_argument("--runs", type=int, default=3, help="builds per side (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        reference = _extract(args.reference, tmp_path)
        new = _time_build(ROOT / "src", tmp_path / "dist-new", args.runs)
        old = _time_build(reference, tmp_path / "dist-old", args.runs)
    rows = [("reference " + args.reference, old), ("this checkout", new)]
    print(f"{'build':<22} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, times in rows:
        print(f"{name:<22} {statistics.median(times):>9.2f} {min(times):>7.2f} {max(times):>7.2f}")
    ratio = statistics.median(new) / statistics.median(old)
    print(f"ratio new/old: {ratio:.3f} ({1 / ratio:.1f}x faster); target: new under 3 s")


if __name__ == "__main__":
    main()
