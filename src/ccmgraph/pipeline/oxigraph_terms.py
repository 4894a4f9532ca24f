"""rdflib terms as pyoxigraph terms: the build assembles with rdflib, then hands the
statements to Oxigraph to write the dumps and to run the shapes' SPARQL queries."""

from __future__ import annotations

from collections.abc import Callable
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
