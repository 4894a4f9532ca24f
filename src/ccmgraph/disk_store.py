"""The graph on disk, as the server opens it: an Oxigraph (RocksDB) store written by the build beside
the N-Quads dump (``dist/store/``), opened read-only, so that ``ccmgraph serve`` starts without
parsing the dump and every process of the server (the web process for pages and the API, the
engine processes for SPARQL) reads the same files, held once by the page cache.

- ``write(dist)``: the build loads ``dist/ccmgraph.nq`` into ``dist/store/`` and stamps it with the
  dump's sha256 (``ccmgraph-store.json``); the dump stays the published artefact.
- ``open_serving(dist)``: checks the stamp against the build's manifest (a store from another build
  is refused, naming both), then opens a *serving copy*: a RocksDB checkpoint (hard links to the
  immutable files, and to the dump) in ``.dist-serving/`` beside ``dist/``, so that a new build
  replacing ``dist/`` cannot pull the files from under a server still answering from the old one.
  The copy is removed when nothing uses it (``Opened.release``), and copies left by a server that
  died are removed by the next one.
- ``derive(store, target, text, version)``: a SPARQL Update applied to a checkpoint of ``store``
  (the data the update started from is not touched), stamped with the new version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ccmgraph import errors
from ccmgraph.sparql.syntax import PREDECLARED

DIRECTORY = "store"
STAMP = "ccmgraph-store.json"
DUMP = "ccmgraph.nq"


class StoreMissing(errors.DataError):
    """The build's store is not there (a dist/ written by an older version, or by hand)."""


class StoreStale(errors.DataError):
    """The store was not loaded from the dump the build's manifest lists."""


@dataclass(frozen=True)
class Opened:
    """A store open read-only at ``path`` (a serving copy, or a store an update wrote); ``dump``:
    the N-Quads it was loaded from, with their sha256 (a serving copy's, linked beside it)."""

    store: ox.Store
    path: Path
    version: str
    quads: int
    dump: Path | None = None
    dump_sha256: str | None = None

    def dump_intact(self) -> bool:
        """Is ``dump`` still the one the store was loaded from (a sha256 of it, read now)?"""
        if self.dump is None or self.dump_sha256 is None:
            return False
        try:
            return _sha256(self.dump) == self.dump_sha256
        except OSError:
            return False

    def release(self) -> None:
        """Remove the serving copy (the files stay readable to processes that have them open)."""
        shutil.rmtree(self.path, ignore_errors=True)


_UNION_UPDATE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def materialise_union(store: ox.Store) -> None:
    """Make ``store``'s default graph the RDF merge of its named graphs (a set: a triple stated
    in several graphs once), so that a query naming no dataset reads it, as fast as one graph.
    The default graph holds nothing else: what an update wrote there is replaced."""
    store.clear_graph(ox.DefaultGraph())
    store.update(_UNION_UPDATE)


def named_quads(store: ox.Store) -> int:
    """The quads of ``store``'s named graphs: its data, without the union ``materialise_union`` adds."""
    solutions = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(solutions)[0].value)


def write(dist: Path) -> int:
    """Load ``dist/ccmgraph.nq`` into a new store ``dist/store/`` (replacing any); the quads loaded."""
    dump, target = dist / DUMP, dist / DIRECTORY
    shutil.rmtree(target, ignore_errors=True)
    store = ox.Store(str(target))
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    materialise_union(store)
    store.optimize()
    quads = named_quads(store)
    del store  # closed: the server opens it read-only
    digest = _sha256(dump)
    _stamp(target, {"dump_sha256": digest, "version": digest[:16], "quads": quads})
    return quads


