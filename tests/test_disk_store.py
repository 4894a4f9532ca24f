"""``ccmgraph serve`` opens the store the build wrote (ccmgraph.disk_store), read-only, instead of
parsing the dump: it answers with the dump damaged, refuses a store from another build in one line,
and its web process and engine processes read the same files; the pages' graph moves into memory
from the dump once it is checked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from _project import copy_project
from ccmgraph import disk_store
from ccmgraph.store import EmbeddedStore
from support import endpoint_dataset, free_port

JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _project_with(dist: Path, root: Path, monkeypatch) -> Path:
    """A copy of the project whose dist/ is a copy of the build ``dist`` (times kept: not stale)."""
    copy_project(root, monkeypatch)
    shutil.copytree(dist, root / "dist")
    return root


def _serve(root: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccmgraph.cli", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=root,
        env={k: v for k, v in os.environ.items() if k not in ("CCMGRAPH_ROOT", "CCMGRAPH_DIST")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, f"http://127.0.0.1:{port}"


def _count(base: str, proc: subprocess.Popen, within: float = 120) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            r = httpx.get(f"{base}/sparql", params={"query": COUNT}, headers={"Accept": JSON})
            if r.status_code == 200:
                return int(r.json()["results"]["bindings"][0]["n"]["value"])
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not answer")


@pytest.mark.slow
def test_serve_answers_from_the_store_with_the_dump_damaged(dist: Path, tmp_path: Path, monkeypatch) -> None:
    root = _project_with(dist, tmp_path / "project", monkeypatch)
    (root / "dist" / "ccmgraph.nq").write_text("not N-Quads at all\n", encoding="utf-8")
    manifest = json.loads((root / "dist" / "manifest.json").read_text(encoding="utf-8"))
    proc, base = _serve(root)
    try:
        # every quad of the build, though the dump it was built from no longer parses
        assert _count(base, proc) == sum(manifest["graphs"].values())
        # the pages and the API read the same store
        assert httpx.get(f"{base}/api/lap-actions/10").status_code == 200
        assert httpx.get(f"{base}/health").json()["version"] == manifest["files"]["ccmgraph.nq"]["sha256"][:16]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_serve_refuses_a_store_from_another_build_in_one_line(dist: Path, tmp_path: Path, monkeypatch) -> None:
    root = _project_with(dist, tmp_path / "project", monkeypatch)
    shutil.rmtree(root / "dist" / "store")
    shutil.copytree(endpoint_dataset() / "store", root / "dist" / "store")
    proc, _ = _serve(root)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in err
    line = err.strip().splitlines()[-1]
    assert "dist/store/ccmgraph-store.json:1:" in line and "run `ccmgraph build`" in line


def test_a_directory_without_the_store_is_refused_by_name(tmp_path: Path) -> None:
    shutil.copy(endpoint_dataset() / "ccmgraph.nq", tmp_path / "ccmgraph.nq")
    with pytest.raises(disk_store.StoreMissing, match=f"{tmp_path / 'store'}: no store written by `ccmgraph build`"):
        EmbeddedStore(tmp_path)


def test_the_server_reads_a_copy_of_the_store_beside_dist(tmp_path: Path) -> None:
    """A new build replacing dist/ cannot pull the files from under a running server: the store is
    opened through a checkpoint beside dist/, removed once nothing uses it."""
    dist = tmp_path / "dist"
    shutil.copytree(endpoint_dataset(), dist)
    store = EmbeddedStore(dist)
    assert store.path.parent == disk_store.serving_root(dist)
    shutil.rmtree(dist)  # a build replaced it
    rows = store.select(COUNT)
    assert rows[0]["n"] == store.quads > 0
    assert store.wait_in_memory(60)  # the dump is linked beside the copy: still there
    copy = store.path
    del store
    assert not copy.exists()


def test_the_pages_graph_moves_into_memory_and_answers_the_same(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(endpoint_dataset(), dist)
    store = EmbeddedStore(dist)
    on_disk = store.select(COUNT)
    assert store.wait_in_memory(60) and store.in_memory
    assert store.select(COUNT) == on_disk


def test_a_damaged_dump_keeps_the_graph_on_disk(dist: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    (copy / "ccmgraph.nq").write_text("not N-Quads at all\n", encoding="utf-8")
    store = EmbeddedStore(copy)  # the manifest vouches for the store, not for the dump now
    assert not store.wait_in_memory(60)
    assert store.select(COUNT)[0]["n"] == store.quads


def test_a_graph_larger_than_the_memory_copy_limit_stays_on_disk_and_answers_the_same(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(endpoint_dataset(), dist)
    copied = EmbeddedStore(dist)
    assert copied.wait_in_memory(60) and copied.place == "memory"
    kept = EmbeddedStore(dist, memory_copy_quads=copied.quads - 1)
    assert not kept.wait_in_memory(60)
    assert kept.place == "disk" and not kept.in_memory
    for query in (COUNT, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):  # the named graphs, and their union
        assert kept.select(query) == copied.select(query)
    assert EmbeddedStore(dist, memory_copy_quads=copied.quads).wait_in_memory(60)  # the limit is inclusive


@pytest.mark.slow
def test_serve_keeps_a_graph_above_the_limit_on_disk_and_says_so(dist: Path, tmp_path: Path, monkeypatch) -> None:
    root = _project_with(dist, tmp_path / "project", monkeypatch)
    monkeypatch.setenv("CCMGRAPH_MEMORY_COPY_QUADS", "1000")  # the seed graph has about 24,000
    proc, base = _serve(root)
    try:
        assert _count(base, proc) > 1000
        assert httpx.get(f"{base}/health").json()["graph"] == "disk"
        assert httpx.get(f"{base}/api/lap-actions/10").status_code == 200
    finally:
        proc.terminate()
        proc.wait(30)
