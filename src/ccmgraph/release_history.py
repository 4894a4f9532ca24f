"""The releases: each build is a release named by its version (the first 16 hex digits of the sha256
of its N-Quads dump, the same version the stores report, ``ccmgraph.store.version_of``); a build
becomes a recorded release when ``python tools/record_release.py`` adds it to the history.

The history lives in ``data/releases/`` so that it survives rebuilds and a fresh clone:

- ``releases.json``: every recorded release, oldest first: version, date, the sha256 of each dump,
  the triples of each named graph, and the statements added and removed in each named graph since
  the release before it;
- ``<version>.nq.gz``: the N-Quads dump of the latest recorded release, kept so that the next build
  can say what changed since it and the tests can resolve every IRI it published (older releases
  keep their record; their dump is replaced, its checksum stays).

A build that is not recorded is listed as an unreleased build, its changes counted against the
latest recorded release."""

from __future__ import annotations

import datetime
import gzip
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from ccmgraph import paths
from ccmgraph.errors import DataError
from ccmgraph.namespaces import ID
from ccmgraph.store import version_of

DUMP = "ccmgraph.nq"
DEFAULT_GRAPH = "default"  # the key of the default graph's statements (a dump has none)


@dataclass(frozen=True)
class Change:
    added: int
    removed: int


@dataclass(frozen=True)
class Release:
    """One release: recorded in ``releases.json``, or the build in dist/ before it is recorded."""

    version: str
    date: str  # ISO 8601: the day a release was recorded, the time an unrecorded build was written
    files: dict[str, str]  # dump name -> sha256
    triples: dict[str, int]  # named graph -> triples
    changes: dict[str, Change] | None  # named graph -> since ``previous`` (None: not known)
    previous: str | None = None
    recorded: bool = True
    kept: bool = field(default=False, compare=False)  # its dump is in data/releases/

    @property
    def total(self) -> int:
        return sum(self.triples.values())

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        out["total"] = self.total
        return out


def directory() -> Path:
    return paths.DATA / "releases"


def record_file() -> Path:
    return directory() / "releases.json"


def kept_dump(version: str) -> Path:
    return directory() / f"{version}.nq.gz"


def history() -> list[Release]:
    """The recorded releases, oldest first (none before the first is recorded)."""
    file = record_file()
    if not file.exists():
        return []
    try:
        return [_release(e) for e in json.loads(file.read_text(encoding="utf-8"))["releases"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{file}:1: not a release history (tools/record_release.py writes it): {exc!r}") from None


def _release(entry: dict) -> Release:
    changes = entry.get("changes")
    return Release(
        version=entry["version"],
        date=entry["date"],
        files=dict(entry["files"]),
        triples=dict(entry["triples"]),
        changes=None if changes is None else {g: Change(**c) for g, c in changes.items()},
        previous=entry.get("previous"),
        kept=kept_dump(entry["version"]).exists(),
    )


def statements(nquads: bytes) -> dict[str, set[str]]:
    """The statements of an N-Quads dump, by named graph."""
    out: dict[str, set[str]] = {}
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        graph = DEFAULT_GRAPH if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        out.setdefault(graph, set()).add(str(q.triple))
    return out


def changes_between(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, Change]:
    """Statements added and removed in each named graph (a graph unchanged is listed with 0, 0)."""
    return {
        g: Change(len(after.get(g, set()) - before.get(g, set())), len(before.get(g, set()) - after.get(g, set())))
        for g in sorted(before.keys() | after.keys())
    }


def kept_statements(version: str) -> dict[str, set[str]] | None:
    """The statements of a recorded release whose dump is kept (None: not kept)."""
    file = kept_dump(version)
    return statements(gzip.decompress(file.read_bytes())) if file.exists() else None


def iris(nquads: bytes) -> set[str]:
    """Every resource IRI (under id/) a dump names, as subject or object."""
    terms = (t for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS) for t in (q.subject, q.object))
    return {t.value for t in terms if isinstance(t, ox.NamedNode) and t.value.startswith(str(ID))}


def kept_iris(version: str) -> set[str]:
    """Every resource IRI the kept dump of a recorded release names."""
    return iris(gzip.decompress(kept_dump(version).read_bytes()))


def built(dist: Path, releases: list[Release] | None = None) -> Release:
    """The release of the build in ``dist``: its recorded entry, else an unrecorded one dated by its
    manifest (its changes not counted yet: ``with_changes``)."""
    releases = history() if releases is None else releases
    version = version_of(dist / DUMP)
    for r in releases:
        if r.version == version:
            return r
    manifest_file = dist / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    when = datetime.datetime.fromtimestamp(manifest_file.stat().st_mtime, datetime.UTC)
    return Release(
        version=version,
        date=when.isoformat(timespec="seconds"),
        files={name: info["sha256"] for name, info in sorted(manifest["files"].items())},
        triples=dict(sorted(manifest["graphs"].items())),
        changes=None,
        previous=releases[-1].version if releases else None,
        recorded=False,
    )


def with_changes(release: Release, dist: Path) -> Release:
    """An unrecorded build (in ``dist``) with its changes since the latest recorded release counted
    (all its statements added when none is recorded; None when that release's dump is not kept)."""
    if release.recorded or release.changes is not None:
        return release
    if release.previous is None:
        changes: dict[str, Change] | None = {g: Change(n, 0) for g, n in release.triples.items()}
    else:
        before = kept_statements(release.previous)
        changes = None if before is None else changes_between(before, statements((dist / DUMP).read_bytes()))
    return replace(release, changes=changes)


def record(dist: Path, date: datetime.date) -> Release:
    """Record the build in ``dist`` as a release of ``date``: appended to the history, its dump kept
    in place of the previous release's (whose record stays)."""
    releases = history()
    current = with_changes(built(dist, releases), dist)
    if current.recorded:
        raise DataError(f"{record_file()}:1: release {current.version} is recorded already ({current.date})")
    if current.changes is None:
        raise DataError(
            f"{record_file()}:1: the dump of the latest release, {kept_dump(releases[-1].version).name}, is missing: "
            "the changes since it cannot be counted"
        )
    release = Release(
        version=current.version,
        date=date.isoformat(),
        files=current.files,
        triples=current.triples,
        changes=current.changes,
        previous=current.previous,
    )
    directory().mkdir(parents=True, exist_ok=True)
    kept_dump(release.version).write_bytes(gzip.compress((dist / DUMP).read_bytes(), mtime=0))
    if release.previous:
        kept_dump(release.previous).unlink(missing_ok=True)
    _write([*releases, release])
    return release


def _write(releases: Iterable[Release]) -> None:
    entries = []
    for r in releases:
        entry = {k: v for k, v in r.as_json().items() if k not in ("recorded", "kept", "total")}
        entries.append(entry)
    record_file().write_text(json.dumps({"releases": entries}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
