"""SHACL validation with pySHACL, reported so that a curator can find the problem.

pySHACL parses a SPARQL-based constraint's query again for every focus node (900 parses of
the evidence check alone: 90% of a build's validation time). So the shapes are split: the
core constraints go to pySHACL (no advanced features), and each ``sh:SPARQLConstraint``
query is prepared once and run once over the data, its ``$this`` solutions kept when they
are targets of the shape. The queries in ontology/shapes.ttl are plain basic-graph-pattern
queries for which running them unbound equals running them once per pre-bound ``$this``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef, Variable
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import ResultRow
from rdflib.term import Node


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
    data: Graph, shapes: Graph, constraints: Iterable[tuple[Node, Node]], focus: set[Node] | None = None
) -> list[dict]:
    found = []
    for shape, constraint in constraints:
        query = prepareQuery(str(shapes.value(constraint, SH.select)))
        targets = _targets(data, shapes, shape)
        if focus is not None:
            targets &= focus
        message = shapes.value(constraint, SH.message)
        for row in data.query(query):
            assert isinstance(row, ResultRow)  # a SELECT query answers rows
            node = row[Variable("this")]
            if node in targets:
                found.append(
                    {"focus": node, "path": None, "message": message, "shape": shape, "severity": SH.Violation}
                )
    return found


def validate(
    data: Graph,
    shapes: Graph,
    ontology: Graph,
    files_of: Mapping[Node, tuple[str, ...]] | None = None,
    focus: set[Node] | None = None,
) -> Report:
    """Validate ``data`` (asserted + inferred triples) against ``shapes``.

    ``data`` is changed in place: the ontology is added to it (the shapes check individuals
    it defines, such as the alignment bases). ``files_of`` maps a focus node to the data
    files that describe it, for the report. ``focus``: validate only these nodes (those a
    shape targets among them); an empty set validates nothing; None validates everything.
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
        }
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]
    found += _sparql_violations(data, shapes, sparql, focus)
    violations = [
        Violation(
            focus=_short(f["focus"]),
            path=_short(f["path"]),
            message=str(f["message"] or ""),
            shape=_short(f["shape"]),
            severity=str(f["severity"]).rsplit("#", 1)[-1],
            files=tuple((files_of or {}).get(f["focus"], ())),
        )
        for f in found
    ]
    violations.sort(key=lambda v: (v.files, v.focus, v.path, v.message))
    return Report(conforms=not violations, violations=violations)


def files_by_subject(graphs: Mapping[Path, Graph]) -> dict[Node, tuple[str, ...]]:
    out: dict[Node, list[str]] = {}
    for path, g in graphs.items():
        for s in set(g.subjects()):
            out.setdefault(s, []).append(str(path))
    return {k: tuple(sorted(v)) for k, v in out.items()}
