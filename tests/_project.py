"""A copy of the project's data to write into, made the project in use (and $CCMGRAPH_ROOT)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ccmgraph import paths
from ccmgraph.settings import ProjectPaths

FIXTURE = Path(__file__).resolve().parent / "data" / "victim-assistance-workplan-2026.txt"


PROJECT_DIRS = ("ontology", "data", "queries")


def copy_project(root: Path, monkeypatch) -> Path:
    """Copy the project's ontology/, data/ and queries/ (and pyproject.toml, by which a ``ccmgraph``
    run in it finds it) to ``root``, to break or write into. Both ways of finding the project point
    at it: $CCMGRAPH_ROOT and $CCMGRAPH_DIST (for a ``ccmgraph`` subprocess) and the project in use
    (``paths.use``, for code run in this process). Its dist/ is not built."""
    for name in PROJECT_DIRS:
        shutil.copytree(paths.ROOT / name, root / name)
    shutil.copy(paths.ROOT / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.setenv("CCMGRAPH_ROOT", str(root))
    monkeypatch.setenv("CCMGRAPH_DIST", str(root / "dist"))
    monkeypatch.setattr(paths, "_current", ProjectPaths.at(root))
    return root


def cli(root: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``ccmgraph ARGS`` as a user runs it in the copy: without $CCMGRAPH_ROOT and $CCMGRAPH_DIST,
    so that it finds the project from its working directory."""
    env = {k: v for k, v in os.environ.items() if k not in ("CCMGRAPH_ROOT", "CCMGRAPH_DIST")}
    return subprocess.run(
        [sys.executable, "-m", "ccmgraph.cli", *args],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
