"""Shared fixtures: the graph is built once per test session, into a temporary dist/."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

from ccmgraph import build as building
from ccmgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]


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
