"""Build the dataset: ontology + reference data + curated work plans -> reasoned, validated dist/.

One named graph per source file (``graph/<stem>`` for a work plan, ``graph/reference`` for
the reference files together, ``graph/ontology``), and the OWL-RL entailments in
``graph/inferred``. When validation fails nothing is written and the previous dist/ stays.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS

from ccmgraph import disk_store, errors, files, paths, search_index, source_records
from ccmgraph.files import parse_turtle
from ccmgraph.namespaces import (
    CCM,
    GRAPH,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    REFERENCE_GRAPH,
    curie,
)
from ccmgraph.pipeline import inputs, periods
from ccmgraph.pipeline.authoring import AuthoringError, Source, compile_workplan
from ccmgraph.pipeline.ontology_docs import ontology_html
from ccmgraph.pipeline.oxigraph_terms import converter, quads_in
from ccmgraph.pipeline.reason import as_typed, infer
from ccmgraph.pipeline.validate import Report, validate

DIST_FILES = ("ccmgraph.trig", "ccmgraph.nq", "ccmgraph.ttl", "ccmgraph.jsonld")
COUNTED = (
    CCM.Objective,
    CCM.Activity,
    CCM.ExpectedOutput,
    CCM.Outcome,
    CCM.TimelineEntry,
    CCM.ActionAlignment,
    CCM.Evidence,
)


class BuildError(errors.DataError):
    """Input that cannot be built; the message names the file (and line where known)."""


@dataclass
class Note:
    subject: str
    label: str
    note: str
    file: str


@dataclass
class Result:
    graphs: dict[URIRef, Graph]
    files: dict[URIRef, Path]
    report: Report
    quads: list[ox.Quad]  # the statements of ``graphs`` for Oxigraph, converted once (validation, dumps)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # sha256 of what was read (see ``inputs``)
    validated: str = "all"  # what SHACL checked: "all", or the changed work plans only

    @property
    def inferred(self) -> Graph:
        return self.graphs[INFERRED_GRAPH]

    def counts(self) -> dict[str, dict[str, int]]:
        """Instances of the main classes per work-plan graph."""
        out = {}
        for name, g in self.graphs.items():
            if name in (ONTOLOGY_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH):
                continue
            out[self.files[name].name] = {str(c).rsplit("#", 1)[-1]: len(set(g.subjects(RDF.type, c))) for c in COUNTED}
        return out


def _sources(parsed: dict[Path, Graph]) -> dict[URIRef, Source]:
    """Every source document the work-plan files declare, with its text (sha256 checked)."""
    out: dict[URIRef, Source] = {}
    for path, g in parsed.items():
        for doc in g.subjects(RDF.type, CCM.SourceDocument):
            if not isinstance(doc, URIRef):
                raise BuildError(f"{path}: a source document must be named by an IRI, not {doc!r}")
            name = g.value(doc, CCM.fileName)
            if name is None:
                raise BuildError(f"{path}: source document {doc} has no ccm:fileName")
            text_path = paths.SOURCES / str(name)
            if not text_path.exists():
                raise BuildError(f"{path}: source text {text_path} does not exist")
            raw = text_path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            stated = g.value(doc, CCM.sha256)
            if stated is not None and str(stated) != digest:
                raise BuildError(f"{path}: {text_path.name} has sha256 {digest}, the file states {stated}")
            _check_received(path, g, doc, text_path)
            out[doc] = Source(doc, text_path, files.decode(text_path, raw))
    return out


def _check_received(path: Path, g: Graph, doc: URIRef, text_path: Path) -> None:
    """The received file's sha256 a source document states is the one ingest recorded for it."""
    stated = g.value(doc, CCM.originalSha256)
    record = source_records.read(text_path)
    if stated is not None and record is not None and str(stated) != record.originalSha256:
        raise BuildError(
            f"{path}: ccm:originalSha256 {stated} is not the received file's sha256 that "
            f"{text_path.with_suffix('.json').name} records ({record.originalSha256})"
        )


def _default_source(path: Path, g: Graph, sources: dict[URIRef, Source]) -> Source:
    # _sources has checked that every source document is named by an IRI
    docs = [sources[d] for d in g.subjects(RDF.type, CCM.SourceDocument) if isinstance(d, URIRef)]
    if len(docs) != 1:
        raise BuildError(f"{path}: a work-plan file declares exactly one ccm:SourceDocument, found {len(docs)}")
    if docs[0].path.stem != path.stem:
        raise BuildError(f"{path}: its stem must match its source text {docs[0].path.name}")
    return docs[0]


