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


def _status(client: TestClient, iri: str) -> int:
    """200, or 301 to a successor that answers 200, or 410 Gone for one the data retired without a
    successor (owl:deprecated): the IRI resolves; anything else: it is broken."""
    r = client.get("/id/" + iri.removeprefix(str(ID)), headers={"Accept": "text/turtle"}, follow_redirects=False)
    if r.status_code == 301:
        r = client.get(r.headers["location"], headers={"Accept": "text/turtle"}, follow_redirects=False)
    return r.status_code


def _previous_release() -> set[str]:
    """Every IRI the latest recorded release's dump names (subjects and objects, kept in
    data/releases/<version>.nq.gz: a fresh clone has it)."""
    return release_history.kept_iris(release_history.history()[-1].version)


@pytest.fixture(scope="module")
def statuses(client) -> dict[str, int]:
    """Each IRI of the record and of the previous release, resolved once against this build."""
    return {iri: _status(client, iri) for iri in sorted(set(_record()) | _previous_release())}


def _broken(statuses: dict[str, int], iris: Iterable[str]) -> list[tuple[str, int]]:
    return [(iri, statuses[iri]) for iri in sorted(iris) if statuses[iri] not in (200, 410)]


def test_every_recorded_iri_resolves(statuses):
    assert not _broken(statuses, _record())


def test_every_iri_of_the_previous_release_resolves(statuses):
    iris = _previous_release()
    assert len(iris) > 3000  # the LAP's actions, the plans' elements, States, organisations...
    assert not _broken(statuses, iris)


def test_the_merged_cmc_iri_redirects_to_icbl_cmc(client, build_result):
    # the last round merged id:org/cmc into id:org/icbl-cmc (one organisation, one IRI)
    reference = build_result.graphs[REFERENCE_GRAPH]
    assert reference.value(ID["org/cmc"], DCTERMS.isReplacedBy) == ID["org/icbl-cmc"]
    for suffix in ("", ".ttl"):
        r = client.get(f"/id/org/cmc{suffix}", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == f"/id/org/icbl-cmc{suffix}"
    assert client.get("/id/org/cmc", headers={"Accept": "text/turtle"}).status_code == 200