def _stamp(target: Path, stamp: dict[str, object]) -> None:
    (target / STAMP).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_stamp(store_dir: Path) -> dict[str, object]:
    """The stamp of a store directory (StoreMissing when there is none)."""
    try:
        return json.loads((store_dir / STAMP).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreMissing(
            f"{store_dir}: no store written by `ccmgraph build` here; run `ccmgraph build` "
            "(the server opens the build's store, it does not parse the dump)"
        ) from None
    except ValueError as exc:
        raise StoreStale(f"{store_dir / STAMP}:1: unreadable stamp ({exc}); run `ccmgraph build`") from None


def check(dist: Path) -> dict[str, object]:
    """The stamp of ``dist``'s store, checked against the dump the build's manifest lists (or,
    in a directory without a manifest, the dump itself)."""
    stamp = read_stamp(dist / DIRECTORY)
    expected = _dump_digest(dist)
    if expected is not None and stamp.get("dump_sha256") != expected:
        raise StoreStale(
            f"{dist / DIRECTORY / STAMP}:1: the store was loaded from a dump with sha256 "
            f"{stamp.get('dump_sha256')}, but {dist / DUMP} is {expected}; run `ccmgraph build`"
        )
    return stamp


def _dump_digest(dist: Path) -> str | None:
    """The dump's sha256 as the manifest records it (the dump itself is not read: the server must
    not depend on it), or the dump's own where there is no manifest."""
    try:
        manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
        return str(manifest["files"][DUMP]["sha256"])
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError):
        return None
    if (dist / DUMP).exists():
        return _sha256(dist / DUMP)
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def serving_root(dist: Path) -> Path:
    return dist.parent / f".{dist.name}-serving"


def open_serving(dist: Path) -> Opened:
    """``dist``'s store, checked (``check``), opened read-only through a serving copy."""
    root = serving_root(dist)
    root.mkdir(exist_ok=True)
    _remove_orphans(root)
    for _ in range(3):  # again if a new build replaced dist/ while it was copied
        build = _build_of(dist)
        stamp = check(dist)
        copy = root / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            ox.Store.read_only(str(dist / DIRECTORY)).backup(str(copy))
        except OSError as exc:
            shutil.rmtree(copy, ignore_errors=True)
            raise StoreMissing(f"{dist / DIRECTORY}: could not open the store ({exc}); run `ccmgraph build`") from None
        dump: Path | None = copy / DUMP
        try:  # a link, not a copy: the same file, kept when a new build replaces dist/
            os.link(dist / DUMP, copy / DUMP)
        except OSError:
            dump = None
        if _build_of(dist) == build:
            break
        shutil.rmtree(copy, ignore_errors=True)
    else:
        raise StoreStale(f"{dist}: replaced by new builds three times while it was opened")
    _stamp(copy, stamp)
    store = ox.Store.read_only(str(copy))
    return Opened(store, copy, str(stamp["version"]), int(str(stamp["quads"])), dump, _str(stamp.get("dump_sha256")))


def _build_of(dist: Path) -> tuple[int, int] | None:
    """The identity of the build in ``dist`` (its store's stamp file: a new build writes a new one)."""
    try:
        st = os.stat(dist / DIRECTORY / STAMP)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def open_store(path: Path) -> Opened:
    """A store directory as it is (one an update wrote), read-only."""
    stamp = read_stamp(path)
    return Opened(ox.Store.read_only(str(path)), path, str(stamp["version"]), int(str(stamp["quads"])))


def _remove_orphans(root: Path) -> None:
    """Remove the serving copies of servers that are gone (their process id no longer runs)."""
    for child in root.iterdir():
        pid = child.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(child, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def next_version(version: str, update: str) -> str:
    """The version of the data after ``update`` was applied to ``version``."""
    return hashlib.sha256(f"{version}\n{update}".encode()).hexdigest()[:16]


def derive(store: ox.Store, target: Path, text: str, version: str) -> int:
    """Apply the update ``text`` to a checkpoint of ``store`` at ``target``, stamped ``version``;
    the quads after it. On failure ``target`` is removed."""
    try:
        store.backup(str(target))
        writable = ox.Store(str(target))
        # no optimize(): its compaction waits for RocksDB's background threads, which a forked
        # process (an engine worker) does not have
        writable.update(text, prefixes=PREDECLARED)
        materialise_union(writable)  # the default graph stays the union of the named graphs
        quads = named_quads(writable)
        del writable
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(target)
        raise
    _stamp(target, {"version": version, "quads": quads})
    return quads