def assemble() -> tuple[dict[URIRef, Graph], dict[URIRef, Path]]:
    """Load and compile every input file into its named graph (no reasoning yet)."""
    # the ontology's RDF lists are blank nodes: label them canonically so dumps are stable
    graphs: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: to_canonical_graph(parse_turtle(paths.ONTOLOGY))}
    files: dict[URIRef, Path] = {ONTOLOGY_GRAPH: paths.ONTOLOGY}
    reference = Graph()
    for path in sorted(paths.REFERENCE.glob("*.ttl")):
        parse_turtle(path, reference)
    graphs[REFERENCE_GRAPH], files[REFERENCE_GRAPH] = reference, paths.REFERENCE
    parsed = {p: parse_turtle(p) for p in sorted(paths.WORKPLANS.glob("*.ttl"))}
    sources = _sources(parsed)
    for path, g in parsed.items():
        try:
            compile_workplan(g, path, _default_source(path, g, sources), sources)
        except AuthoringError as exc:
            raise BuildError(str(exc)) from None
        graphs[GRAPH[path.stem]], files[GRAPH[path.stem]] = g, path
    used = set()
    for g in graphs.values():
        used |= periods.used_in(g)
    for iri in sorted(used):
        try:
            reference += periods.describe(iri)
        except periods.PeriodError as exc:
            users = [str(files[n]) for n, g in graphs.items() if (None, None, iri) in g]
            raise BuildError(f"{', '.join(users)}: {exc}") from None
    return graphs, files


def _notes(graphs: dict[URIRef, Graph], files: dict[URIRef, Path]) -> list[Note]:
    out = []
    for name, g in graphs.items():
        if name == ONTOLOGY_GRAPH:
            continue
        for s, note in g.subject_objects(CCM.curationNote):
            out.append(Note(str(s), str(g.value(s, RDFS.label) or ""), str(note), files[name].name))
    return sorted(out, key=lambda n: (n.file, n.subject, n.note))


@contextmanager
def _stage(timings: dict[str, float], name: str, progress: Callable[[str], None] | None) -> Iterator[None]:
    if progress:
        progress(f"{name}...")
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def run(progress: Callable[[str], None] | None = None, since: Path | None = None) -> Result:
    """Assemble, reason and validate; raise BuildError on bad input.

    ``since``: a dist/ written by an earlier build; SHACL then checks only the work plans whose
    inputs changed since (see ``inputs``). Without it, everything is validated.
    """
    timings: dict[str, float] = {}
    now = inputs.hashes()
    stale = None if since is None else inputs.changed_plans(inputs.previous(since), now)
    with _stage(timings, "load", progress):
        graphs, files = assemble()
    with _stage(timings, "reason", progress):
        data = Graph()
        for name, g in graphs.items():
            if name != ONTOLOGY_GRAPH:
                data += g
        graphs[INFERRED_GRAPH] = infer(graphs[ONTOLOGY_GRAPH], data)
        files[INFERRED_GRAPH] = Path("(inferred)")
    with _stage(timings, "validate", progress):
        shapes = parse_turtle(paths.SHAPES)
        data += as_typed(graphs[ONTOLOGY_GRAPH], data, graphs[INFERRED_GRAPH])
        # every node a changed plan names, objects too: a shape may target what the plan points to
        focus = None if stale is None else {n for stem in stale for n in graphs[GRAPH[stem]].all_nodes()}
        quads = _as_quads(graphs)
        report = validate(
            data,
            shapes,
            graphs[ONTOLOGY_GRAPH],
            {files[n]: g for n, g in graphs.items() if n != INFERRED_GRAPH},
            focus,
            quads,
        )
    validated = "all" if stale is None else f"{len(stale)} changed work plan(s)"
    return Result(graphs, files, report, quads, timings, _notes(graphs, files), now, validated)


# ---------------------------------------------------------------- output


