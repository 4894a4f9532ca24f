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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS

from ccmgraph import paths, search_index
from ccmgraph.build import periods
from ccmgraph.build.authoring import AuthoringError, Source, compile_workplan
from ccmgraph.build.ontology_docs import ontology_html
from ccmgraph.build.reason import infer
from ccmgraph.build.validate import Report, files_by_subject, validate
from ccmgraph.namespaces import (
    CCM,
    GRAPH,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    REFERENCE_GRAPH,
)

DIST_FILES = ("ccmgraph.trig", "ccmgraph.nq", "ccmgraph.ttl", "ccmgraph.jsonld")
COUNTED = (CCM.Objective, CCM.Activity, CCM.ExpectedOutput, CCM.Outcome, CCM.TimelineEntry,
           CCM.ActionAlignment, CCM.Evidence)


class BuildError(Exception):
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
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    @property
    def inferred(self) -> Graph:
        return self.graphs[INFERRED_GRAPH]

    def counts(self) -> dict[str, dict[str, int]]:
        """Instances of the main classes per work-plan graph."""
        out = {}
        for name, g in self.graphs.items():
            if name in (ONTOLOGY_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH):
                continue
            out[self.files[name].name] = {
                str(c).rsplit("#", 1)[-1]: len(set(g.subjects(RDF.type, c))) for c in COUNTED}
        return out


def parse(path: Path, into: Graph | None = None) -> Graph:
    g = into if into is not None else Graph()
    if not path.exists():
        raise BuildError(f"{path}: no such file")
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad syntax
        raise BuildError(f"{path}: Turtle syntax error: {exc}") from None
    return g


def _sources(parsed: dict[Path, Graph]) -> dict[URIRef, Source]:
    """Every source document the work-plan files declare, with its text (sha256 checked)."""
    out: dict[URIRef, Source] = {}
    for path, g in parsed.items():
        for doc in g.subjects(RDF.type, CCM.SourceDocument):
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
            out[doc] = Source(URIRef(doc), text_path, raw.decode("utf-8"))
    return out


def _default_source(path: Path, g: Graph, sources: dict[URIRef, Source]) -> Source:
    docs = [sources[d] for d in g.subjects(RDF.type, CCM.SourceDocument)]
    if len(docs) != 1:
        raise BuildError(f"{path}: a work-plan file declares exactly one ccm:SourceDocument, found {len(docs)}")
    if docs[0].path.stem != path.stem:
        raise BuildError(f"{path}: its stem must match its source text {docs[0].path.name}")
    return docs[0]


def assemble() -> tuple[dict[URIRef, Graph], dict[URIRef, Path]]:
    """Load and compile every input file into its named graph (no reasoning yet)."""
    # the ontology's RDF lists are blank nodes: label them canonically so dumps are stable
    graphs: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: to_canonical_graph(parse(paths.ONTOLOGY))}
    files: dict[URIRef, Path] = {ONTOLOGY_GRAPH: paths.ONTOLOGY}
    reference = Graph()
    for path in sorted(paths.REFERENCE.glob("*.ttl")):
        parse(path, reference)
    graphs[REFERENCE_GRAPH], files[REFERENCE_GRAPH] = reference, paths.REFERENCE
    parsed = {p: parse(p) for p in sorted(paths.WORKPLANS.glob("*.ttl"))}
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


def run(progress: Callable[[str], None] | None = None) -> Result:
    """Assemble, reason and validate; raise BuildError on bad input."""
    timings: dict[str, float] = {}
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
        shapes = parse(paths.SHAPES)
        data += graphs[INFERRED_GRAPH]
        report = validate(data, shapes, graphs[ONTOLOGY_GRAPH],
                          files_by_subject({files[n]: g for n, g in graphs.items() if n != INFERRED_GRAPH}))
    return Result(graphs, files, report, timings, _notes(graphs, files))


# ---------------------------------------------------------------- output

def _dataset(graphs: dict[URIRef, Graph]) -> Dataset:
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    for name in sorted(graphs):
        target = ds.graph(name)
        for t in graphs[name]:
            target.add(t)
    return ds


def _nquads(graphs: dict[URIRef, Graph]) -> str:
    """N-Quads, one statement a line, sorted (rdflib escapes; sorting makes it stable)."""
    text = _dataset(graphs).serialize(format="nquads")
    return "".join(sorted(set(text.splitlines(keepends=True))))


def _jsonld(union: Graph) -> str:
    context = json.loads(paths.CONTEXT.read_text(encoding="utf-8"))
    doc = json.loads(union.serialize(format="json-ld", context=context["@context"]))
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    doc = {"@context": context["@context"], "@graph": sorted(nodes, key=lambda n: n.get("@id", ""))}
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _key(term) -> tuple[str, str]:
    return (type(term).__name__, str(term))


def write(result: Result, dist: Path | None = None) -> dict[str, dict[str, object]]:
    """Write the dumps atomically: dist/ is replaced only once every file is written.

    Every dump is serialized from sorted statements, so the same input gives the same bytes.
    """
    dist = dist or paths.DIST
    nquads = _nquads(result.graphs)
    quads = sorted(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS),
                   key=lambda q: (_key(q.graph_name), _key(q.subject), _key(q.predicate), _key(q.object)))
    triples = sorted({q.triple for q in quads}, key=lambda t: (_key(t.subject), _key(t.predicate), _key(t.object)))
    union = Graph()
    for g in result.graphs.values():
        union += g
    dist.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=dist.parent))
    try:
        (tmp / "ccmgraph.nq").write_text(nquads, encoding="utf-8")
        (tmp / "ccmgraph.trig").write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES))
        (tmp / "ccmgraph.ttl").write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
        (tmp / "ccmgraph.jsonld").write_text(_jsonld(union), encoding="utf-8")
        (tmp / paths.ONTOLOGY_HTML).write_text(ontology_html(paths.ONTOLOGY), encoding="utf-8")
        search_index.write(quads, tmp / search_index.FILE)
        manifest = {name: {"bytes": (tmp / name).stat().st_size,
                           "sha256": hashlib.sha256((tmp / name).read_bytes()).hexdigest()}
                    for name in DIST_FILES}
        (tmp / "manifest.json").write_text(json.dumps({
            "files": manifest,
            "graphs": {str(n): len(g) for n, g in sorted(result.graphs.items())},
        }, indent=1, sort_keys=True) + "\n", encoding="utf-8")
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
    if not target.exists():
        return True
    built = target.stat().st_mtime
    inputs = [paths.ONTOLOGY, paths.SHAPES, paths.CONTEXT, *paths.REFERENCE.glob("*.ttl"),
              *paths.WORKPLANS.glob("*.ttl"), *paths.SOURCES.glob("*.txt")]
    return any(p.stat().st_mtime > built for p in inputs if p.exists())
