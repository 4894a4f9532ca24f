"""``ccmgraph build --watch``: rebuild whenever an input file is saved (polling, no dependency)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ccmgraph.pipeline import inputs


def snapshot() -> dict[Path, tuple[int, int]]:
    """(mtime, size) of every input: a save changes one or the other."""
    out = {}
    for path in inputs.files():
        try:
            st = path.stat()
        except OSError:
            continue
        out[path] = (st.st_mtime_ns, st.st_size)
    return out


def watch(
    rebuild: Callable[[list[Path]], None], interval: float = 0.5, keep_going: Callable[[], bool] = lambda: True
) -> None:
    """Call ``rebuild([])`` now, then ``rebuild(changed files)`` after every change, until ``keep_going`` is false."""
    seen = snapshot()
    rebuild([])
    while keep_going():
        time.sleep(interval)
        now = snapshot()
        changed = sorted(p for p in now.keys() | seen.keys() if now.get(p) != seen.get(p))
        if changed:
            seen = now
            rebuild(changed)
