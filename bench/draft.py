"""How `ccmgraph draft` and the structure layer grow with the text: 100 KB, 1 MB, 2 MB.

    .venv/bin/python bench/draft.py                 # sizes 100, 1000, 2000 KB
    .venv/bin/python bench/draft.py --sizes 100 400 --timeout 120

The texts are a real source, data/sources/gso-workplan-2025-2026.txt, repeated up to the size
(its objectives, activities and timeline again and again: a long plan in the sources' layout).
Each size is drafted in its own process (imports excluded from the time), so its peak memory
(max RSS) is its own; a run past --timeout is reported as such. The table prints, per size,
the seconds and MB of the structure layer and of the whole draft, and the seconds per KB
against the smallest size (1.0 everywhere is linear).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "sources" / "gso-workplan-2025-2026.txt"

CHILD = """
import json, resource, sys, time
from pathlib import Path
from ccmgraph.curation.structure import blocks
from ccmgraph.curation.draft_file import draft_text
path, what = Path(sys.argv[1]), sys.argv[2]
text = path.read_text(encoding="utf-8")
start = time.perf_counter()
size = len(blocks(text)) if what == "structure" else len(draft_text(path))
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "mb": rss, "out": size}))
"""


def _text(kb: int) -> str:
    base = SOURCE.read_text(encoding="utf-8")
    target = kb * 1000
    return (base * (target // len(base) + 1))[:target].rsplit("\n", 1)[0] + "\n"


def _run(path: Path, what: str, timeout: float) -> dict | None:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), what],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        return {"error": (exc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000], help="text sizes in KB")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a draft is given up")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kb in args.sizes:
            path = Path(tmp) / f"bench-{kb}.txt"
            path.write_text(_text(kb), encoding="utf-8")
            rows.append((kb, _run(path, "structure", args.timeout), _run(path, "draft", args.timeout)))

    def cell(result: dict | None, kb: int, base: tuple[int, dict | None]) -> str:
        if result is None:
            return f"{'> ' + str(int(args.timeout)) + ' s':>10} {'':>7} {'':>6}"
        if "error" in result:
            return f"{'error':>10} {'':>7} {'':>6}  {result['error']}"
        ratio = ""
        if base[1] and "seconds" in base[1] and base[1]["seconds"] > 0:
            ratio = f"{(result['seconds'] / kb) / (base[1]['seconds'] / base[0]):.2f}"
        return f"{result['seconds']:>9.2f}s {result['mb']:>6.0f}M {ratio:>6}"

    print(f"{'KB':>6} | {'structure':>10} {'max RSS':>7} {'ratio':>6} | {'draft':>10} {'max RSS':>7} {'ratio':>6}")
    first = rows[0]
    for kb, structure, draft in rows:
        print(f"{kb:>6} | {cell(structure, kb, (first[0], first[1]))} | {cell(draft, kb, (first[0], first[2]))}")
    print("ratio: seconds per KB against the first size (1.00 is linear)")


if __name__ == "__main__":
    main()
