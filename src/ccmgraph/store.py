"""The query engine behind every interface: embedded pyoxigraph, or a remote SPARQL 1.1 endpoint.

Both speak the same small interface:

- ``query(text, media_type, ...)`` runs any query and returns the serialized answer, for the
  SPARQL protocol;
- ``select(text, bindings)`` runs a SELECT with parameters bound as RDF terms and returns rows
  of plain Python values, for the analyst API and the pages.

When a request names no dataset (no FROM / FROM NAMED, no ``default-graph-uri`` /
``named-graph-uri``), the default graph of a query is the union of the project's named graphs,
so simple queries see everything, and ``GRAPH`` reaches each named graph; a dataset the request
names is honoured as SPARQL 1.1 defines it (see ccmgraph.sparql.dataset), on every engine.

The default graph is an RDF merge, a set: a triple stated in two named graphs is counted once,
with or without ``FROM`` (engines evaluate a union of graphs as a multiset). Embedded, the union
is materialised in the store's own default graph when the build writes it (``disk_store.materialise_union``), and a
``FROM`` of several graphs that share triples is evaluated over their merge (``prepare``); a
remote store reads the union graph and the parts ``ccmgraph publish`` writes (ccmgraph.sparql.merge).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypedDict

import httpx
import pyoxigraph as ox
from lxml import etree

from ccmgraph import disk_store, errors, formats, paths
from ccmgraph.namespaces import BASE, GRAPH
from ccmgraph.settings import DEFAULTS, Settings
from ccmgraph.sparql import dataset, merge
from ccmgraph.sparql.answer import Answer
from ccmgraph.sparql.dataset import Dataset
from ccmgraph.sparql.syntax import PREDECLARED, check_nesting, declare_prefixes, explain

Term = ox.NamedNode | ox.Literal | ox.BlankNode
# a parameter's value: a term, a list of terms (one row each), or None (UNDEF)
Binding = Term | Sequence[Term] | None
log = logging.getLogger(__name__)


def to_python(term: Term | None) -> object:
    """A JSON-friendly value for a term: IRIs and strings as str, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        convert = _converter(term.datatype.value)
        return term.value if convert is None else convert(term.value)
    return term.value


@functools.lru_cache(maxsize=128)
def _converter(datatype: str) -> Callable[[str], object] | None:
    """How a literal of ``datatype`` becomes a Python value (None: its lexical form, a str);
    asked once per datatype (a review converts a third of a million cells at a million quads)."""
    name = datatype.rsplit("#", 1)[-1]
    if name in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"):
        return int
    if name in ("decimal", "double", "float"):
        return float
    if name == "boolean":
        return "true".__eq__
    return None


def rows_of(solutions: ox.QuerySolutions) -> list[dict[str, object]]:
    """A SELECT's solutions as rows of Python values (``to_python``), unbound as None."""
    names = [v.value for v in solutions.variables]
    return [dict(zip(names, map(to_python, row), strict=True)) for row in solutions]


BINDINGS_MARKER = "# @bindings"


def bind_parameters(text: str, bindings: Mapping[str, Binding]) -> str:
    """The query with its parameters bound as RDF terms in a VALUES block.

    The block goes where a ``# @bindings`` line stands inside the WHERE clause (so that
    FILTERs see the values), or else after the query. Terms are written by pyoxigraph, so a
    value can never change the query's structure; a missing value is UNDEF, a list of terms
    one row each. One block per variable: Virtuoso 7.2 fails to compile some queries over its
    own default graph with one block of several variables ("ssg_print_rvr_fixed_val()").
    """
    block = " ".join(f"VALUES ?{k} {{ {_values(v)} }}" for k, v in bindings.items())
    if BINDINGS_MARKER in text:
        return text.replace(BINDINGS_MARKER, block)
    return f"{text}\n{block}\n" if block else text


def _values(binding: Binding) -> str:
    if binding is None:
        return "UNDEF"
    return str(binding) if isinstance(binding, Term) else " ".join(map(str, binding))


class DatasetOptions(TypedDict, total=False):
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    use_default_graph_as_union: bool
    named_graphs: list[ox.NamedNode | ox.BlankNode]


def written(data: bytes | None) -> bytes:
    """What a pyoxigraph serializer wrote (it returns None only when given a file to write to)."""
    assert data is not None
    return data


