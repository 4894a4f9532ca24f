"""The default graph as an RDF merge (a set) on engines that evaluate a union of graphs as a
multiset (Oxigraph, Virtuoso: a triple stated in two named graphs is counted twice).

SPARQL 1.1 makes the default graph "the RDF merge of the graphs" it is made of, a set. Over a
remote store, ``ccmgraph publish`` writes two kinds of graph beside the project's named graphs,
neither under the project's graph namespace (so neither is a project graph, nor seen by a query
that names no dataset):

- the *union graph* (``UNION_GRAPH/RUN``): the merge of every project graph, each triple once; a
  query that names no dataset reads it as its default graph, one graph, as fast as any;
- *parts*, only where named graphs share triples: the triples held by exactly one set of
  graphs, one part per set that holds shared triples, and for each graph that shares some,
  the part it holds alone. The parts a set of graphs touches are disjoint and together hold
  each of their triples once, so a ``FROM`` of several graphs becomes the list of its parts
  (``pieces``): a set on every engine, with no work per query.

Both are named afresh by each publish (``RUN``), so that they are written whole, outside any
transaction, before the publication names them; the previous ones are dropped after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ccmgraph.namespaces import BASE

UNION_GRAPH = BASE + "union"
PART = BASE + "part/"


def part_name(holders: Iterable[str], run: str) -> str:
    """The IRI of the part holding the triples stated in exactly the graphs ``holders``."""
    return f"{PART}{run}/{hashlib.sha256(chr(10).join(sorted(holders)).encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Merge:
    """The union of a dataset's named graphs and its parts (none where no graphs share a triple)."""

    union_graph: str
    union: list[ox.Triple]
    parts: dict[str, tuple[frozenset[str], list[ox.Triple]]]  # part IRI -> (its graphs, its triples)

    @property
    def holders(self) -> dict[str, frozenset[str]]:
        return {name: graphs for name, (graphs, _) in self.parts.items()}


def merge(graphs: Mapping[str, Sequence[ox.Triple]], run: str) -> Merge:
    """The union graph and the parts of ``graphs`` (graph IRI -> its triples), named for ``run``."""
    held: dict[ox.Triple, list[str]] = {}
    for graph, triples in graphs.items():
        for triple in triples:
            held.setdefault(triple, []).append(graph)
    sharing = {g for holders in held.values() if len(holders) > 1 for g in holders}
    parts: dict[str, tuple[frozenset[str], list[ox.Triple]]] = {}
    for triple, holders in held.items():
        if len(holders) > 1 or holders[0] in sharing:
            key = frozenset(holders)
            parts.setdefault(part_name(key, run), (key, []))[1].append(triple)
    return Merge(f"{UNION_GRAPH}/{run}", list(held), parts)


def pieces(default_graphs: Sequence[str], holders: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """Graphs whose multiset union is the RDF merge of ``default_graphs``: the graphs themselves
    when no two of them share a triple, else each graph that shares none and the parts the
    others touch.

    >>> holders = {"p-ab": frozenset("ab"), "p-a": frozenset("a"), "p-b": frozenset("b")}
    >>> pieces(["a", "c"], holders)
    ('a', 'c')
    >>> pieces(["a", "b", "c"], holders)
    ('c', 'p-a', 'p-ab', 'p-b')
    """
    wanted = set(default_graphs)
    if not any(len(graphs & wanted) > 1 for graphs in holders.values()):
        return tuple(default_graphs)
    covered = {g for graphs in holders.values() for g in graphs}
    alone = [g for g in default_graphs if g not in covered]
    return (*alone, *sorted(name for name, graphs in holders.items() if graphs & wanted))
