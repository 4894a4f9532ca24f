"""The OWL 2 RL entailments this ontology needs, as a small forward-chaining rule set.

owlrl applies every OWL 2 RL rule to every triple, which costs seconds on 20k triples; the
ontology uses only a handful of constructs. This module compiles those from the ontology:

- ``rdfs:subPropertyOf`` / ``owl:equivalentProperty`` (prp-spo1, prp-eqp), ``rdfs:subClassOf`` /
  ``owl:equivalentClass`` (cax-sco, cax-eqc), ``rdfs:domain`` / ``rdfs:range`` (prp-dom, prp-rng)
  with the schema rules that combine them (scm-*);
- ``owl:inverseOf`` (prp-inv), ``owl:SymmetricProperty`` (prp-symp), ``owl:TransitiveProperty``
  (prp-trp) and two-step ``owl:propertyChainAxiom`` (prp-spo2);

and runs them to a fixpoint (semi-naive: each new triple is joined once). Constructs that
entail no instance-level triple worth publishing (functional properties, disjointness: they
only yield owl:sameAs or inconsistencies, which SHACL reports) are accepted and ignored; any
other OWL construct makes :func:`compile_rules` raise :class:`Unsupported`, and the caller
falls back to owlrl. owlrl stays the reference: tests/test_rules.py checks that both give the
same inferred graph on the project's data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ccmgraph import errors

Triple = tuple[Node, Node, Node]

# constructs with no publishable instance-level consequence here (see module docstring)
_HARMLESS = {
    OWL.FunctionalProperty,
    OWL.disjointWith,
    OWL.Ontology,
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    OWL.versionIRI,
    OWL.versionInfo,
    OWL.imports,
    OWL.propertyDisjointWith,
    OWL.AsymmetricProperty,
    OWL.IrreflexiveProperty,
}
_HANDLED = {
    OWL.inverseOf,
    OWL.propertyChainAxiom,
    OWL.SymmetricProperty,
    OWL.TransitiveProperty,
    OWL.equivalentClass,
    OWL.equivalentProperty,
}


class Unsupported(errors.DataError):
    """The ontology uses an OWL construct this rule set does not implement."""


def _closure(edges: dict[Node, set[Node]], nodes: Iterable[Node]) -> dict[Node, frozenset[Node]]:
    """Reflexive-transitive closure of ``edges`` for every node."""
    out: dict[Node, frozenset[Node]] = {}
    for start in nodes:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        out[start] = frozenset(seen)
    return out


@dataclass
class Rules:
    """The ontology's axioms, pre-combined: what one triple entails on its own, and the joins."""

    super_properties: dict[Node, frozenset[Node]] = field(default_factory=dict)
    super_classes: dict[Node, frozenset[Node]] = field(default_factory=dict)
    domains: dict[Node, frozenset[Node]] = field(default_factory=dict)
    ranges: dict[Node, frozenset[Node]] = field(default_factory=dict)
    inverses: dict[Node, frozenset[Node]] = field(default_factory=dict)
    symmetric: frozenset[Node] = frozenset()
    transitive: frozenset[Node] = frozenset()
    chains: dict[Node, list[tuple[Node, Node]]] = field(default_factory=dict)  # first step -> (second, result)
    chain_seconds: dict[Node, list[tuple[Node, Node]]] = field(default_factory=dict)  # second -> (first, result)

    def single(self, s: Node, p: Node, o: Node) -> Iterable[Triple]:
        """Consequences of one triple that need no other data triple."""
        if p == RDF.type:
            for c in self.super_classes.get(o, ()):
                yield s, RDF.type, c
            return
        for q in self.super_properties.get(p, (p,)):
            yield s, q, o
            for c in self.domains.get(q, ()):
                yield s, RDF.type, c
            if not isinstance(o, URIRef | BNode):
                continue
            for c in self.ranges.get(q, ()):
                yield o, RDF.type, c
            for inv in self.inverses.get(q, ()):
                yield o, inv, s
            if q in self.symmetric:
                yield o, q, s


