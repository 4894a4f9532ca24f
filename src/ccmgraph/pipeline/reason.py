"""The ontology's entailments, kept in their own graph; only those worth publishing are kept.

Two engines give the same answer: :mod:`ccmgraph.pipeline.rules` (the rule set this ontology
needs, fast: the build's default) and owlrl (the full OWL 2 RL reference, used by tests and
``bench/build.py --reference``, and as the fallback when the ontology gains a construct the
rule set lacks).

owlrl adds its axiomatic triples (reflexive owl:sameAs, datatype declarations, the RDFS and
OWL vocabularies about themselves); a consumer wants the instance-level facts the ontology
derives (ccm:servesAction, ccm:servedBy, ccm:partOf, super-properties, super-classes).
So the closure runs over the ontology and the data only, and the kept triples are those
about this project's resources that were not already asserted.
"""

from __future__ import annotations

from typing import Literal as Engine

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ccmgraph.namespaces import ID
from ccmgraph.pipeline import rules

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


def _owlrl_closure(ontology: Graph, data: Graph) -> Graph:
    import owlrl  # imported here: a second's import that only the reference engine needs

    work = Graph()
    for t in ontology:
        work.add(t)
    for t in data:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    return work


def infer(ontology: Graph, data: Graph, engine: Engine["rules", "owlrl"] = "rules") -> Graph:
    """Return the new triples the ontology derives from ``data`` (with ``engine``)."""
    closure: Graph | set
    asserted = set(data)  # read once: iterating an rdflib graph costs more than the rules
    if engine == "rules":
        try:
            closure = rules.entail(rules.compile_rules(ontology), asserted)
        except rules.Unsupported:
            closure = _owlrl_closure(ontology, data)
    else:
        closure = _owlrl_closure(ontology, data)
    asserted.update(ontology)
    inferred = Graph()
    for t in closure:
        if t not in asserted and worth_publishing(*t):
            inferred.add(t)
    return inferred


def as_typed(ontology: Graph, asserted: Graph, inferred: Graph) -> Graph:
    """``inferred`` without the types that only a property's domain or range gives: what SHACL
    checks. A coordinator set to an organisation would otherwise become a ccm:State by the range
    of ccm:coordinator, and "a coordinator is a ccm:State" could never fire. The types kept are
    those the data asserts and their super-classes."""
    try:
        supers = rules.compile_rules(ontology).super_classes
    except rules.Unsupported:
        return inferred
    typed: dict = {}
    for s, c in asserted.subject_objects(RDF.type):
        typed.setdefault(s, set()).update(supers.get(c, {c}))
    out = Graph()
    for t in inferred:
        if t[1] != RDF.type or t[2] in typed.get(t[0], ()):
            out.add(t)
    return out
