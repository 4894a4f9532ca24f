"""The SPARQL 1.1 Service Description of the endpoint, with VoID statistics of its dataset."""

from __future__ import annotations

import pyoxigraph as ox

from ccmgraph import formats
from ccmgraph.execution.engine import SparqlSettings
from ccmgraph.namespaces import BASE, CCM, GRAPH, ID
from ccmgraph.store import written

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "formats": formats.W3C_FORMATS,
    "dcterms": DCTERMS,
    "ent": "http://www.w3.org/ns/entailment/",
    "graph": str(GRAPH),
    "ccm": str(CCM),
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=XSD_INTEGER)


def triples(endpoint: str, settings: SparqlSettings, stats: dict, can_update: bool) -> list[ox.Triple]:
    try:
        service = ox.NamedNode(endpoint)
    except ValueError:
        service = ox.NamedNode(BASE + "sparql")
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        out.append(ox.Triple(s, _n(p), o))

    out.append(ox.Triple(service, RDF_TYPE, _n(SD + "Service")))
    add(service, SD + "endpoint", service)
    add(service, SD + "supportedLanguage", _n(SD + "SPARQL11Query"))
    if can_update:
        add(service, SD + "supportedLanguage", _n(SD + "SPARQL11Update"))
    for fmt in (*formats.RESULTS, *formats.GRAPHS):
        assert fmt.w3c is not None
        add(service, SD + "resultFormat", _n(fmt.w3c))
    add(service, SD + "feature", _n(SD + "UnionDefaultGraph"))
    add(service, SD + "defaultEntailmentRegime", _n("http://www.w3.org/ns/entailment/Simple"))
    add(service, DCTERMS + "title", ox.Literal("ccmgraph SPARQL endpoint", language="en"))
    add(
        service,
        DCTERMS + "description",
        ox.Literal(
            "SPARQL 1.1 endpoint of the knowledge graph of the Convention on Cluster Munitions "
            "implementation work plans. The default graph is the union of all named graphs; GRAPH "
            "reaches each one; OWL-RL entailments are in the graph 'inferred'. "
            f"Limits: a query runs at most {settings.timeout:g} s; an answer has at most "
            f"{settings.max_rows} rows or triples and {settings.max_result_bytes} bytes (a longer one is cut, "
            "and the X-SPARQL-Truncated header says so); a request has at most "
            f"{settings.max_request_bytes} bytes. SERVICE (federated query) and LOAD are refused. "
            + (
                f"One client may have {settings.client_queries} queries running at once; one more is "
                "answered 429 with Retry-After. "
                if settings.client_queries
                else ""
            )
            + (
                "SPARQL Update is accepted with the operator's bearer token."
                if can_update
                else "The endpoint is read-only."
            ),
            language="en",
        ),
    )

    dataset = ox.BlankNode()
    add(service, SD + "defaultDataset", dataset)
    out.append(ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")))
    out.append(ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")))
    add(dataset, VOID + "sparqlEndpoint", service)
    add(dataset, VOID + "uriSpace", ox.Literal(str(ID)))
    add(dataset, VOID + "triples", _int(sum(n for _, n in stats["graphs"])))

    default = ox.BlankNode()
    add(dataset, SD + "defaultGraph", default)
    out.append(ox.Triple(default, RDF_TYPE, _n(SD + "Graph")))
    add(
        default,
        DCTERMS + "description",
        ox.Literal(
            f"the union of all named graphs, each triple once; read from {stats['default_graph']}", language="en"
        ),
    )
    add(default, VOID + "triples", _int(stats["triples"]))
    add(default, VOID + "distinctSubjects", _int(stats["subjects"]))
    add(default, VOID + "properties", _int(stats["properties"]))
    add(default, VOID + "distinctObjects", _int(stats["objects"]))
    add(default, VOID + "classes", _int(len(stats["classes"])))
    for cls, count in stats["classes"]:
        partition = ox.BlankNode()
        add(default, VOID + "classPartition", partition)
        add(partition, VOID + "class", _n(cls))
        add(partition, VOID + "entities", _int(count))

    for name, count in stats["graphs"]:
        named, graph = ox.BlankNode(), ox.BlankNode()
        add(dataset, SD + "namedGraph", named)
        out.append(ox.Triple(named, RDF_TYPE, _n(SD + "NamedGraph")))
        add(named, SD + "name", _n(name))
        add(named, SD + "graph", graph)
        out.append(ox.Triple(graph, RDF_TYPE, _n(SD + "Graph")))
        add(graph, VOID + "triples", _int(count))
    return out


def document(endpoint: str, settings: SparqlSettings, stats: dict, can_update: bool, media_type: str) -> bytes:
    """The service description in an RDF media type."""
    fmt = formats.graph_format(media_type)
    data = triples(endpoint, settings, stats, can_update)
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    return written(ox.serialize(data, format=fmt, prefixes=prefixes))
