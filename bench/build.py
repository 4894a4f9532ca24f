"""How long `ccmgraph build` takes, now and at a reference commit, on the same data.

    python bench/build.py                  # reference: the commit before the fast build (0e6c454)
    python bench/build.py --reference REV --runs 3

Each build runs as its own process (`python -m ccmgraph.cli build --quiet`, imports included),
with CCMGRAPH_ROOT pointing at this checkout's data for both, so only the code differs. The
reference code is extracted with `git archive` into a temporary folder. Prints a table: the
median wall-clock and CPU seconds of each and the ratios (on a shared machine the CPU time
is the steadier figure). This checkout is timed with `--full` (SHACL on every graph, as the
reference does) and again with nothing changed since its last build (SHACL skipped: what
`ccmgraph build --watch` does after a save that leaves the inputs' bytes as they were; a save
that changes one work plan validates that plan only).
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_build(src: Path, dist: Path, runs: int, *options: str) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each build (CPU time barely moves when other work shares the cores)."""
    env = {**os.environ, "PYTHONPATH": str(src), "CCMGRAPH_ROOT": str(ROOT), "CCMGRAPH_DIST": str(dist)}
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu()
        subprocess.run(
            [sys.executable, "-m", "ccmgraph.cli", "build", "--quiet", *options],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall.append(time.perf_counter() - start)
        cpu.append(_cpu() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", default=REFERENCE, help="git revision to compare with")
    parser.add_argument("--runs", type=int, default=3, help="builds per side (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        reference = _extract(args.reference, tmp_path)
        new = _time_build(ROOT / "src", tmp_path / "dist-new", args.runs, "--full")
        warm = _time_build(ROOT / "src", tmp_path / "dist-new", args.runs)  # nothing changed since: no SHACL
        old = _time_build(reference, tmp_path / "dist-old", args.runs)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'build':<22} {'wall median s':>14} {'wall min s':>11} {'CPU median s':>13}")
    for name, (wall, cpu) in (
        ("reference " + args.reference, old),
        ("this checkout, --full", new),
        ("this checkout, unchanged", warm),
    ):
        print(f"{name:<22} {statistics.median(wall):>14.2f} {min(wall):>11.2f} {statistics.median(cpu):>13.2f}")
    for what, i in (("wall", 0), ("CPU", 1)):
        ratio = statistics.median(new[i]) / statistics.median(old[i])
        print(f"ratio new --full/old ({what}): {ratio:.3f} ({1 / ratio:.1f}x faster)")
    print("target: the seed build under 3 s")


if __name__ == "__main__":
    main()
