"""Helpers of the curation checks (tests/test_curation_*.py): one document's graph, its elements.

The expected numbers stay in the test modules, next to the sentence of the source they count.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ccmgraph import pipeline as building
from ccmgraph.namespaces import CCM, ID

STATE = str(ID) + "state/"


def asserted_graph(build_result: building.Result, name: URIRef) -> Graph:
    """The asserted named graph ``name`` (one work plan's file) in the session's build."""
    g = build_result.graphs.get(name)
    assert g is not None and len(g), f"the built dataset has no graph {name}"
    return g


def members(
    g: Graph, plan: URIRef, cls: URIRef, link: URIRef = CCM.hasElement, *, described: bool = False
) -> set[URIRef]:
    """The elements of class ``cls`` of the work plan ``plan``, checked to be under its URI, linked from it
    by ``link`` and ``ccm:partOf`` it; ``described``: each also has a label, a description and evidence.

    ``ccm:hasElement`` links a plan to elements of every class: only those of ``cls`` are compared.
    """
    base = f"{plan}/"
    typed = set(g.subjects(RDF.type, cls))
    assert all(str(e).startswith(base) for e in typed), f"{cls}: elements outside {base}: {sorted(typed)}"
    linked = set(g.objects(plan, link))
    if link == CCM.hasElement:
        linked = {e for e in linked if (e, RDF.type, cls) in g}
    assert typed == linked, f"{cls}: typed and {link}-linked elements differ: {sorted(typed ^ linked)}"
    for e in typed:
        assert (e, CCM.partOf, plan) in g, f"{e} is not ccm:partOf the work plan"
        if described:
            assert g.value(e, RDFS.label) is not None, f"{e} has no rdfs:label"
            assert g.value(e, DCTERMS.description) is not None, f"{e} has no dcterms:description"
            assert g.value(e, CCM.evidence) is not None, f"{e} has no evidence"
    return typed


def positions_are_document_order(g: Graph, elements: set[URIRef]) -> None:
    """The elements' ``ccm:position`` values are 1..n: one per element, in the document's order."""
    positions = sorted(int(g.value(e, CCM.position)) for e in elements)
    assert positions == list(range(1, len(elements) + 1))


def state_codes(iris) -> set[str]:
    """ISO 3166 alpha-3 codes of State IRIs (id/state/DEU -> DEU)."""
    return {str(i).removeprefix(STATE) for i in iris}
