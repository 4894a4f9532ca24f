"""What a build read, by hash: lets ``ccmgraph build`` re-validate only what changed.

The manifest of dist/ records the sha256 of every input file and of the build's own code.
A later build compares: when the code, ontology, shapes, context and reference data are the
same, only the work-plan graphs whose curated file or source text changed need SHACL again
(every node they name, subject or object, is a focus node), and none when nothing changed. Anything else (a
removed file, another reference file, new code) validates everything. A dist/ is only ever
written from a conforming build, so its hashes describe validated inputs. ``--full`` (and the
test suite, which calls ``pipeline.run`` without a previous dist/) validates everything.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ccmgraph import paths

BUILD_CODE = Path(__file__).resolve().parent


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files() -> list[Path]:
    """Every data file a build reads: the one list that ``is_stale``, ``hashes`` and
    ``ccmgraph build --watch`` go by."""
    return [
        paths.ONTOLOGY,
        paths.SHAPES,
        paths.CONTEXT,
        *sorted(paths.REFERENCE.glob("*.ttl")),
        *sorted(paths.WORKPLANS.glob("*.ttl")),
        *sorted(paths.SOURCES.glob("*.txt")),
        *sorted(paths.SOURCES.glob("*.json")),  # ingest's records (the received file's sha256)
    ]


def hashes() -> dict[str, str]:
    """sha256 of every input, keyed ``shared:<name>`` (a change validates everything) or
    ``plan:<stem>`` (the curated file, its source text and its record together)."""
    out = {"shared:code": hashlib.sha256(b"".join(p.read_bytes() for p in sorted(BUILD_CODE.glob("*.py")))).hexdigest()}
    for path in files():
        if path.parent == paths.WORKPLANS:
            read = (paths.SOURCES / f"{path.stem}{suffix}" for suffix in (".txt", ".json"))
            out[f"plan:{path.stem}"] = _digest(path) + "".join(_digest(f) for f in read if f.exists())
        elif path.parent != paths.SOURCES:  # a source text is read through its work plan
            out[f"shared:{path.name}"] = _digest(path)
    return out


def previous(dist: Path) -> dict[str, str] | None:
    try:
        return json.loads((dist / "manifest.json").read_text(encoding="utf-8")).get("inputs")
    except (OSError, ValueError):
        return None


def changed_plans(before: dict[str, str] | None, now: dict[str, str]) -> set[str] | None:
    """The stems of the work plans to validate again, or None for everything."""
    if before is None or set(before) - set(now):
        return None
    if any(before.get(k) != v for k, v in now.items() if k.startswith("shared:")):
        return None
    return {k.removeprefix("plan:") for k, v in now.items() if k.startswith("plan:") and before.get(k) != v}