def _check(ontology: Graph) -> None:
    for s, p, o in ontology:
        if p == RDF.type and o in _HANDLED | _HARMLESS:
            continue
        if str(p).startswith(str(OWL)) and p not in _HANDLED | _HARMLESS:
            raise Unsupported(f"{p.n3()} on {s.n3()}")
        if p == RDF.type and str(o).startswith(str(OWL)) and o not in _HANDLED | _HARMLESS:
            raise Unsupported(f"{s.n3()} a {o.n3()}")


def compile_rules(ontology: Graph) -> Rules:
    """The rule set of ``ontology``; raises :class:`Unsupported` for constructs it lacks."""
    _check(ontology)
    sub_p: dict[Node, set[Node]] = defaultdict(set)
    sub_c: dict[Node, set[Node]] = defaultdict(set)
    for s, o in ontology.subject_objects(RDFS.subPropertyOf):
        sub_p[s].add(o)
    for s, o in ontology.subject_objects(OWL.equivalentProperty):
        sub_p[s].add(o)
        sub_p[o].add(s)
    for s, o in ontology.subject_objects(RDFS.subClassOf):
        sub_c[s].add(o)
    for s, o in ontology.subject_objects(OWL.equivalentClass):
        sub_c[s].add(o)
        sub_c[o].add(s)
    properties = set(sub_p) | {o for v in sub_p.values() for o in v}
    properties |= {p for p, _ in ontology.subject_objects(RDFS.domain)}
    properties |= {p for p, _ in ontology.subject_objects(RDFS.range)}
    inv: dict[Node, set[Node]] = defaultdict(set)
    for s, o in ontology.subject_objects(OWL.inverseOf):
        inv[s].add(o)
        inv[o].add(s)
    properties |= set(inv)
    symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
    chains: list[tuple[Node, Node, Node]] = []
    for result, head in ontology.subject_objects(OWL.propertyChainAxiom):
        steps = list(Collection(ontology, head))
        if len(steps) != 2:
            raise Unsupported(f"property chain of {len(steps)} steps on {result.n3()}")
        chains.append((steps[0], steps[1], result))
        properties |= {*steps, result}
    properties |= symmetric | transitive
    rules = Rules()
    rules.super_properties = _closure(sub_p, properties)
    classes = set(sub_c) | {o for v in sub_c.values() for o in v}
    classes |= {o for _, o in ontology.subject_objects(RDFS.domain)}
    classes |= {o for _, o in ontology.subject_objects(RDFS.range)}
    rules.super_classes = _closure(sub_c, classes)

    def typed(axiom: Node) -> dict[Node, frozenset[Node]]:
        # scm-dom1/2, scm-rng1/2: a property's classes are those of its super-properties, and their super-classes
        direct: dict[Node, set[Node]] = defaultdict(set)
        for p, c in ontology.subject_objects(axiom):
            direct[p].add(c)
        return {
            p: frozenset(sc for c in direct.get(p, ()) for sc in rules.super_classes.get(c, {c}))
            for p in properties
            if direct.get(p)
        }

    rules.domains, rules.ranges = typed(RDFS.domain), typed(RDFS.range)
    rules.inverses = {p: frozenset(q) for p, q in inv.items()}
    rules.symmetric, rules.transitive = frozenset(symmetric), frozenset(transitive)
    for first, second, result in chains:
        rules.chains.setdefault(first, []).append((second, result))
        rules.chain_seconds.setdefault(second, []).append((first, result))
    return rules


def entail(rules: Rules, triples: Iterable[Triple]) -> set[Triple]:
    """Every triple of ``triples`` and all they entail under ``rules`` (the fixpoint)."""
    known: set[Triple] = set()
    by_sp: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
    by_op: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
    todo = list(triples)
    while todo:
        t = todo.pop()
        if t in known:
            continue
        known.add(t)
        s, p, o = t
        by_sp[s, p].add(o)
        by_op[o, p].add(s)
        todo.extend(rules.single(s, p, o))
        for second, result in rules.chains.get(p, ()):
            todo.extend((s, result, z) for z in by_sp.get((o, second), ()))
        for first, result in rules.chain_seconds.get(p, ()):
            todo.extend((x, result, o) for x in by_op.get((s, first), ()))
        if p in rules.transitive:
            todo.extend((s, p, z) for z in by_sp.get((o, p), ()))
            todo.extend((x, p, o) for x in by_op.get((s, p), ()))
    return known
