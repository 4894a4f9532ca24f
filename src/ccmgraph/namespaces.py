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
# the prefix block of every curated and drafted file (data/README.md; ``ccmgraph format`` writes it)
CURATED: dict[str, str] = {
    "ccm": str(CCM),
    "rdfs": str(RDFS),
    "dcterms": str(DCTERMS),
    "xsd": str(XSD),
    "oa": str(OA),
    **{
        name: f"{ID}{path}/"
        for name, path in (
            ("source", "source"),
            ("state", "state"),
            ("orgid", "org"),
            ("wg", "working-group"),
            ("lap", "lap-action"),
            ("article", "article"),
            ("treaty", "treaty"),
            ("meeting", "meeting"),
            ("doc", "document"),
            ("period", "period"),
            ("instrument", "instrument"),
            ("event", "event"),
            ("presidency", "presidency"),
        )
    },
}


def curie(iri: str, *, keep_ids: bool = False, table: dict[str, str] = PREFIXES) -> str | None:
    """``iri`` as a prefixed name with the longest matching namespace of ``table`` (None: no
    namespace matches, or only ``id:`` while ``keep_ids`` is false: a resource reads better by its IRI).
    The one place a name is shortened: pages, the CLI's tables, the JSON-LD dump, the drafter.

    >>> curie("https://w3id.org/ccmgraph/ontology#Activity")
    'ccm:Activity'
    >>> curie("https://example.org/x") is None
    True
    >>> curie("https://w3id.org/ccmgraph/id/state/IQ", table=CURATED)
    'state:IQ'
    """
    for prefix, ns in sorted(table.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns) and (keep_ids or prefix != "id"):
            return f"{prefix}:{iri[len(ns) :]}"
    return None


def sparql_prefixes() -> str:
    """The PREFIX lines every named query and the query page start from."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def lap_action(number: int) -> URIRef:
    return ID[f"lap-action/{number}"]


LAP = ID["lap"]


def plan_action(plan: URIRef, number: int) -> URIRef:
    """Action ``number`` of an action plan: the LAP's ``id/lap-action/N`` (published IRIs, kept),
    another plan's ``id/action-plan/<key>/action/N``."""
    return lap_action(number) if plan == LAP else URIRef(f"{plan}/action/{number}")
