"""The public vocabulary: namespaces, URI patterns and named graphs (see docs/design.md)."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/ccmgraph/"
CCM = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

ONTOLOGY_IRI = URIRef(BASE + "ontology")
ONTOLOGY_GRAPH = GRAPH["ontology"]
REFERENCE_GRAPH = GRAPH["reference"]
INFERRED_GRAPH = GRAPH["inferred"]

PREFIXES: dict[str, str] = {
    "ccm": str(CCM),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "time": str(TIME),
    "oa": str(OA),
}


def curie(iri: str, *, keep_ids: bool = False) -> str | None:
    """``iri`` as a prefixed name with the longest matching namespace of ``PREFIXES`` (None: no
    namespace matches, or only ``id:`` while ``keep_ids`` is false: a resource reads better by its IRI).

    >>> curie("https://w3id.org/ccmgraph/ontology#Activity")
    'ccm:Activity'
    >>> curie("https://example.org/x") is None
    True
    """
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns) and (keep_ids or prefix != "id"):
            return f"{prefix}:{iri[len(ns) :]}"
    return None


def sparql_prefixes() -> str:
    """The PREFIX lines every named query and the query page start from."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def lap_action(number: int) -> URIRef:
    return ID[f"lap-action/{number}"]
