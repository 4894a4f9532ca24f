"""The query engine behind every interface: embedded pyoxigraph, or a remote SPARQL 1.1 endpoint.

Both speak the same small interface:

- ``query(text, media_type, ...)`` runs any query and returns the serialized answer, for the
  SPARQL protocol;
- ``select(text, bindings)`` runs a SELECT with parameters bound as RDF terms and returns rows
  of plain Python values, for the analyst API and the pages.

The default graph of a query is the union of all named graphs, so simple queries see
everything; ``GRAPH`` reaches each named graph.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox

from ccmgraph import catalog, errors, paths
from ccmgraph.sparql import formats
from ccmgraph.sparql.syntax import PREDECLARED, check_nesting, declare_prefixes, explain

Term = ox.NamedNode | ox.Literal | ox.BlankNode


class QueryError(errors.QueryEvaluationError):
    """A query the engine could not evaluate, or a remote store's error answer; the message is the
    engine's. (A text the engine cannot parse is an ``errors.QuerySyntaxError``.)"""


@dataclass(frozen=True)
class Answer:
    """A serialized query answer (from a store, or from the SPARQL endpoint's engine)."""

    form: str  # "select", "ask" or "graph"
    media_type: str
    body: bytes
    encoding: str | None = None  # "gzip" when the body is compressed
    truncated: str | None = None  # None, or why the answer was cut at a limit ("rows" or "bytes")
    rows: int | None = None  # rows or triples sent, when counted
    engine_ms: float = 0.0


