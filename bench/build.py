"""How long `ccmgraph build` takes, now and at a reference commit, each on its own data.

    python bench/build.py                  # reference: the commit before the fast build (0e6c454)
    python bench/build.py --reference REV --runs 3

Each build runs as its own process (`python -m ccmgraph.cli build --quiet`, imports included).
The reference's code and data (src, data, ontology, queries) are extracted with `git archive`
into a temporary folder: the curated files have since dropped what the build derives, which
the reference's code cannot derive, so each side builds the files of its own time (the quads
each writes are printed beside its times). Prints a table: the
median wall-clock and CPU seconds of each and the ratios (on a shared machine the CPU time
is the steadier figure). This checkout (its code, on a copy of its data) is timed three ways:
`--full` (SHACL on every graph, as the reference does, and as a first build does); after an
edit of one work plan (SHACL on that plan only: the curator's edit-and-rebuild, what
`ccmgraph build --watch` does on a save); and with nothing changed since the last build.
A last row times the rebuilds of a running `ccmgraph build --watch` (imports paid once) after
each edit of one plan: what a curator waits for after a save.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = "0e6c454"  # main before issue 10: owlrl closure, pySHACL advanced, rdflib dumps
PARTS = ["src", "data", "ontology", "queries"]
EDITED = Path("data/workplans/gso-workplan-2024-2025.ttl")  # the plan the "edited" row changes


def _extract(rev: str, into: Path) -> Path:
    """The project as it was at ``rev`` (code and data), in ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, *PARTS], check=True, capture_output=True).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _copy(into: Path) -> Path:
    """This checkout's data, to edit; its code stays where it is (``src`` links to it)."""
    into.mkdir()
    for part in PARTS[1:]:
        shutil.copytree(ROOT / part, into / part)
    (into / "src").symlink_to(ROOT / "src")
    return into


def _time_build(
    root: Path, dist: Path, runs: int, *options: str, before: Callable[[int], None] | None = None
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each build (CPU time barely moves when other work shares the cores).
    ``before(run)`` is called before each build, untimed."""
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(dist)}
    wall, cpu = [], []
    for run in range(runs):
        if before is not None:
            before(run)
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


def _quads(dist: Path) -> int:
    with (dist / "ccmgraph.nq").open("rb") as f:
        return sum(1 for _ in f)


# what `ccmgraph build --watch` runs after a save, in one process: run (SHACL on what changed), write
WATCH = """
import json, resource, sys, time
from pathlib import Path
from ccmgraph import pipeline as build

dist, plan, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
build.write(build.run(since=dist), dist)
wall, cpu = [], []
for run in range(runs):
    with plan.open("a", encoding="utf-8") as f:
        f.write(f"# watched edit {run}\\n")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start, start_cpu = time.perf_counter(), usage.ru_utime + usage.ru_stime
    result = build.run(since=dist)
    assert result.report.conforms and result.validated == "1 changed work plan(s)", result.validated
    build.write(result, dist)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    wall.append(time.perf_counter() - start)
    cpu.append(usage.ru_utime + usage.ru_stime - start_cpu)
print(json.dumps([wall, cpu]))
"""


def _time_watch(root: Path, dist: Path, runs: int) -> tuple[list[float], list[float]]:
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(dist)}
    out = subprocess.run(
        [sys.executable, "-c", WATCH, str(dist), str(root / EDITED), str(runs)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    wall, cpu = json.loads(out.splitlines()[-1])
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", default=REFERENCE, help="git revision to compare with")
    parser.add_argument("--runs", type=int, default=3, help="builds per side (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        reference = _extract(args.reference, tmp_path / "reference")
        checkout = _copy(tmp_path / "checkout")

        def edit(run: int) -> None:  # a curator's save: the file's bytes change, so its plan is validated
            with (checkout / EDITED).open("a", encoding="utf-8") as f:
                f.write(f"# edit {run}\n")

        new = _time_build(checkout, tmp_path / "dist-new", args.runs, "--full")
        edited = _time_build(checkout, tmp_path / "dist-new", args.runs, before=edit)
        warm = _time_build(checkout, tmp_path / "dist-new", args.runs)  # nothing changed since: no SHACL
        watched = _time_watch(checkout, tmp_path / "dist-new", args.runs)
        old = _time_build(reference, tmp_path / "dist-old", args.runs)
        quads = {name: _quads(tmp_path / name) for name in ("dist-old", "dist-new")}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'build':<30} {'quads':>7} {'wall median s':>14} {'wall min s':>11} {'CPU median s':>13}")
    for name, size, (wall, cpu) in (
        ("reference " + args.reference, quads["dist-old"], old),
        ("this checkout, --full", quads["dist-new"], new),
        ("this checkout, one plan edited", quads["dist-new"], edited),
        ("this checkout, unchanged", quads["dist-new"], warm),
        ("--watch rebuild, plan edited", quads["dist-new"], watched),
    ):
        print(
            f"{name:<30} {size:>7} {statistics.median(wall):>14.2f} {min(wall):>11.2f} {statistics.median(cpu):>13.2f}"
        )
    for name, timed in (("--full", new), ("one plan edited", edited), ("--watch rebuild", watched)):
        for what, i in (("wall", 0), ("CPU", 1)):
            ratio = statistics.median(timed[i]) / statistics.median(old[i])
            print(f"ratio {name}/reference ({what}): {ratio:.3f} ({1 / ratio:.1f}x faster)")
    print("target: the seed build under 3 s")


if __name__ == "__main__":
    main()