def _serialize(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """``ox.serialize`` into bytes: given no output it returns them (its signature says ``bytes | None``)."""
    data = ox.serialize(statements, format=fmt, prefixes=prefixes)
    assert data is not None
    return data


def _sorted_lines(text: bytes) -> bytes:
    return b"".join(sorted(set(text.splitlines(keepends=True))))


def _as_quads(graphs: dict[URIRef, Graph]) -> list[ox.Quad]:
    """Every statement of every named graph, as an Oxigraph quad in that graph."""
    convert = converter()
    return [quad for name, g in graphs.items() for quad in quads_in(ox.NamedNode(str(name)), g, convert)]


def _shrink(iri: str) -> str:
    return curie(iri, keep_ids=True) or iri


def _compact(value: dict) -> object:
    """One expanded JSON-LD value, compacted with the prefix-only context."""
    if "@id" in value:
        return {"@id": _shrink(value["@id"])}
    if "@type" in value:
        return {"@type": _shrink(value["@type"]), "@value": value["@value"]}
    if "@language" in value:
        return value
    return value["@value"]


def _jsonld(triples: list[ox.Triple]) -> str:
    """JSON-LD compacted with ontology/context.jsonld: pyoxigraph writes expanded JSON-LD,
    the context's prefixes shorten the IRIs (the context defines prefixes only), sorted."""
    context = json.loads(paths.CONTEXT.read_text(encoding="utf-8"))["@context"]
    nodes = []
    for expanded in json.loads(_serialize(triples, ox.RdfFormat.JSON_LD)):
        node: dict[str, object] = {"@id": _shrink(expanded.pop("@id"))}
        for key, values in expanded.items():
            compacted: list[object]
            if key == str(RDF.type) or key == "@type":
                compacted = [_shrink(v["@id"] if isinstance(v, dict) else v) for v in values]
                key = "@type"
            else:
                compacted = [_compact(v) for v in values]
                key = _shrink(key)
            if len(compacted) > 1:
                compacted.sort(key=lambda v: json.dumps(v, sort_keys=True))
            node[key] = compacted[0] if len(compacted) == 1 else compacted
        nodes.append(node)
    # one node a line: json's C encoder writes each (an indented dump takes its slow Python one)
    graph = ",\n".join(
        json.dumps(node, sort_keys=True, ensure_ascii=False) for node in sorted(nodes, key=lambda n: str(n["@id"]))
    )
    head = json.dumps(context, indent=1, sort_keys=True, ensure_ascii=False)
    return f'{{"@context": {head},\n"@graph": [\n{graph}\n]}}\n'


def _ontology_html(previous: Path, digest: str) -> str:
    """pyLODE's page, reused from the previous dist/ when the ontology has not changed."""
    try:
        manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("ontology_sha256") == digest:
            return (previous / paths.ONTOLOGY_HTML).read_text(encoding="utf-8")
    except (OSError, ValueError):
        pass
    return ontology_html(paths.ONTOLOGY)


def write(result: Result, dist: Path | None = None) -> dict[str, dict[str, object]]:
    """Write the dumps atomically: dist/ is replaced only once every file is written.

    Every dump is serialized from sorted statements, so the same input gives the same bytes.
    """
    dist = dist or paths.DIST
    # N-Quads one a line, sorted: the order every dump is written in (sorting lines is cheap and
    # stable, whatever the parsers' blank-node labels)
    nquads = _sorted_lines(_serialize(result.quads, ox.RdfFormat.N_QUADS))
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    ntriples = _sorted_lines(_serialize([q.triple for q in quads], ox.RdfFormat.N_TRIPLES))
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    ontology_digest = hashlib.sha256(paths.ONTOLOGY.read_bytes()).hexdigest()
    dist.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=dist.parent))
    try:
        (tmp / "ccmgraph.nq").write_bytes(nquads)
        disk_store.write(tmp)  # what the server opens, instead of parsing the dump
        (tmp / "ccmgraph.trig").write_bytes(_serialize(quads, ox.RdfFormat.TRIG, PREFIXES))
        (tmp / "ccmgraph.ttl").write_bytes(_serialize(triples, ox.RdfFormat.TURTLE, PREFIXES))
        (tmp / "ccmgraph.jsonld").write_text(_jsonld(triples), encoding="utf-8")
        (tmp / paths.ONTOLOGY_HTML).write_text(_ontology_html(dist, ontology_digest), encoding="utf-8")
        search_index.write(quads, tmp / search_index.FILE)
        manifest = {
            name: {
                "bytes": (tmp / name).stat().st_size,
                "sha256": hashlib.sha256((tmp / name).read_bytes()).hexdigest(),
            }
            for name in DIST_FILES
        }
        (tmp / "manifest.json").write_text(
            json.dumps(
                {
                    "files": manifest,
                    "graphs": {str(n): len(g) for n, g in sorted(result.graphs.items())},
                    "ontology_sha256": ontology_digest,
                    "inputs": result.inputs,
                },
                indent=1,
                sort_keys=True,
            )
            + "\n",
            encoding="utf-8",
        )
        old = dist.with_name(dist.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if dist.exists():
            dist.rename(old)
        tmp.rename(dist)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def is_stale(dist: Path | None = None) -> bool:
    """True when dist/ is missing or older than any input file."""
    dist = dist or paths.DIST
    target = dist / "ccmgraph.nq"
    if not target.exists() or not (dist / disk_store.DIRECTORY / disk_store.STAMP).exists():
        return True
    built = target.stat().st_mtime
    return any(p.stat().st_mtime > built for p in inputs.files() if p.exists())
