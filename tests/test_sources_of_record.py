"""Reference facts cite sources of record (data/README.md, "Sources of record"): each source's kind
is in data/reference/csv/sources-of-record.csv; press only with the source of record still to be
found named; a paraphrase labelled as one with its source."""

from __future__ import annotations

import csv
import json

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD

from ccmgraph import paths
from ccmgraph.namespaces import CCM, ID, REFERENCE_GRAPH

TABLE = paths.REFERENCE / "csv" / "sources-of-record.csv"
TO_FIND = "Source of record still to be found:"


@pytest.fixture(scope="module")
def reference(build_result) -> Graph:
    return build_result.graphs[REFERENCE_GRAPH]


def _kinds() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        return sorted(csv.DictReader(f), key=lambda r: -len(r["prefix"]))


def _kind(url: str) -> dict[str, str] | None:
    return next((r for r in _kinds() if url.startswith(r["prefix"])), None)


def test_every_reference_source_has_a_recorded_kind(reference):
    unknown = sorted({str(o) for o in reference.objects(None, DCTERMS.source) if _kind(str(o)) is None})
    assert not unknown, unknown


def _breaches(reference: Graph) -> list[tuple[str, str, str]]:
    """Every reference fact citing a source not of record for it, without saying so: (fact, source, kind)."""
    bad = []
    for fact, source in sorted(set(reference.subject_objects(DCTERMS.source))):
        kind = _kind(str(source))
        assert kind is not None, source
        if kind["of_record"] == "yes" and kind["about"] in ("", str(fact)):
            continue  # an organisation's own site is of record for facts about that organisation only
        notes = " ".join(str(n) for n in reference.objects(fact, CCM.curationNote))
        if kind["kind"] in ("press", "third-party", "organisation") and TO_FIND in notes:
            continue
        label = str(reference.value(fact, RDFS.label))
        scope = " ".join(str(n) for n in reference.objects(fact, SKOS.scopeNote))
        if kind["kind"] == "third-party" and "(paraphrase)" in label and str(source) in scope:
            continue
        bad.append((str(fact), str(source), kind["kind"]))
    return bad


def test_every_reference_fact_cites_a_source_of_record_or_says_what_is_missing(reference):
    assert not _breaches(reference)


def test_a_source_not_of_record_without_the_note_is_caught(reference):
    # Spain's status cites a coalition's news page (of record for the coalition only) and says that
    # the depositary's record is still to be found: without that note it breaks the rules
    spain = ID["state/ESP/status/2025-07-01"]
    assert any(TO_FIND in str(n) for n in reference.objects(spain, CCM.curationNote))
    damaged = Graph()
    for triple in reference:
        damaged.add(triple)
    damaged.remove((spain, CCM.curationNote, None))
    assert [b[0] for b in _breaches(damaged)] == [str(spain)]


def test_the_withdrawal_took_effect_on_2025_03_06_and_its_label_says_so(reference):
    # ccm-withdrawal-lithuania.json: "effective_date": "2025-03-06"; ccm-states.csv is "as of 2025-07-01"
    record = json.loads((paths.REFERENCE / "csv" / "ccm-withdrawal-lithuania.json").read_text(encoding="utf-8"))
    assert record["effective_date"] == "2025-03-06"
    status = ID["state/LTU/status/2025-07-01"]
    event = ID["event/first-withdrawal"]
    for fact in (status, event):
        assert str(reference.value(fact, CCM.withdrawalEffectiveDate)) == "2025-03-06"
        assert reference.value(fact, CCM.withdrawalEffectiveDate).datatype == XSD.date
        assert any(TO_FIND in str(n) for n in reference.objects(fact, CCM.curationNote))
    label = str(reference.value(status, RDFS.label))
    assert "withdrawn on 2025-07-01" not in label
    assert "as of 2025-07-01" in label and "took effect on 2025-03-06" in label
    kinds = [_kind(str(s)) for s in reference.objects(status, DCTERMS.source)]
    assert "depositary" in {k["kind"] for k in kinds if k is not None}


@pytest.mark.parametrize("n", [13, 43, 44, 45, 46])
def test_paraphrased_lap_titles_are_labelled_with_their_source(reference, n):
    # lap-action-titles.csv: basis "paraphrase (confidence ...)", source https://ccm3.pronk.se/...
    action = ID[f"lap-action/{n}"]
    assert str(reference.value(action, RDFS.label)).startswith(f"LAP Action {n} (paraphrase): ")
    scope = str(reference.value(action, SKOS.scopeNote))
    kinds = {s: _kind(str(s)) for s in reference.objects(action, DCTERMS.source)}
    third = [s for s, k in kinds.items() if k is not None and k["kind"] == "third-party"]
    assert third and all(str(s) in scope for s in third)
    assert reference.value(action, SKOS.definition) is None
