"""Load the built dataset into a remote store, each named graph replaced atomically (``ccmgraph publish``).

Oxigraph server takes its bulk path over HTTP: every graph is posted as N-Quads outside a
transaction (``POST /store?no_transaction``, large batches); a graph the store holds already is
posted into a staging graph, then moved over the published one by one SPARQL ``MOVE`` (a
transaction), and a graph new to the store under its own name (no reader lists it before the
publication names it, at the end). The ``MOVE`` rewrites every triple in one transaction: a
million quads published into an empty store through staging graphs took 50 s more and left a
store of 1.7 GB instead of 190 MB (pyoxigraph, Oxigraph server's engine; bench/README.md). Other
stores get one SPARQL 1.1 Graph Store Protocol ``PUT ?graph=...`` per graph (one request: a
transaction on engines that make a request one, such as Virtuoso). Beside the named graphs go the
union graph and the parts that make the default graph a set (ccmgraph.sparql.merge). Project
graphs the dump no longer has are deleted, and every graph is counted back. The publication graph
(``ccmgraph.store.PUBLICATION``) records the version of the data (the same hash the embedded
store reports), the graphs published and the union graph and parts; it is written first with a
fresh "publishing" version and last with the final one, so that servers over the store see a
new version whenever the data may have changed, and drop what they cached; while publishing, it
lists only the graphs the store held before (a graph new to the store is listed once loaded).
Publishing the same dump twice leaves the same store (the same triples; blank nodes get fresh
identifiers in the engine).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ccmgraph import errors
from ccmgraph.namespaces import BASE
from ccmgraph.sparql import merge
from ccmgraph.store import PROJECT_GRAPHS, PUBLICATION, RemoteStore, StoreUnreachable, version_of

DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
# where a bulk load puts each graph before it is moved over the published one (not a project graph)
STAGING = BASE + "staging/"
BULK_QUADS = 200_000  # quads a bulk request sends


class PublishError(errors.UpstreamError):
    """A graph was not loaded as it should have been (its count back differs)."""


@dataclass(frozen=True)
class GraphReport:
    graph: str
    before: int | None  # triples in the store before (0: a new graph; None: the store did not answer)
    loaded: int  # triples sent (0: a graph deleted)
    counted: int | None = None  # triples counted back after loading (None: dry run)


def graphs_of(nquads: Path) -> dict[str, list[ox.Triple]]:
    """The dump's triples per named graph (a dump of this project has no default-graph triple)."""
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise PublishError(f"{nquads}: a triple outside the named graphs: {quad}")
        graphs[quad.graph_name.value].append(quad.triple)
    return dict(sorted(graphs.items()))


def plan(store: RemoteStore, graphs: dict[str, list[ox.Triple]]) -> list[GraphReport]:
    """What a publish would do: each graph replaced (and its size before), stale ones deleted."""
    present = [g for g in store.graphs if g.startswith(PROJECT_GRAPHS)]
    before = store.graph_sizes(sorted({*graphs, *present}))
    reports = [GraphReport(g, before[g], len(triples)) for g, triples in graphs.items()]
    reports += [GraphReport(g, before[g], 0) for g in sorted(set(present) - set(graphs))]
    return reports


def dry_run(store: RemoteStore, graphs: dict[str, list[ox.Triple]]) -> tuple[list[GraphReport], str | None]:
    """``plan``, or when the store does not answer, what the dump would load (sizes before unknown)
    and why they are: a dry run checks the dump without needing the store."""
    try:
        return plan(store, graphs), None
    except StoreUnreachable as exc:
        return [GraphReport(g, None, len(triples)) for g, triples in graphs.items()], exc.message


def _quiet(_: str) -> None:
    pass


