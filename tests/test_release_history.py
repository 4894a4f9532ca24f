"""Each build a release with a version, and a history that survives rebuilds and a fresh clone
(issue 18: "Each build is a release with a version; ... /dataset lists the releases with their
checksums and what changed since the previous one (statements added and removed per named graph)";
"A published IRI is a promise: ... one that is retired answers 301 to its successor (or 410 Gone
with a pointer where there is none), and the data says so")."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import itertools

import pytest
from fastapi.testclient import TestClient

from ccmgraph import errors, paths, release_history
from ccmgraph import pipeline as building
from ccmgraph.namespaces import REFERENCE_GRAPH
from ccmgraph.web.app import create_app

RETIRED = "https://w3id.org/ccmgraph/id/org/written-for-the-tests"
# a retired IRI without successor: written for the tests, in a copy of the project only
RETIRED_ENTRY = """
# WRITTEN FOR THE TESTS: a retired IRI without a successor (tests/test_release_history.py)
<https://w3id.org/ccmgraph/id/org/written-for-the-tests> <http://www.w3.org/2002/07/owl#deprecated> true ;
    skos:editorialNote "Written for the tests: an organisation that was recorded in error."@en .
"""


def test_the_served_version_is_the_dumps_checksum(store, dist):
    sha = hashlib.sha256((dist / "ccmgraph.nq").read_bytes()).hexdigest()
    release = release_history.built(dist)
    assert store.version == release.version == sha[:16]
    assert release.files["ccmgraph.nq"] == sha


def test_the_latest_release_keeps_its_dump_and_the_history_adds_up():
    releases = release_history.history()
    assert releases, "data/releases/releases.json records at least one release"
    latest = releases[-1]
    assert latest.kept and all(not r.kept for r in releases[:-1])  # one dump kept: the latest's
    dump = gzip.decompress(release_history.kept_dump(latest.version).read_bytes())
    sha = hashlib.sha256(dump).hexdigest()
    assert latest.files["ccmgraph.nq"] == sha and latest.version == sha[:16]
    by_graph = release_history.statements(dump)
    assert {g: len(s) for g, s in by_graph.items()} == latest.triples
    first = releases[0]
    assert first.previous is None and first.changes == {
        g: release_history.Change(n, 0) for g, n in first.triples.items()
    }
    for before, after in itertools.pairwise(releases):
        assert after.previous == before.version and after.changes is not None
        for g in before.triples.keys() | after.triples.keys():
            change = after.changes[g]
            assert after.triples.get(g, 0) - before.triples.get(g, 0) == change.added - change.removed, g


@pytest.mark.slow
def test_a_new_release_counts_its_changes_and_a_retired_iri_is_gone(project_copy):
    """A curator retires an IRI without a successor (a test-only entry in the copy's retired.ttl),
    builds, and records the release: the history counts the two statements added to the reference
    graph, keeps the new dump in place of the old one, and /id/... answers 410 with the note."""
    before = release_history.history()[-1]
    retired = project_copy / "data" / "reference" / "retired.ttl"
    retired.write_text(retired.read_text(encoding="utf-8") + RETIRED_ENTRY, encoding="utf-8")
    result = building.run()
    assert result.report.conforms, str(result.report)
    building.write(result, paths.DIST)

    build = release_history.with_changes(release_history.built(paths.DIST), paths.DIST)
    assert not build.recorded and build.previous == before.version
    assert build.changes is not None
    changed = {g: c for g, c in build.changes.items() if c.added or c.removed}
    assert changed == {str(REFERENCE_GRAPH): release_history.Change(2, 0)}

    client = TestClient(create_app(dist=paths.DIST))
    listed = client.get("/dataset/releases").json()
    recorded_before = [r.version for r in reversed(release_history.history())]
    assert recorded_before[0] == before.version
    assert [r["version"] for r in listed] == [build.version, *recorded_before]  # newest first
    assert listed[0]["recorded"] is False and listed[0]["served"] is True
    assert listed[0]["changes"][str(REFERENCE_GRAPH)] == {"added": 2, "removed": 0}
    gone = client.get("/id/org/written-for-the-tests", headers={"Accept": "application/json"})
    assert gone.status_code == 410 and gone.json()["error"] == "Gone"
    assert "recorded in error" in gone.json()["message"] and "/dataset/releases" in gone.json()["message"]
    assert client.get("/id/org/written-for-the-tests", headers={"Accept": "text/html"}).status_code == 410
    # the query page opened on a link pinned to the release before says that another one answers
    page = client.get("/query", params={"query": "ASK {}", "release": before.version}).text
    assert f'pinned the query to release <a href="/dataset/releases/{before.version}">' in page
    assert f'serves release <a href="/dataset/releases/{build.version}">' in page

    recorded = release_history.record(paths.DIST, datetime.date(2026, 12, 4))
    assert recorded.version == build.version and recorded.date == "2026-12-04" and recorded.changes == build.changes
    assert release_history.history()[-1] == recorded
    assert release_history.kept_dump(recorded.version).exists()
    assert not release_history.kept_dump(before.version).exists()  # its record stays, its dump goes
    assert RETIRED in release_history.kept_iris(recorded.version)
    with pytest.raises(errors.DataError, match="recorded already"):
        release_history.record(paths.DIST, datetime.date(2026, 12, 5))


def test_a_broken_history_names_its_file(project_copy):
    release_history.record_file().write_text('{"releases": [{"version": "0de65ea9be3ce999"}]}\n', encoding="utf-8")
    with pytest.raises(errors.DataError, match=r"data/releases/releases\.json:1: not a release history"):
        release_history.history()
