"""Record the build in dist/ as a release: data/releases/releases.json gains its version, date,
dump checksums, triples per named graph and the statements added and removed in each since the
previous release; its N-Quads dump is kept as data/releases/<version>.nq.gz in place of the
previous release's (ccmgraph.release_history).

Run it when publishing a release, after ``ccmgraph build`` and ``python tools/record_iris.py``:

    python tools/record_release.py [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime

from ccmgraph import errors, paths, pipeline, release_history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    today = datetime.datetime.now(datetime.UTC).date()
    parser.add_argument("--date", type=datetime.date.fromisoformat, default=today, help="the release's date (UTC)")
    args = parser.parse_args()
    if pipeline.is_stale():
        raise SystemExit(f"{paths.DIST} is missing or older than the data: run `ccmgraph build` first")
    try:
        release = release_history.record(paths.DIST, args.date)
    except errors.CcmgraphError as exc:  # one line, never a traceback
        raise SystemExit(str(exc)) from None
    changed = {g: c for g, c in (release.changes or {}).items() if c.added or c.removed}
    print(f"release {release.version} of {release.date}: {release.total} triples; changed since {release.previous}:")
    for graph, c in changed.items():
        print(f"  {graph}: +{c.added} -{c.removed}")


if __name__ == "__main__":
    main()
