"""SHACL validation with pySHACL, reported so that a curator can find the problem.

pySHACL parses a SPARQL-based constraint's query again for every focus node (900 parses of
the evidence check alone: 90% of a build's validation time). So the shapes are split: the
core constraints go to pySHACL (no advanced features), and each ``sh:SPARQLConstraint``
query is run once over the data, by Oxigraph (rdflib's SPARQL engine took two seconds for
what Oxigraph does in a tenth), its ``$this`` solutions kept when they are targets of the
shape. The queries in ontology/shapes.ttl are plain basic-graph-pattern queries for which
running them unbound equals running them once per pre-bound ``$this``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ccmgraph.pipeline.oxigraph_terms import converter, quads_in


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str
    severity: str
    files: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = ", ".join(self.files) or "(no data file)"
        return (
            f"{where}: {self.severity} on {self.focus}\n"
            f"    path: {self.path or '-'}\n    shape: {self.shape}\n    {self.message}"
        )


@dataclass
class Report:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def __str__(self) -> str:
        if self.conforms:
            return "SHACL: conforms"
        return f"SHACL: {len(self.violations)} violation(s)\n" + "\n".join(str(v) for v in self.violations)


def _short(node) -> str:
    return "" if node is None else (node.n3() if not isinstance(node, URIRef) else f"<{node}>")


def _split(shapes: Graph) -> tuple[Graph, list[tuple[Node, Node]]]:
    """The shapes without their SPARQL constraints, and those constraints as (shape, constraint)."""
    core = Graph()
    sparql = list(shapes.subject_objects(SH.sparql))
    skip = {c for _, c in sparql}
    for t in shapes:
        if t[1] != SH.sparql and t[0] not in skip:
            core.add(t)
    return core, sparql


def _targets(data: Graph, shapes: Graph, shape: Node) -> set[Node]:
    out: set[Node] = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        classes = {cls, *data.transitive_subjects(RDFS.subClassOf, cls)}
        for c in classes:
            out |= set(data.subjects(RDF.type, c))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        out |= set(data.subjects(p, None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        out |= set(data.objects(None, p))
    return out


def _sparql_violations(
    data: Graph,
    shapes: Graph,
    constraints: Iterable[tuple[Node, Node]],
    focus: set[Node] | None,
    quads: Iterable[ox.Quad] | None,
) -> list[dict]:
    convert = converter()
    store = ox.Store()
    if quads is None:  # one graph of its own: the queries read the union of the named graphs
        quads = quads_in(ox.NamedNode("urn:ccmgraph:validated"), data, convert)
    store.bulk_extend(quads)
    found = []
    for shape, constraint in constraints:
        targets = _targets(data, shapes, shape)
        if focus is not None:
            targets &= focus
        wanted = {convert(node): node for node in targets}
        message = shapes.value(constraint, SH.message)
        solutions = store.query(str(shapes.value(constraint, SH.select)), use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT query answers solutions
        for solution in solutions:
            if (node := wanted.get(solution["this"])) is not None:
                found.append(
                    {"focus": node, "path": None, "message": message, "shape": shape, "severity": SH.Violation}
                )
    return found


def validate(
    data: Graph,
    shapes: Graph,
    ontology: Graph,
    graphs_by_file: Mapping[Path, Graph] | None = None,
    focus: set[Node] | None = None,
    quads: Iterable[ox.Quad] | None = None,
) -> Report:
    """Validate ``data`` (asserted + inferred triples) against ``shapes``.

    ``data`` is changed in place: the ontology is added to it (the shapes check individuals
    it defines, such as the alignment bases). ``graphs_by_file``: the data files and their
    graphs, so that the report names the files that describe a failing node. ``focus``:
    validate only these nodes (those a shape targets among them); an empty set validates
    nothing; None validates everything.
    ``quads``: the same statements (the ontology's included) for Oxigraph, when the caller has
    them already; otherwise ``data`` is converted.
    """
    from pyshacl import validate as shacl_validate  # a second's import only validation needs

    if focus is not None and not focus:
        return Report(conforms=True)
    data += ontology
    core, sparql = _split(shapes)
    _, results, _ = shacl_validate(
        data,
        shacl_graph=core,
        inference="none",
        inplace=True,
        focus_nodes=None if focus is None else sorted(map(str, focus)),  # pyshacl takes IRIs as strings
        advanced=False,
        allow_warnings=False,
        abort_on_first=False,
    )
    found = [
        {
            "focus": results.value(r, SH.focusNode),
            "path": results.value(r, SH.resultPath),
            "message": results.value(r, SH.resultMessage),
            "shape": results.value(r, SH.sourceShape),
            "severity": results.value(r, SH.resultSeverity),
            "value": results.value(r, SH.value),
        }
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]
    found += _sparql_violations(data, shapes, sparql, focus, quads)
    violations = [
        Violation(
            focus=_short(f["focus"]),
            path=_short(f["path"]),
            message=str(f["message"] or ""),
            shape=_short(f["shape"]),
            severity=str(f["severity"]).rsplit("#", 1)[-1],
            files=_where(graphs_by_file or {}, f["focus"], f["path"], f.get("value")),
        )
        for f in found
    ]
    violations.sort(key=lambda v: (v.files, v.focus, v.path, v.message))
    return Report(conforms=not violations, violations=violations)


def _where(graphs: Mapping[Path, Graph], focus: Node, path: Node | None, value: Node | None) -> tuple[str, ...]:
    """The curated files, with the line, of the statement that caused a violation: the one with
    the shape's path from the focus node (to the offending value) when the shape has a path,
    else the files that describe the focus node. A file is named with its line (``file:line``)
    where the statement can be found in it; a directory (data/reference) without one."""
    out = []
    for file, g in graphs.items():
        if path is not None and isinstance(path, URIRef):
            if (focus, path, value) not in g if value is not None else (focus, path, None) not in g:
                continue
            line = _line(file, (value if value is not None else focus), path)
        elif (focus, None, None) in g:
            line = _line(file, focus, None)
        else:
            continue
        out.append(f"{file}:{line}" if line else str(file))
    return tuple(sorted(out))


def _local(node: Node) -> str:
    return re.split(r"[/#]", str(node))[-1]


@cache
def _lines(file: Path) -> tuple[str, ...]:
    return tuple(file.read_text(encoding="utf-8").splitlines()) if file.is_file() else ()


def _line(file: Path, node: Node, predicate: Node | None) -> int | None:
    """The first line naming ``node`` (its local name as a whole token), preferring one that also
    names ``predicate``; with no predicate, the line that opens the node's description."""
    if not isinstance(node, URIRef):
        return None
    token = re.compile(rf"(?<![\w-]){re.escape(_local(node))}(?![\w-])")
    lines = _lines(file)
    named = [i for i, text in enumerate(lines, 1) if token.search(text)]
    if predicate is not None:
        preferred = [i for i in named if _local(predicate) in lines[i - 1]]
    else:
        preferred = [i for i in named if not lines[i - 1][:1].isspace()]
    return next(iter(preferred or named), None)
