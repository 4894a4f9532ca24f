"""The current project's paths, as ``paths.ONTOLOGY``, ``paths.DIST``...: names for the fields of
the ``ProjectPaths`` in use (``ccmgraph.settings``), looked up on each access, never fixed at
import. ``use(project)`` points every module at another copy of the project (the tests' copies)."""

from __future__ import annotations

from pathlib import Path

from ccmgraph.settings import ProjectPaths, Settings

ONTOLOGY_HTML = "ontology.html"  # the ontology's documentation page, in the dist/ directory

_NAMES = {
    "ROOT": "root",
    "DIST": "dist",
    "ONTOLOGY_DIR": "ontology_dir",
    "ONTOLOGY": "ontology",
    "SHAPES": "shapes",
    "CONTEXT": "context",
    "DATA": "data",
    "SOURCES": "sources",
    "REFERENCE": "reference",
    "WORKPLANS": "workplans",
    "QUERIES": "queries",
    "VIEWS": "views",
}
_current: ProjectPaths | None = None


def current() -> ProjectPaths:
    """The project in use: the one given to ``use``, else the one the settings find."""
    global _current
    if _current is None:
        _current = Settings.from_environment().paths
    return _current


def use(project: ProjectPaths | None) -> ProjectPaths | None:
    """Make ``project`` the project in use (None: find it again); returns the one it replaces."""
    global _current
    previous, _current = _current, project
    return previous


def __getattr__(name: str) -> Path:
    if name in _NAMES:
        path: Path = getattr(current(), _NAMES[name])
        return path
    raise AttributeError(f"module 'ccmgraph.paths' has no attribute {name!r}")
