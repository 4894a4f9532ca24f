"""The RDF dataset a query runs on, as SPARQL 1.1 defines it, on any engine.

Who defines the dataset, in order (SPARQL 1.1 Protocol §2.1.4, Query §13.2):

1. the request's ``default-graph-uri`` / ``named-graph-uri`` parameters, when it has any: they
   replace the query's own dataset clauses (with only ``named-graph-uri``, the default graph is
   empty; with only ``default-graph-uri``, there is no named graph);
2. the query's ``FROM`` / ``FROM NAMED`` clauses: ``FROM`` graphs merge into the default graph,
   ``FROM NAMED`` graphs are the named graphs (``FROM NAMED`` alone: an empty default graph;
   ``FROM`` alone: no named graph);
3. neither: this project's choice, the union of the named graphs as the default graph, and
   every named graph for ``GRAPH``.

The embedded engine (pyoxigraph) honours the query's clauses itself, and its options replace
them, so ``dataset_options`` only has to tell the three cases apart. Remote engines differ
(Virtuoso adds the protocol's graphs to the query's instead of replacing them, and lets
``GRAPH`` see every graph when the dataset names none), so the remote path resolves the dataset
here, strips the clauses from the text and sends the resolved dataset as protocol parameters
(``Dataset.protocol_params``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from ccmgraph.sparql.guard import tokens
from ccmgraph.sparql.syntax import PREDECLARED

# stands for "no graph" where a protocol parameter list must not be empty: some engines
# (Virtuoso) read an absent named-graph-uri as "every graph"; a graph that holds nothing is none
EMPTY_GRAPH = "urn:ccmgraph:empty-graph"


@dataclass(frozen=True)
class Dataset:
    """A dataset named by a request: the graphs merged into the default graph, and the named graphs."""

    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]

    def protocol_params(self) -> list[tuple[str, str]]:
        """This dataset as SPARQL protocol parameters, read the same way by every engine."""
        params = [("default-graph-uri", g) for g in self.default_graphs or (EMPTY_GRAPH,)]
        params += [("named-graph-uri", g) for g in self.named_graphs or (EMPTY_GRAPH,)]
        return params


@dataclass(frozen=True)
class Parsed:
    """What a query text says about its dataset."""

    dataset: Dataset | None  # None: the query has no FROM / FROM NAMED clause
    text_without_clauses: str  # the text with its dataset clauses removed


def read_clauses(text: str) -> Parsed:
    """The query's dataset clauses (FROM / FROM NAMED at the top level, IRIs resolved).

    Read with the guard's tokenizer, so a ``FROM`` inside a string, an IRI, a comment or a
    variable name is not one. Text the tokenizer cannot make sense of is left to the engine,
    which reports the syntax error.
    """
    prefixes: dict[str, str] = dict(PREDECLARED)  # a query may use them undeclared
    base = ""
    depth = 0
    default: list[str] = []
    named: list[str] = []
    cuts: list[tuple[int, int]] = []
    toks = [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.casefold() if tok.kind == "name" else ""
        if tok.kind == "punct" and tok.text == "{":
            depth += 1
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
        elif depth == 0 and word == "prefix" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = urljoin(base, toks[i + 2].text[1:-1])
            i += 2
        elif depth == 0 and word == "base" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = urljoin(base, toks[i + 1].text[1:-1])
            i += 1
        elif depth == 0 and word == "from":
            j = i + 1
            is_named = j < len(toks) and toks[j].kind == "name" and toks[j].text.casefold() == "named"
            j += is_named
            iri = _iri(toks[j], prefixes, base) if j < len(toks) else None
            if iri is not None:
                (named if is_named else default).append(iri)
                cuts.append((tok.start, toks[j].start + len(toks[j].text)))
                i = j
        i += 1
    if not cuts:
        return Parsed(None, text)
    stripped, at = [], 0
    for start, end in cuts:
        stripped.append(text[at:start])
        at = end
    stripped.append(text[at:])
    return Parsed(Dataset(tuple(dict.fromkeys(default)), tuple(dict.fromkeys(named))), " ".join(stripped))


def _iri(tok, prefixes: dict[str, str], base: str) -> str | None:
    if tok.kind == "iri":
        return urljoin(base, tok.text[1:-1])
    if tok.kind == "name" and ":" in tok.text:
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local.replace("\\", "")
    return None


def resolve(
    text: str, default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()
) -> tuple[Dataset | None, str]:
    """The dataset a request names (None: it names none) and the query text without its clauses.

    The protocol's parameters take precedence over the query's clauses (which are then dropped).
    """
    parsed = read_clauses(text)
    if default_graph_uris or named_graph_uris:
        return Dataset(tuple(default_graph_uris), tuple(named_graph_uris)), parsed.text_without_clauses
    return parsed.dataset, parsed.text_without_clauses


def mentions_graph(text: str) -> bool:
    """Whether the query has the keyword GRAPH (outside strings, IRIs and comments), the one
    way a query reads named graphs."""
    return any(t.kind == "name" and t.text.casefold() == "graph" for t in tokens(text))
