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

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from ccmgraph import build as building
from ccmgraph import paths
from ccmgraph.store import EmbeddedStore
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


# ------------------------------------------------------------------ a project to break

PROJECT_DIRS = ("ontology", "data", "queries")


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's ontology/, data/ and queries/, to break. Both ways of finding the
    project point at it: $CCMGRAPH_ROOT and $CCMGRAPH_DIST (for a ``ccmgraph`` subprocess) and
    the constants of ccmgraph.paths (for code run in this process). Its dist/ is not built."""
    root = tmp_path / "project"
    for name in PROJECT_DIRS:
        shutil.copytree(paths.ROOT / name, root / name)
    monkeypatch.setenv("CCMGRAPH_ROOT", str(root))
    monkeypatch.setenv("CCMGRAPH_DIST", str(root / "dist"))
    for name, value in vars(paths).copy().items():
        if isinstance(value, Path) and value.is_relative_to(paths.ROOT) and name != "ROOT":
            monkeypatch.setattr(paths, name, root / value.relative_to(paths.ROOT))
    monkeypatch.setattr(paths, "DIST", root / "dist")
    monkeypatch.setattr(paths, "ROOT", root)
    return root
