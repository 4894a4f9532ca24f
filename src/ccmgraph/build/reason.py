"""OWL-RL closure with owlrl; only the entailments worth publishing are kept.

owlrl adds its axiomatic triples (reflexive owl:sameAs, datatype declarations, the RDFS and
OWL vocabularies about themselves); a consumer wants the instance-level facts the ontology
derives (ccm:servesAction, ccm:servedBy, ccm:partOf, super-properties, super-classes).
So the closure runs over the ontology and the data only, and the kept triples are those
about this project's resources that were not already asserted.
"""

from __future__ import annotations

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ccmgraph.namespaces import ID

_NOISE_OBJECTS = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}
_NOISE_PREDICATES = {OWL.sameAs, OWL.differentFrom}


def worth_publishing(s, p, o) -> bool:
    if not (isinstance(s, URIRef) and str(s).startswith(str(ID))):
        return False
    if p in _NOISE_PREDICATES:
        return False
    if p == RDF.type and o in _NOISE_OBJECTS:
        return False
    return not (isinstance(o, Literal) and p == RDF.type)


def infer(ontology: Graph, data: Graph) -> Graph:
    """Return the new triples the OWL 2 RL rules derive from ``ontology`` + ``data``."""
    work = Graph()
    for t in ontology:
        work.add(t)
    for t in data:
        work.add(t)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(work)
    inferred = Graph()
    for t in work:
        if t not in data and t not in ontology and worth_publishing(*t):
            inferred.add(t)
    return inferred