def publish(
    store: RemoteStore, nquads: Path, progress: Callable[[str], None] = _quiet, *, bulk: bool = True
) -> list[GraphReport]:
    """Replace the project's graphs in ``store`` with those of the dump, and write their union
    graph and parts (ccmgraph.sparql.merge); the report per graph. ``progress`` is told each
    step; ``bulk=False``: one PUT per graph even where the engine has a bulk path (bench/publish.py
    compares the two)."""
    graphs = graphs_of(nquads)
    version = version_of(nquads)
    merged = merge.merge(graphs, uuid.uuid4().hex[:12])
    previous = store.graph_sizes(store.merge_graphs())  # dropped once the new ones are published
    planned = plan(store, graphs)
    derived = {merged.union_graph: merged.union, **{name: triples for name, (_, triples) in merged.parts.items()}}
    planned += [GraphReport(g, 0, len(triples)) for g, triples in derived.items()]
    content = {r.graph: {**graphs, **derived}[r.graph] for r in planned if r.loaded}
    _mark(store, f"publishing-{uuid.uuid4().hex[:12]}", [r.graph for r in planned if r.graph in graphs and r.before])
    if bulk and store.takes_bulk_quads:
        unread = set(derived) | {r.graph for r in planned if not r.before}
        _bulk_load(store, content, unread, progress)
    else:
        for i, (graph, triples) in enumerate(content.items(), 1):
            store.put_graph(graph, _ntriples(triples))
            progress(f"replaced {i}/{len(content)} graphs")
    for report in planned:
        if not report.loaded:
            store.delete_graph(report.graph)
    counted = store.graph_sizes([r.graph for r in planned])
    done = [GraphReport(r.graph, r.before, r.loaded, counted[r.graph]) for r in planned]
    wrong = [r for r in done if r.counted != r.loaded]
    if wrong:
        raise PublishError(
            "counted back a different number of triples than loaded: "
            + ", ".join(f"{r.graph} ({r.loaded} loaded, {r.counted} counted)" for r in wrong)
        )
    _mark(store, version, list(graphs), {r.graph: r.loaded for r in done if r.loaded}, merged)
    store.forget_version()
    for graph in previous:
        store.delete_graph(graph)
    gone = store.graph_sizes(list(previous))
    return done + [GraphReport(g, n, 0, gone[g]) for g, n in previous.items()]


def _bulk_load(
    store: RemoteStore, content: dict[str, list[ox.Triple]], unread: set[str], progress: Callable[[str], None]
) -> None:
    """Every graph by the engine's bulk path (``BULK_QUADS`` quads a request, outside a
    transaction), still atomic per graph: a graph that exists is loaded into a staging graph,
    then moved over it by one SPARQL ``MOVE`` (a transaction: a query sees the old graph or the
    new one); an ``unread`` graph (new to the store: no publication lists it yet) is loaded under
    its own name."""
    run = f"{STAGING}{uuid.uuid4().hex[:12]}/"
    staging = {graph: graph if graph in unread else f"{run}{i}" for i, graph in enumerate(content)}
    total, sent, batch = sum(map(len, content.values())), 0, []
    for graph, triples in content.items():
        name = ox.NamedNode(staging[graph])
        for t in triples:
            batch.append(ox.Quad(t.subject, t.predicate, t.object, name))
            if len(batch) == BULK_QUADS:
                sent += _post(store, batch)
                progress(f"loaded {sent}/{total} triples")
    sent += _post(store, batch)
    progress(f"loaded {sent}/{total} triples")
    moves = [(graph, stage) for graph, stage in staging.items() if graph != stage]
    for i, (graph, stage) in enumerate(moves, 1):
        store.update(f"MOVE <{stage}> TO <{graph}>")
        if i % 50 == 0 or i == len(moves):
            progress(f"replaced {i}/{len(moves)} graphs")


def _post(store: RemoteStore, batch: list[ox.Quad]) -> int:
    if batch:
        store.post_quads(ox.serialize(batch, format=ox.RdfFormat.N_QUADS) or b"")
    sent = len(batch)
    batch.clear()
    return sent


def _mark(
    store: RemoteStore,
    version: str,
    graphs: list[str],
    sizes: dict[str, int] | None = None,
    merged: merge.Merge | None = None,
) -> None:
    """Write the publication graph: the version and the graphs (with their sizes when known),
    and once they are loaded, the union graph and the parts with the graphs each holds."""
    me = ox.NamedNode(PUBLICATION)
    triples = [ox.Triple(me, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(version))]
    for g in graphs:
        triples.append(ox.Triple(me, ox.NamedNode(DCTERMS + "hasPart"), ox.NamedNode(g)))
    for g, n in (sizes or {}).items():
        count = ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        triples.append(ox.Triple(ox.NamedNode(g), ox.NamedNode(VOID + "triples"), count))
    if merged is not None:
        triples.append(ox.Triple(me, ox.NamedNode(SD + "defaultGraph"), ox.NamedNode(merged.union_graph)))
        for name, (holders, _) in merged.parts.items():
            for g in sorted(holders):
                triples.append(ox.Triple(ox.NamedNode(name), ox.NamedNode(DCTERMS + "isPartOf"), ox.NamedNode(g)))
    store.put_graph(PUBLICATION, _ntriples(triples))


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
