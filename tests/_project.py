"""A copy of the project's data to write into, with the paths (and CCMGRAPH_ROOT) pointing at it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ccmgraph import paths

FIXTURE = Path(__file__).resolve().parent / "data" / "victim-assistance-workplan-2026.txt"


PROJECT_DIRS = ("ontology", "data", "queries")


def copy_project(root: Path, monkeypatch) -> Path:
    """Copy the project's ontology/, data/ and queries/ to ``root``, to break or write into. Both ways
    of finding the project point at it: $CCMGRAPH_ROOT and $CCMGRAPH_DIST (for a ``ccmgraph``
    subprocess) and the constants of ccmgraph.paths (for code run in this process). Its dist/ is not
    built."""
    for name in PROJECT_DIRS:
        shutil.copytree(paths.ROOT / name, root / name)
    monkeypatch.setenv("CCMGRAPH_ROOT", str(root))
    monkeypatch.setenv("CCMGRAPH_DIST", str(root / "dist"))
    for name, value in vars(paths).copy().items():
        if isinstance(value, Path) and value.is_relative_to(paths.ROOT) and name != "ROOT":
            monkeypatch.setattr(paths, name, root / value.relative_to(paths.ROOT))
    monkeypatch.setattr(paths, "DIST", root / "dist")
    monkeypatch.setattr(paths, "ROOT", root)
    return root


def cli(root: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``ccmgraph ARGS`` as a user runs it, on the copy (CCMGRAPH_ROOT and CCMGRAPH_DIST)."""
    env = {**os.environ, "CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(root / "dist")}
    return subprocess.run(
        [sys.executable, "-m", "ccmgraph.cli", *args],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
