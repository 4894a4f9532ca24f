"""SHACL validation with pySHACL, reported so that a curator can find the problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH


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
        return (f"{where}: {self.severity} on {self.focus}\n"
                f"    path: {self.path or '-'}\n    shape: {self.shape}\n    {self.message}")


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


def validate(data: Graph, shapes: Graph, ontology: Graph,
             files_of: Mapping[URIRef, tuple[str, ...]] | None = None) -> Report:
    """Validate ``data`` (asserted + inferred triples) against ``shapes``.

    ``files_of`` maps a focus node to the data files that describe it, for the report.
    """
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        advanced=True, allow_warnings=False, abort_on_first=False,
    )
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        violations.append(Violation(
            focus=_short(focus),
            path=_short(results.value(result, SH.resultPath)),
            message=str(results.value(result, SH.resultMessage) or ""),
            shape=_short(results.value(result, SH.sourceShape)),
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            files=tuple((files_of or {}).get(focus, ())),
        ))
    violations.sort(key=lambda v: (v.files, v.focus, v.path, v.message))
    return Report(conforms=bool(conforms), violations=violations)


def files_by_subject(graphs: Mapping[Path, Graph]) -> dict[URIRef, tuple[str, ...]]:
    out: dict[URIRef, list[str]] = {}
    for path, g in graphs.items():
        for s in set(g.subjects()):
            out.setdefault(s, []).append(str(path))
    return {k: tuple(sorted(v)) for k, v in out.items()}
