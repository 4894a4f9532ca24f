"""rdflib terms as pyoxigraph terms: the build assembles with rdflib, then hands the
statements to Oxigraph to write the dumps and to run the shapes' SPARQL queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

Converter = Callable[[Node], ox.NamedNode | ox.BlankNode | ox.Literal]


def converter() -> Converter:
    """rdflib term -> pyoxigraph term, memoised (the same terms recur thousands of times)."""

    @cache
    def convert(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        raise TypeError(f"cannot convert {term!r}")

    return convert


def quads_in(graph: ox.NamedNode, triples: Iterable[tuple[Node, Node, Node]], convert: Converter) -> Iterator[ox.Quad]:
    """rdflib ``triples`` as Oxigraph quads in ``graph``."""
    for s, p, o in triples:
        subject, predicate = convert(s), convert(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise TypeError(f"not an RDF statement: {s!r} {p!r} {o!r} in {graph}")
        yield ox.Quad(subject, predicate, convert(o), graph)
