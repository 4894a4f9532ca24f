"""A running server serves a new build of dist/ without a restart (web.releases, Engine.replace):
a real uvicorn server over a dist/ directory, a new build put in place as ``ccmgraph build`` does
(one rename), asked over HTTP with httpx; the old worker processes stop once their time is up."""

from __future__ import annotations

import json
import shutil
import time

import httpx

from ccmgraph import disk_store
from ccmgraph.namespaces import CCM
from support import FIXTURE_GRAPH, SETTINGS, LiveServer, endpoint_dataset, process_gone

MARK = f'<{CCM}a-new-build> <{CCM}says> "written by the release test" <{FIXTURE_GRAPH}> .\n'
ASK = f'ASK {{ GRAPH ?g {{ ?s <{CCM}says> "written by the release test" }} }}'


def _release(target, nquads: str) -> None:
    """Put a build in ``target`` the way pipeline.build.write does: a full directory renamed into place."""
    tmp = target.with_name(".dist-new")
    tmp.mkdir()
    (tmp / "ccmgraph.nq").write_text(nquads, encoding="utf-8")
    disk_store.write(tmp)
    (tmp / "manifest.json").write_text(json.dumps({"files": {}, "nquads": len(nquads)}), encoding="utf-8")
    old = target.with_name("dist.old")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _ask(base: str) -> bool:
    r = httpx.get(f"{base}/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    return r.json()["boolean"]


def test_a_new_build_is_served_without_a_restart(tmp_path):
    from ccmgraph.web.app import create_app

    nquads = (endpoint_dataset() / "ccmgraph.nq").read_text(encoding="utf-8")
    dist = tmp_path / "dist"
    _release(dist, nquads)
    server = LiveServer(create_app(dist=dist, settings=SETTINGS)).start()
    try:
        before = httpx.get(f"{server.url}/health").json()["version"]
        assert _ask(server.url) is False
        old_workers = server.engine.runner.pool.pids
        assert old_workers

        _release(dist, nquads + MARK)
        deadline = time.monotonic() + 30
        while not _ask(server.url):
            assert time.monotonic() < deadline, "the new build was not served within 30 s"
            time.sleep(0.2)
        assert httpx.get(f"{server.url}/health").json()["version"] != before
        # the pages' store is the new one too (routes read it from the engine: web.deps.store_of)
        assert server.engine.store.version != before
        assert set(server.engine.runner.pool.pids).isdisjoint(old_workers)
        # the old workers stop once a query they were running would have hit the time limit
        assert all(process_gone(pid, within=SETTINGS.timeout + 10) for pid in old_workers)
        # and the copy of the old build's store they read is removed: only the new one is left
        serving = disk_store.serving_root(dist)
        deadline = time.monotonic() + 10
        while [server.engine.runner.store.path] != list(serving.iterdir()):
            assert time.monotonic() < deadline, f"left in {serving}: {sorted(serving.iterdir())}"
            time.sleep(0.2)
        assert _ask(server.url) is True
    finally:
        server.stop()
