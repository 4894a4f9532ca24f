"""Shared fixtures.

- the curated graph, built once per test session into a temporary dist/ (``build_result``,
  ``dist``, ``store``, ``dataset``);
- the SPARQL endpoint tests' own small dataset and a live server over it (``sparql_dist``,
  ``sparql_store``, ``live_server``; see support.py);
- ``project_copy``: a copy of the project for the tests that break the data.

Helpers that are not fixtures (constants, free_port, make_app...) are imported from support.py,
the curation checks' helpers from curation.py. Every path comes from ccmgraph.paths (the
project root), never from the working directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from _project import copy_project
from ccmgraph import pipeline as building
from ccmgraph.store import EmbeddedStore
from ccmgraph.web.app import create_app
from support import LiveServer, endpoint_dataset, make_app

# ------------------------------------------------------------------ the curated graph


@pytest.fixture(scope="session")
def build_result() -> building.Result:
    result = building.run()
    assert result.report.conforms, str(result.report)
    return result


@pytest.fixture(scope="session")
def dist(build_result: building.Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("build") / "dist"
    building.write(build_result, target)
    return target


@pytest.fixture(scope="session")
def store(dist: Path) -> EmbeddedStore:
    """The built graph in the embedded Oxigraph engine (default graph = union)."""
    return EmbeddedStore(dist)


@pytest.fixture(scope="session")
def dataset(build_result: building.Result) -> Dataset:
    """The built graph as an rdflib Dataset whose default graph is the union of all graphs."""
    ds = Dataset(default_union=True)
    for name, g in build_result.graphs.items():
        target = ds.graph(name)
        for t in g:
            target.add(t)
    return ds


# ------------------------------------------------------------------ the SPARQL endpoint tests


@pytest.fixture(scope="session")
def sparql_dist() -> Path:
    """A dist/-like directory: ontology + reference + a small test graph, and one named query."""
    return endpoint_dataset()


@pytest.fixture(scope="session")
def sparql_store(sparql_dist: Path) -> EmbeddedStore:
    return EmbeddedStore(sparql_dist)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """A real uvicorn server with the endpoint's test settings (1.5 s limit, 1000 rows)."""
    server = LiveServer(make_app()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(store: EmbeddedStore, dist: Path) -> Iterator[str]:
    """The site over the session's build on a real uvicorn server (for the browser tests)."""
    server = LiveServer(create_app(store=store, dist=dist)).start()
    yield server.url
    server.stop()


# ------------------------------------------------------------------ a project to break


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's ontology/, data/ and queries/ to break (see _project.copy_project)."""
    return copy_project(tmp_path / "project", monkeypatch)
