"""IRIs that never break: every IRI a release published (data/releases/published-iris.txt) still
resolves, a retired one by 301 to its successor, and the data says so (dcterms:isReplacedBy)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from fastapi.testclient import TestClient
from rdflib.namespace import DCTERMS

from ccmgraph import release_history
from ccmgraph.namespaces import ID, REFERENCE_GRAPH
from ccmgraph.pipeline.published import RECORD, published_iris
from ccmgraph.web.app import create_app


@pytest.fixture(scope="module")
def client(store, dist) -> TestClient:
    return TestClient(create_app(store=store, dist=dist))


def _record() -> list[str]:
    return RECORD.read_text(encoding="utf-8").split()


def test_the_record_holds_every_iri_the_build_publishes(build_result):
    """A new IRI is recorded (python tools/record_iris.py) in the release that publishes it."""
    missing = sorted(published_iris(build_result.graphs.values()) - set(_record()))
    assert not missing, missing


def _broken(client: TestClient, iris: Iterable[str]) -> list[tuple[str, int]]:
    """The IRIs that do not resolve: 200, or 301 to a successor that answers 200, or 410 Gone for one
    the data retired without a successor (owl:deprecated)."""
    broken = []
    for iri in sorted(iris):
        r = client.get("/id/" + iri.removeprefix(str(ID)), headers={"Accept": "text/turtle"}, follow_redirects=False)
        if r.status_code == 301:
            r = client.get(r.headers["location"], headers={"Accept": "text/turtle"}, follow_redirects=False)
        if r.status_code not in (200, 410):
            broken.append((iri, r.status_code))
    return broken


def test_every_recorded_iri_resolves(client):
    assert not _broken(client, _record())


def test_every_iri_of_the_previous_release_resolves(client):
    """Every IRI the latest recorded release's dump names (subjects and objects, kept in
    data/releases/<version>.nq.gz: a fresh clone has it), resolved against this build."""
    previous = release_history.history()[-1]
    iris = release_history.kept_iris(previous.version)
    assert len(iris) > 3000  # the LAP's actions, the plans' elements, States, organisations...
    assert not _broken(client, iris)


def test_the_merged_cmc_iri_redirects_to_icbl_cmc(client, build_result):
    # the last round merged id:org/cmc into id:org/icbl-cmc (one organisation, one IRI)
    reference = build_result.graphs[REFERENCE_GRAPH]
    assert reference.value(ID["org/cmc"], DCTERMS.isReplacedBy) == ID["org/icbl-cmc"]
    for suffix in ("", ".ttl"):
        r = client.get(f"/id/org/cmc{suffix}", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == f"/id/org/icbl-cmc{suffix}"
    assert client.get("/id/org/cmc", headers={"Accept": "text/turtle"}).status_code == 200