def dataset_options(
    text: str, default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()
) -> DatasetOptions:
    """pyoxigraph query options for the dataset of a request (see ccmgraph.sparql.dataset), on a
    store whose default graph is the union (``materialise_union``).

    The protocol's graphs, when given, replace the query's FROM / FROM NAMED (pyoxigraph's
    options override the query's clauses, an empty list meaning no graph); a query with its
    own clauses gets no option (pyoxigraph honours them); otherwise the store's default graph.
    """
    if default_graph_uris or named_graph_uris:
        return {
            "default_graph": [ox.NamedNode(u) for u in default_graph_uris],
            "named_graphs": [ox.NamedNode(u) for u in named_graph_uris],
        }
    return {}


def _overlap(store: ox.Store, graphs: Sequence[str]) -> bool:
    """Whether two of ``graphs`` share a triple (one ASK: index lookups, no answer built)."""
    values = " ".join(f"(<{a}> <{b}>)" for i, a in enumerate(graphs) for b in graphs[i + 1 :])
    ask = f"ASK {{ VALUES (?a ?b) {{ {values} }} GRAPH ?a {{ ?s ?p ?o }} GRAPH ?b {{ ?s ?p ?o }} }}"
    result = store.query(ask)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def prepare(
    store: ox.Store, text: str, default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()
) -> tuple[ox.Store, DatasetOptions]:
    """The store to run a request on and its options, the default graph a set.

    A default graph of several graphs that share triples (``FROM`` or ``default-graph-uri``)
    is evaluated in a store of its own: their merge as its default graph and the request's
    named graphs, copied (work in the size of those graphs, and only for such a request;
    graphs that share nothing are read in place: their union is already a set).
    """
    named, _ = dataset.resolve(text, default_graph_uris, named_graph_uris)
    if named is None or len(named.default_graphs) < 2 or not _overlap(store, named.default_graphs):
        return store, dataset_options(text, default_graph_uris, named_graph_uris)
    merged = ox.Store()
    for graph in named.default_graphs:
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        merged.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    for graph in named.named_graphs:
        merged.bulk_extend(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    # options, not the query's clauses (which name graphs the merged store does not have)
    return merged, {"default_graph": [ox.DefaultGraph()], "named_graphs": [ox.NamedNode(g) for g in named.named_graphs]}


class Store(ABC):
    @abstractmethod
    def query(
        self,
        text: str,
        media_type: str | None = None,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
    ) -> Answer:
        """Run any query; the answer serialized in ``media_type`` (or the form's default)."""

    @abstractmethod
    def select(self, text: str, bindings: Mapping[str, Binding] | None = None) -> list[dict[str, object]]:
        """Run a SELECT with variables bound to RDF terms; rows of Python values."""

    @property
    @abstractmethod
    def version(self) -> str:
        """Changes whenever the data changes (used as the HTTP ETag)."""

    @property
    @abstractmethod
    def default_graph_mode(self) -> DefaultGraphMode:
        """How a query that names no dataset reads the union of the named graphs."""


def version_of(nquads: Path) -> str:
    """The version of a dump (an embedded store's, and what ``ccmgraph publish`` writes)."""
    return hashlib.sha256(nquads.read_bytes()).hexdigest()[:16]


class EmbeddedStore(Store):
    """pyoxigraph in this process over the build's store in dist/ (ccmgraph.disk_store): open at
    once, read-only, from the files the engine processes open too (``path``); then the dump is
    parsed into memory in a background thread and queries move there (``in_memory``), where the
    analyst views run three to six times faster than on RocksDB (bench/README.md). So the server
    answers at once, holds one copy of the graph in memory (here, for the pages and the API; the
    engine processes read the files, which the page cache holds once), and keeps its speed.

    ``opened``: a store opened already (the one a SPARQL Update wrote, which has no dump: it stays
    on disk) instead of ``dist``'s; the store owns its directory.
    ``memory_copy_quads``: the largest graph copied into memory. A larger one stays on disk, where
    the pages and the API read the files the page cache holds once for every process: memory stays
    bounded (the copy, with the union default graph, costs about 500 MiB at a million quads) at the
    price of slower first answers (the page cache keeps the rest).
    """

    def __init__(
        self,
        dist: Path | None = None,
        *,
        opened: disk_store.Opened | None = None,
        memory_copy_quads: int = DEFAULTS.memory_copy_quads,
    ) -> None:
        self._opened = opened or disk_store.open_serving(dist or paths.DIST)
        self._store = self._opened.store
        self._version = self._opened.version
        self._settled = threading.Event()
        # its directory is removed once nothing uses this store (requests and engine processes
        # that have its files open keep reading them)
        weakref.finalize(self, self._opened.release)
        if self._opened.dump is None:
            self._settled.set()
        elif self._opened.quads > memory_copy_quads:
            log.info(
                "the graph (%d quads) is larger than memory_copy_quads (%d): "
                "the pages and the API read the store on disk",
                self._opened.quads,
                memory_copy_quads,
            )
            self._settled.set()
        else:
            threading.Thread(target=self._load_in_memory, name="ccmgraph-in-memory", daemon=True).start()

    def _load_in_memory(self) -> None:
        try:
            if not self._opened.dump_intact():
                log.warning("%s is not the dump the store was loaded from: queries stay on disk", self._opened.dump)
                return
            memory = ox.Store()
            memory.bulk_load(path=str(self._opened.dump), format=ox.RdfFormat.N_QUADS)
            disk_store.materialise_union(memory)  # as the store on disk has it (disk_store.write)
            self._store = memory  # queries running on the store on disk finish there
        except (OSError, SyntaxError, ValueError) as exc:
            log.warning("could not load %s into memory (%s): queries stay on disk", self._opened.dump, exc)
        finally:
            self._settled.set()

    def wait_in_memory(self, timeout: float | None = None) -> bool:
        """Wait for the graph to be in memory; False if it stays on disk (or ``timeout`` passed)."""
        self._settled.wait(timeout)
        return self.in_memory

    @property
    def in_memory(self) -> bool:
        return self._store is not self._opened.store

    @property
    def place(self) -> str:
        """Where the pages and the API read the graph: ``memory``, ``loading`` (from disk while it
        is copied into memory) or ``disk`` (it stays there)."""
        return "memory" if self.in_memory else "disk" if self._settled.is_set() else "loading"

    @property
    def version(self) -> str:
        return self._version

    @property
    def default_graph_mode(self) -> DefaultGraphMode:
        return DefaultGraphMode.STORE_DEFAULT

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    @property
    def path(self) -> Path:
        """The store's directory, which the engine processes open."""
        return self._opened.path

    @property
    def quads(self) -> int:
        return self._opened.quads

    def _run(
        self, text: str, default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = ()
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        check_nesting(text)
        try:
            store, options = prepare(self._store, text, default_graph_uris, named_graph_uris)
            return store.query(text, prefixes=PREDECLARED, **options)
        except SyntaxError as exc:
            raise errors.QuerySyntaxError(explain(text, str(exc))) from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise errors.QueryEvaluationError(str(exc)) from None

    def query(
        self,
        text: str,
        media_type: str | None = None,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
    ) -> Answer:
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

    def select(self, text: str, bindings: Mapping[str, Binding] | None = None) -> list[dict[str, object]]:
        result = self._run(bind_parameters(text, bindings or {}))
        if not isinstance(result, ox.QuerySolutions):
            raise errors.QueryEvaluationError("not a SELECT query")
        return rows_of(result)


# a store's failures are not QueryErrors, so that code that handles a rejected query passes them
# on unchanged: the interfaces answer them as such (502 or 503, a CLI error)
class StoreUnreachable(errors.UpstreamError):
    """The remote store did not answer (connection refused, name not found, timed out)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"the store did not answer: {message}")


class StoreRefused(errors.UpstreamError):
    """The remote store refused the request for lack of rights (HTTP 401 or 403)."""


class IncompleteAnswer(errors.UpstreamError):
    """The store's answer was cut short (Oxigraph server ends its answer early at its own time
    limit, with a success status)."""


class RemoteTimeout(errors.LimitExceeded):
    """The remote engine stopped the query at its own time limit (``limit``: seconds, 0 if unknown)."""


PROJECT_GRAPHS = str(GRAPH)
# seconds a write may take (a graph of a million triples replaced in one transaction takes
# minutes); reads keep the store's timeout
WRITE_TIMEOUT = 3600.0
# what `ccmgraph publish` wrote last: the version of the data and the graphs it published; not
# one of the project's graphs, so that no query that names no dataset sees it
PUBLICATION = BASE + "publication"
_PUBLICATION_QUERY = f"""
SELECT ?version ?graph WHERE {{ GRAPH <{PUBLICATION}> {{
  <{PUBLICATION}> <http://purl.org/dc/terms/identifier> ?version ; <http://purl.org/dc/terms/hasPart> ?graph }} }}
"""
_GRAPHS_QUERY = f"""
SELECT DISTINCT ?graph WHERE {{ GRAPH ?graph {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?graph), "{PROJECT_GRAPHS}")) }}
"""
# the union graph and the parts (ccmgraph.sparql.merge) that the publication names
_MERGE_QUERY = f"""
SELECT ?union ?part ?graph WHERE {{ GRAPH <{PUBLICATION}> {{
  {{ <{PUBLICATION}> <http://www.w3.org/ns/sparql-service-description#defaultGraph> ?union }}
  UNION {{ ?part <http://purl.org/dc/terms/isPartOf> ?graph }} }} }}
"""
_ENGINE_DEFAULT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class DefaultGraphMode(StrEnum):
    """How a query that names no dataset gets the union of the project's graphs, a set."""

    # embedded: the store's own default graph, the merge materialised when it loads
    STORE_DEFAULT = "the store's default graph (the union of the named graphs, materialised at load)"
    # remote: the union graph ``ccmgraph publish`` writes beside the named graphs (ccmgraph.sparql.merge)
    UNION_GRAPH = "the union graph written by ccmgraph publish (ccmgraph.sparql.merge.UNION_GRAPH)"
    # remote, not published by ccmgraph, the project's graphs alone in the store: the engine's own
    # (Oxigraph server --union-default-graph); a multiset where graphs share triples
    ENGINE_UNION = "the engine's union default graph (the project's graphs are alone in the store)"
    # remote, not published by ccmgraph, other graphs in the store: the list of the project's graphs
    GRAPH_LIST = "the list of the project's graphs, sent with each query"


@dataclass(frozen=True)
class Credentials:
    """How to authenticate to a remote store: a bearer token, or a user and password (basic or
    digest). Read from the environment, never from a command line (which other users can list)."""

    token: str | None = None
    user: str | None = None
    password: str | None = None
    scheme: str = "basic"  # or "digest" (Virtuoso's /sparql-graph-crud-auth)

    TOKEN_ENV = "CCMGRAPH_STORE_TOKEN"
    USER_ENV = "CCMGRAPH_STORE_USER"
    PASSWORD_ENV = "CCMGRAPH_STORE_PASSWORD"
    SCHEME_ENV = "CCMGRAPH_STORE_AUTH"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        return cls.of(Settings.from_environment(environ))

    @classmethod
    def of(cls, settings: Settings) -> Credentials:
        return cls(settings.store_token, settings.store_user, settings.store_password, settings.store_auth)

    def auth(self) -> httpx.Auth | None:
        if self.token:
            return _Bearer(self.token)
        if self.user:
            if self.scheme == "digest":
                return httpx.DigestAuth(self.user, self.password or "")
            return httpx.BasicAuth(self.user, self.password or "")
        return None

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials(token={'***' if self.token else None}, user={self.user!r}, scheme={self.scheme!r})"


@dataclass(frozen=True)
class _Layout:
    """What a remote store's default graph is made of (see ``DefaultGraphMode``)."""

    mode: DefaultGraphMode = DefaultGraphMode.GRAPH_LIST
    holders: dict[str, frozenset[str]] = field(default_factory=dict)  # part -> its graphs
    union: str = ""  # the union graph (UNION_GRAPH mode)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = self._header
        yield request


class RemoteStore(Store):
    """A SPARQL 1.1 store elsewhere (Virtuoso, Oxigraph server, Fuseki, GraphDB...), over HTTP.

    Queries go to ``endpoint`` by the SPARQL 1.1 Protocol, with the dataset of each request
    resolved here (ccmgraph.sparql.dataset) and sent as ``default-graph-uri`` /
    ``named-graph-uri`` parameters, so that the answers do not depend on how the engine is
    configured (Oxigraph's ``--union-default-graph``, Virtuoso's "every graph" default): a query
    that names no dataset reads the union of the project's graphs, each triple once, as its
    default graph, and the project's graphs (those ``ccmgraph publish`` lists in the publication
    graph) as its named graphs, in the way ``default_graph_mode`` says (the union graph
    ``publish`` writes, else the engine's union, else the graph list); a ``FROM`` of several
    graphs that share triples is sent as their parts (ccmgraph.sparql.merge). Graphs are written
    by the SPARQL 1.1 Graph Store HTTP Protocol at ``graph_store`` (``publish``).

    ``engine_timeout``: seconds the engine itself may spend on a query, sent where the engine
    takes it per request (Virtuoso's ``timeout``); an answer the engine cut at that limit is a
    ``RemoteTimeout``, never a partial answer. ``version_ttl``: seconds a version read is trusted.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        graph_store: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = DEFAULTS.store_timeout,
        engine_timeout: float | None = None,
        version_ttl: float = DEFAULTS.store_version_ttl,
    ) -> None:
        self.endpoint = endpoint
        self.graph_store = graph_store or default_graph_store(endpoint)
        self.credentials = credentials or Credentials()
        self.engine_timeout = engine_timeout
        self.version_ttl = version_ttl
        self._auth = self.credentials.auth()
        self._client = httpx.Client(timeout=timeout, auth=self._auth)
        self._lock = threading.Lock()
        self._version = ""
        self._graphs: tuple[str, ...] = ()
        self._layout = _Layout()
        self._read_at = -1e9
        self._server: str | None = None

    # -- what is published ------------------------------------------------------------

    def _publication(self) -> tuple[str, tuple[str, ...]]:
        """(version, project graphs), read again when older than ``version_ttl``.

        From the publication graph when ``ccmgraph publish`` wrote one; otherwise (a store
        loaded by other means) the graphs under the project's namespace and a hash of their
        sizes, read once: such a store's later changes are not noticed until a publication
        graph appears (or the server restarts).
        """
        with self._lock:
            if self._version and time.monotonic() - self._read_at < self.version_ttl:
                return self._version, self._graphs
            rows = self._rows(_PUBLICATION_QUERY, Dataset((), (PUBLICATION,)))
            versions = {r["version"] for r in rows}
            if len(versions) == 1:
                version = str(versions.pop())
                if version != self._version:
                    self._layout = self._read_layout()
                self._version = version
                self._graphs = tuple(sorted(str(r["graph"]) for r in rows))
            elif not self._version.startswith("unpublished-"):
                graphs = tuple(sorted(str(r["graph"]) for r in self._rows(_GRAPHS_QUERY, None)))
                sizes = self.graph_sizes(graphs)
                self._graphs = graphs
                self._version = "unpublished-" + hashlib.sha256(repr(sorted(sizes.items())).encode()).hexdigest()[:16]
                self._layout = _Layout(mode=self._unpublished_mode(sum(sizes.values())))
            self._read_at = time.monotonic()
            return self._version, self._graphs

    def _read_layout(self) -> _Layout:
        """The union graph and the parts a publication names (checked with each new version)."""
        rows = self._rows(_MERGE_QUERY, Dataset((), (PUBLICATION,)))
        unions = {str(r["union"]) for r in rows if r["union"]}
        holders: dict[str, set[str]] = {}
        for r in rows:
            if r["part"]:
                holders.setdefault(str(r["part"]), set()).add(str(r["graph"]))
        if len(unions) != 1:  # published before the union graph: the graph list
            return _Layout(mode=DefaultGraphMode.GRAPH_LIST)
        return _Layout(DefaultGraphMode.UNION_GRAPH, {p: frozenset(g) for p, g in holders.items()}, unions.pop())

    def _unpublished_mode(self, quads: int) -> DefaultGraphMode:
        """ENGINE_UNION when the engine's own default graph holds exactly the project's triples
        (its union default graph, and no other graph in the store), else GRAPH_LIST."""
        rows = self._rows(_ENGINE_DEFAULT_COUNT, None)
        alone = bool(rows) and int(str(rows[0]["n"])) == quads
        return DefaultGraphMode.ENGINE_UNION if alone else DefaultGraphMode.GRAPH_LIST

    @property
    def default_graph_mode(self) -> DefaultGraphMode:
        self._publication()
        return self._layout.mode

    def _dataset_of(self, text: str) -> Dataset | None:
        """The dataset to send for a query that names none (None: the engine's own default)."""
        self._publication()
        layout, graphs = self._layout, self._graphs
        if layout.mode == DefaultGraphMode.ENGINE_UNION:
            return None
        if layout.mode == DefaultGraphMode.UNION_GRAPH:
            # the project's graphs as named graphs only for a query that reads named graphs
            # with a graph that holds nothing beside it: over one fixed default graph, Virtuoso
            # 7.2 fails to compile some queries ("SP031 ... no SPART_VARR_FIXED")
            union = (layout.union, dataset.EMPTY_GRAPH)
            return Dataset(union, graphs if dataset.mentions_graph(text) else ())
        return Dataset(graphs, graphs)

    @property
    def version(self) -> str:
        return self._publication()[0]

    @property
    def graphs(self) -> tuple[str, ...]:
        """The project's named graphs in the store: the dataset of a query that names none."""
        return self._publication()[1]

    def merge_graphs(self) -> list[str]:
        """The union graph and the parts (ccmgraph.sparql.merge) the store's publication names."""
        layout = self._read_layout()
        return sorted({*layout.holders, layout.union} - {""})

    def forget_version(self) -> None:
        with self._lock:
            self._version, self._read_at = "", -1e9

    def graph_sizes(self, graphs: Sequence[str]) -> dict[str, int]:
        """Triples in each of ``graphs`` (0 for a graph the store does not have), one query per
        graph: a single GROUP BY over a large dataset runs into the engine's time limit."""
        sizes = {}
        for graph in graphs:
            rows = self._rows(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", Dataset((), (graph,))
            )
            sizes[graph] = int(str(rows[0]["n"])) if rows else 0
        return sizes

    # -- queries ----------------------------------------------------------------------

    def request(
        self,
        text: str,
        media_type: str | None = None,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        engine_timeout: float | None = None,
    ) -> httpx.Request:
        """The HTTP request for a query, its dataset resolved (see the class docstring);
        ``engine_timeout``: this request's, instead of the store's."""
        named, text = dataset.resolve(text, default_graph_uris, named_graph_uris)
        if named is None:
            named = self._dataset_of(text)
        elif len(named.default_graphs) > 1:  # their merge: the parts they touch (a set)
            self._publication()
            named = Dataset(merge.pieces(named.default_graphs, self._layout.holders), named.named_graphs)
        return self._build(text, media_type, named, engine_timeout)

    def _build(
        self, text: str, media_type: str | None, named: Dataset | None, engine_timeout: float | None = None
    ) -> httpx.Request:
        """A query request; ``named``: the dataset to send (None: the engine's own default)."""
        form: dict[str, list[str]] = {"query": [declare_prefixes(text)]}
        for key, value in named.protocol_params() if named is not None else ():
            form.setdefault(key, []).append(value)
        headers = {"Accept": media_type or ", ".join(f.media_type for f in (*formats.RESULTS, formats.TURTLE))}
        if self._server_name().startswith("virtuoso"):
            limit = engine_timeout or self.engine_timeout
            if limit:
                form["timeout"] = [str(int(limit * 1000))]
            # a connection per query: Virtuoso writes an answer of more than 32 KB in pieces with
            # Nagle's algorithm on, and over a kept-alive connection the last piece waits for the
            # client's delayed acknowledgement, 40 ms (an answer of 35 KB: 48 ms kept alive, 7 ms
            # on a new connection to 127.0.0.1; bench/README.md, "each query to Virtuoso on a
            # connection of its own")
            headers["Connection"] = "close"
        # a form body, not the URL: the graph lists of a large dataset are long
        return self._client.build_request("POST", self.endpoint, data=form, headers=headers)

    def _server_name(self) -> str:
        """The engine's name from its Server header (lowercased), asked once."""
        if self._server is None:
            try:
                response = self._client.post(
                    self.endpoint, data={"query": "ASK {}"}, headers={"Accept": formats.SPARQL_JSON.media_type}
                )
                self._server = response.headers.get("server", "").lower()
            except httpx.HTTPError as exc:
                raise StoreUnreachable(f"{self.endpoint}: {type(exc).__name__}: {exc}") from None
        return self._server

    def async_client(self) -> httpx.AsyncClient:
        """A client for ``request``s sent from an event loop (one per loop; close it after)."""
        return httpx.AsyncClient(timeout=None, auth=self._auth)

    def answer(
        self, response: httpx.Response, body: bytes | None = None, engine_timeout: float | None = None
    ) -> Answer:
        """The Answer in a response from the query endpoint (``body``: when read already),
        or the error it reports (``engine_timeout``: the one its request was sent with)."""
        # Virtuoso: an answer cut at the request's time limit ("anytime" partial answer), or its
        # server-wide limit (MaxQueryExecutionTime, an error S1T00)
        timed_out = response.headers.get("x-sql-state") == "S1TAT"
        if response.status_code >= 500:
            timed_out = b"S1T00" in (response.content if body is None else body)[:2000]
        if timed_out:
            limit = engine_timeout or self.engine_timeout or 0.0
            raise RemoteTimeout(
                f"the store stopped the query at its time limit{f' of {limit:g} s' if limit else ''}; "
                "make it more selective",
                limit,
            )
        _raise_for_status(response, self.endpoint, body)
        body = response.content if body is None else body
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        _check_complete(ctype, body, self.endpoint)
        form = "graph" if any(f.media_type == ctype for f in formats.GRAPHS) else "select"
        if form == "select" and ctype == formats.SPARQL_JSON.media_type and b'"boolean"' in body[:200]:
            form = "ask"
        return Answer(form, ctype, body)

    def query(
        self,
        text: str,
        media_type: str | None = None,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
    ) -> Answer:
        request = self.request(
            text, media_type, default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris
        )
        return self.answer(self._send(request))

    def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._client.send(request)
        except httpx.HTTPError as exc:
            raise StoreUnreachable(f"{request.url}: {type(exc).__name__}: {exc}") from None

    def select(self, text: str, bindings: Mapping[str, Binding] | None = None) -> list[dict[str, object]]:
        answer = self.query(bind_parameters(text, bindings or {}), self._results_format().media_type)
        return self._rows_in(answer)

    def _rows(self, text: str, named: Dataset | None) -> list[dict[str, object]]:
        return self._rows_in(self.answer(self._send(self._build(text, self._results_format().media_type, named))))

    def _results_format(self) -> formats.Format:
        """The typed results format the engine writes fastest: Virtuoso writes XML in 0.6 of the
        time of its JSON (the LAP review's 36 MB of rows at a million quads: 5.7 s against 9.6 s;
        its TSV and CSV carry no term types); JSON elsewhere."""
        return formats.SPARQL_XML if self._server_name().startswith("virtuoso") else formats.SPARQL_JSON

    @staticmethod
    def _rows_in(answer: Answer) -> list[dict[str, object]]:
        """The rows of a SELECT answer (JSON parsed by pyoxigraph, Virtuoso's SPARQL 1.0
        "typed-literal" too; XML by lxml: pyoxigraph 0.5's reader trims the blanks around
        a literal's text)."""
        if answer.media_type == formats.SPARQL_XML.media_type:
            return _xml_rows(answer.body)
        try:
            solutions = ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise errors.QueryEvaluationError(f"the store sent results that cannot be read: {exc}") from None
        if not isinstance(solutions, ox.QuerySolutions):
            raise errors.QueryEvaluationError("not a SELECT query")
        return rows_of(solutions)

    # -- Graph Store Protocol ---------------------------------------------------------

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace ``graph`` with the triples given (SPARQL 1.1 Graph Store Protocol, PUT)."""
        response = self._gsp("PUT", graph, content=ntriples, headers={"Content-Type": formats.N_TRIPLES.media_type})
        _raise_for_status(response, self.graph_store)

    @property
    def takes_bulk_quads(self) -> bool:
        """Whether the engine loads N-Quads posted to its Graph Store outside a transaction
        (Oxigraph server's ``POST /store?no_transaction``: its bulk path over HTTP)."""
        return self._server_name().startswith("oxigraph")

    def post_quads(self, nquads: bytes) -> None:
        """Add quads, in one request, by the engine's bulk path (``takes_bulk_quads``)."""
        try:
            response = self._client.post(
                f"{self.graph_store}?no_transaction",
                content=nquads,
                headers={"Content-Type": formats.N_QUADS.media_type},
                timeout=WRITE_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise StoreUnreachable(f"{self.graph_store}: {type(exc).__name__}: {exc}") from None
        _raise_for_status(response, self.graph_store)

    def update(self, text: str) -> None:
        """Run a SPARQL update (one transaction) at the engine's update endpoint (Oxigraph:
        ``/update`` beside ``/query``)."""
        url = self.endpoint.rstrip("/").removesuffix("/query") + "/update"
        try:
            response = self._client.post(url, data={"update": text}, timeout=WRITE_TIMEOUT)
        except httpx.HTTPError as exc:
            raise StoreUnreachable(f"{url}: {type(exc).__name__}: {exc}") from None
        _raise_for_status(response, url)

    def delete_graph(self, graph: str) -> None:
        """Remove ``graph`` (a graph the store does not have is not an error)."""
        response = self._gsp("DELETE", graph)
        if response.status_code != 404:
            _raise_for_status(response, self.graph_store)

    def _gsp(
        self, method: str, graph: str, content: bytes | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            return self._client.request(
                method,
                self.graph_store,
                params={"graph": graph},
                content=content,
                headers=headers,
                timeout=WRITE_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise StoreUnreachable(f"{self.graph_store}: {type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        self._client.close()


def default_graph_store(endpoint: str) -> str:
    """The Graph Store Protocol address that goes with a query endpoint, by the engines'
    conventions: Oxigraph ``/query`` -> ``/store``; Virtuoso ``/sparql`` ->
    ``/sparql-graph-crud-auth`` (digest authentication); Fuseki ``/ds/sparql`` or ``/ds/query``
    -> ``/ds/data``. Otherwise the endpoint itself."""
    base, _, last = endpoint.rstrip("/").rpartition("/")
    if last == "query" and base.count("/") <= 2:
        return f"{base}/store"
    if last == "sparql" and base.count("/") <= 2:
        return f"{base}/sparql-graph-crud-auth"
    if last in ("query", "sparql"):
        return f"{base}/data"
    return endpoint


def _raise_for_status(response: httpx.Response, url: str, body: bytes | None = None) -> None:
    if response.status_code in (401, 403):
        raise StoreRefused(
            f"{url} answered {response.status_code}: check the credentials in "
            f"${Credentials.USER_ENV} / ${Credentials.PASSWORD_ENV} (${Credentials.SCHEME_ENV}) "
            f"or ${Credentials.TOKEN_ENV}"
        )
    if response.status_code >= 400:
        text = response.text if body is None else body.decode("utf-8", "replace")
        raise errors.QueryEvaluationError(f"{url} answered {response.status_code}: {text[:500].strip()}")


def _check_complete(media_type: str, body: bytes, url: str) -> None:
    """Raise IncompleteAnswer for a results document that is cut short (JSON that does not
    parse, XML without its closing tag); other formats cannot be checked."""
    if media_type == formats.SPARQL_JSON.media_type:
        try:
            json.loads(body)
        except ValueError:
            raise IncompleteAnswer(
                f"{url} sent an incomplete answer ({len(body)} bytes): it may have stopped "
                "the query at its own time limit"
            ) from None
    elif media_type == formats.SPARQL_XML.media_type and not body.rstrip().endswith(b"</sparql>"):
        raise IncompleteAnswer(
            f"{url} sent an incomplete answer ({len(body)} bytes): it may have stopped the query at its own time limit"
        )


RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


def xml_results(body: bytes) -> Any:
    """A SPARQL XML results document's root element, read by lxml: every blank of a literal kept
    (pyoxigraph 0.5's reader trims them), entities not resolved, a long literal not refused
    (``huge_tree``), the LAP review's 37 MB of rows at a million quads in 0.6 s (ElementTree:
    2.1 s). lxml's XMLSyntaxError (a SyntaxError) when it does not parse."""
    return etree.fromstring(body, etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True))


def _xml_rows(body: bytes) -> list[dict[str, object]]:
    """SPARQL XML results as rows of Python values, as ``rows_of`` gives them."""
    try:
        root = xml_results(body)
    except etree.XMLSyntaxError as exc:
        raise errors.QueryEvaluationError(f"the store sent results that cannot be read: {exc}") from None
    if root.find(f"{RESULTS_NS}results") is None:
        raise errors.QueryEvaluationError("not a SELECT query")
    names = [str(v.get("name")) for v in root.iter(f"{RESULTS_NS}variable")]
    rows = []
    for result in root.iter(f"{RESULTS_NS}result"):
        row: dict[str, object] = dict.fromkeys(names)
        for binding in result:
            term = binding[0]
            text = term.text or ""
            convert = _converter(datatype) if (datatype := term.get("datatype")) else None
            row[str(binding.get("name"))] = text if convert is None else convert(text)
        rows.append(row)
    return rows


def open_store(endpoint: str | None = None, dist: Path | None = None, memory_copy_quads: int | None = None) -> Store:
    """The remote store at ``endpoint`` (credentials and timeouts from the settings), or else dist/
    embedded, copied into memory up to ``memory_copy_quads`` (default: the setting's)."""
    settings = Settings.from_environment()
    if endpoint:
        return remote_store(endpoint, settings)
    return EmbeddedStore(
        dist, memory_copy_quads=settings.memory_copy_quads if memory_copy_quads is None else memory_copy_quads
    )


def remote_store(endpoint: str, settings: Settings, **options: Any) -> RemoteStore:
    """The remote store at ``endpoint`` with the credentials and timeouts of ``settings``."""
    return RemoteStore(
        endpoint,
        credentials=Credentials.of(settings),
        timeout=settings.store_timeout,
        version_ttl=settings.store_version_ttl,
        **options,
    )