def to_python(term: Term | None) -> object:
    """A JSON-friendly value for a term: IRIs and strings as str, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1]
        if dt in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"):
            return int(term.value)
        if dt in ("decimal", "double", "float"):
            return float(term.value)
        if dt == "boolean":
            return term.value == "true"
        return term.value
    return term.value


BINDINGS_MARKER = "# @bindings"


def bind_parameters(text: str, bindings: Mapping[str, Term | None]) -> str:
    """The query with its parameters bound as RDF terms in a VALUES block.

    The block goes where a ``# @bindings`` line stands inside the WHERE clause (so that
    FILTERs see the values), or else after the query. Terms are written by pyoxigraph, so a
    value can never change the query's structure; a missing value is UNDEF.
    """
    block = ""
    if bindings:
        names = " ".join(f"?{k}" for k in bindings)
        values = " ".join("UNDEF" if v is None else str(v) for v in bindings.values())
        block = f"VALUES ({names}) {{ ({values}) }}"
    if BINDINGS_MARKER in text:
        return text.replace(BINDINGS_MARKER, block)
    return f"{text}\n{block}\n" if block else text


class DatasetOptions(TypedDict, total=False):
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    use_default_graph_as_union: bool
    named_graphs: list[ox.NamedNode | ox.BlankNode]


def written(data: bytes | None) -> bytes:
    """What a pyoxigraph serializer wrote (it returns None only when given a file to write to)."""
    assert data is not None
    return data


def dataset_options(default_graph_uris: Sequence[str] = (),
                    named_graph_uris: Sequence[str] = ()) -> DatasetOptions:
    """pyoxigraph query options for a SPARQL protocol dataset: the given default graphs, or
    the union of all named graphs when none is given."""
    options: DatasetOptions = {}
    if default_graph_uris:
        options["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris]
    else:
        options["use_default_graph_as_union"] = True
    if named_graph_uris:
        options["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris]
    return options


class Store(ABC):
    @abstractmethod
    def query(self, text: str, media_type: str | None = None, *,
              default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()) -> Answer:
        """Run any query; the answer serialized in ``media_type`` (or the form's default)."""

    @abstractmethod
    def select(self, text: str, bindings: Mapping[str, Term | None] | None = None) -> list[dict[str, object]]:
        """Run a SELECT with variables bound to RDF terms; rows of Python values."""

    @property
    @abstractmethod
    def version(self) -> str:
        """Changes whenever the data changes (used as the HTTP ETag)."""


class EmbeddedStore(Store):
    """pyoxigraph in this process, loaded from the N-Quads dump in dist/."""

    def __init__(self, dist: Path | None = None) -> None:
        dist = dist or paths.DIST
        dump = dist / "ccmgraph.nq"
        self._store = ox.Store()
        self._store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        self._version = hashlib.sha256(dump.read_bytes()).hexdigest()[:16]

    @property
    def version(self) -> str:
        return self._version

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def _run(self, text: str, default_graph_uris: Sequence[str] = (),
             named_graph_uris: Sequence[str] = ()) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        check_nesting(text)
        try:
            return self._store.query(text, prefixes=PREDECLARED,
                                     **dataset_options(default_graph_uris, named_graph_uris))
        except SyntaxError as exc:
            raise errors.QuerySyntaxError(explain(text, str(exc))) from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(str(exc)) from None

    def query(self, text: str, media_type: str | None = None, *,
              default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()) -> Answer:
        result = self._run(text, default_graph_uris, named_graph_uris)
        try:
            if isinstance(result, ox.QueryTriples):
                media_type = media_type or formats.TURTLE.media_type
                return Answer("graph", media_type, written(result.serialize(format=formats.graph_format(media_type))))
            media_type = media_type or formats.SPARQL_JSON.media_type
            form = "ask" if isinstance(result, ox.QueryBoolean) else "select"
            return Answer(form, media_type, written(result.serialize(format=formats.results_format(media_type))))
        except KeyError:
            raise errors.NotAcceptable(f"this answer cannot be given as {media_type}") from None

    def select(self, text: str, bindings: Mapping[str, Term | None] | None = None) -> list[dict[str, object]]:
        result = self._run(bind_parameters(text, bindings or {}))
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: to_python(row[n]) for n in names} for row in result]


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint elsewhere (Oxigraph server, Fuseki, GraphDB...), over HTTP."""

    def __init__(self, endpoint: str, timeout: float = 30.0) -> None:
        import httpx

        self.endpoint = endpoint
        self._client = httpx.Client(timeout=timeout)
        self._version = ""

    @property
    def version(self) -> str:
        if not self._version:
            answer = self.query(catalog.service_query("store-version").sparql)
            self._version = hashlib.sha256(answer.body).hexdigest()[:16]
        return self._version

    def query(self, text: str, media_type: str | None = None, *,
              default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()) -> Answer:
        params = [("default-graph-uri", u) for u in default_graph_uris]
        params += [("named-graph-uri", u) for u in named_graph_uris]
        accept = media_type or ", ".join(f.media_type for f in (*formats.RESULTS, formats.TURTLE))
        response = self._client.post(self.endpoint, params=params, content=declare_prefixes(text).encode(),
                                     headers={"Content-Type": "application/sparql-query", "Accept": accept})
        if response.status_code >= 400:
            raise QueryError(f"remote endpoint answered {response.status_code}: {response.text[:500]}")
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        form = "graph" if any(f.media_type == ctype for f in formats.GRAPHS) else "select"
        if form == "select" and ctype == formats.SPARQL_JSON.media_type and b'"boolean"' in response.content[:200]:
            form = "ask"
        return Answer(form, ctype, response.content)

    def select(self, text: str, bindings: Mapping[str, Term | None] | None = None) -> list[dict[str, object]]:
        answer = self.query(bind_parameters(text, bindings or {}), formats.SPARQL_JSON.media_type)
        data = json.loads(answer.body)
        names = data["head"]["vars"]
        rows = []
        for b in data["results"]["bindings"]:
            row: dict[str, object] = {}
            for n in names:
                cell = b.get(n)
                row[n] = None if cell is None else to_python(_term_from_json(cell))
            rows.append(row)
        return rows

    def upload(self, nquads: Path) -> None:
        """Replace the remote dataset with the dump (SPARQL 1.1 Graph Store Protocol on /store)."""
        base = self.endpoint.rsplit("/", 1)[0]
        response = self._client.put(f"{base}/store", content=nquads.read_bytes(),
                                    headers={"Content-Type": "application/n-quads"})
        if response.status_code >= 400:
            raise QueryError(f"remote store answered {response.status_code}: {response.text[:500]}")
        self._version = ""


def _term_from_json(cell: Mapping[str, str]) -> Term:
    if cell["type"] == "uri":
        return ox.NamedNode(cell["value"])
    if cell["type"] == "bnode":
        return ox.BlankNode(cell["value"])
    if "datatype" in cell:
        return ox.Literal(cell["value"], datatype=ox.NamedNode(cell["datatype"]))
    return ox.Literal(cell["value"], language=cell.get("xml:lang"))


def open_store(endpoint: str | None = None, dist: Path | None = None) -> Store:
    return RemoteStore(endpoint) if endpoint else EmbeddedStore(dist)
