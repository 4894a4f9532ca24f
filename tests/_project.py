"""A copy of the project's data to write into, with the paths (and CCMGRAPH_ROOT) pointing at it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ccmgraph import paths

FIXTURE = Path(__file__).resolve().parent / "data" / "victim-assistance-workplan-2026.txt"


def copy_project(root: Path, monkeypatch) -> Path:
    shutil.copytree(paths.ONTOLOGY_DIR, root / "ontology")
    shutil.copytree(paths.DATA, root / "data")
    for name in ("ONTOLOGY", "SHAPES", "CONTEXT"):
        monkeypatch.setattr(paths, name, root / "ontology" / getattr(paths, name).name)
    for name in ("DATA", "SOURCES", "REFERENCE", "WORKPLANS"):
        monkeypatch.setattr(paths, name, root / getattr(paths, name).relative_to(paths.ROOT))
    monkeypatch.setattr(paths, "DIST", root / "dist")
    return root


def cli(root: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``ccmgraph ARGS`` as a user runs it, on the copy (CCMGRAPH_ROOT and CCMGRAPH_DIST)."""
    env = {**os.environ, "CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(root / "dist")}
    return subprocess.run([sys.executable, "-m", "ccmgraph.cli", *args], env=env, cwd=root, capture_output=True,
                          text=True, timeout=timeout)
