"""The layout convention of the curated files, applied (``ccmgraph format``) and checked (``--check``).

The layout is turtlefmt's (a Turtle formatter from PyPI, by Oxigraph's author: it works on
tokens, so comments and the lexical form of every literal survive), on top of which this
module applies the project's own rules:

- one prefix block: the standard prefixes of data/README.md, plus one prefix per kind of
  element of the file's plan named by the kind (``objective:``, ``activity:``...), and
  ``<kind>-<plan key>:`` for another plan's elements; any other prefix is written out as full
  IRIs (names are renamed throughout the file, outside strings, IRIs and comments);
- no line longer than :data:`~ccmgraph.curation.line_breaks.WIDTH` where Turtle lets it break
  (:mod:`ccmgraph.curation.line_breaks`): a quote or a note, whose whitespace means nothing to the
  build (``FREE_WHITESPACE``), is wrapped into a triple-quoted string of short lines.

``format_file`` refuses to write when the file's graph would change (beyond the whitespace
of quotes and notes). ``check_file`` lists, with file and line, what is off the convention, including
the triples the build derives (``ccm:partOf``, ``ccm:position``, the plan's ``ccm:has...``).
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF

from ccmgraph import errors
from ccmgraph.curation.line_breaks import break_lines
from ccmgraph.curation.turtle_tokens import TOKEN, tokens
from ccmgraph.namespaces import CCM, CURATED, ID
from ccmgraph.pipeline.authoring import FREE_WHITESPACE

DERIVED = (
    "ccm:partOf",
    "ccm:position",
    "ccm:hasObjective",
    "ccm:hasActivity",
    "ccm:hasExpectedOutput",
    "ccm:hasOutcome",
    "ccm:hasTimelineEntry",
    "ccm:hasBudget",
)
_LOCAL = re.compile(r"[A-Za-z0-9_-](?:[\w.-]*[\w-])?")  # a local name with nothing to escape
_PREFIX = re.compile(r"^@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.\s*$", re.MULTILINE)


class StyleError(errors.DataError):
    """A file that cannot be formatted; the message names it."""


def _turtlefmt() -> str:
    found = shutil.which("turtlefmt") or str(Path(sys.executable).with_name("turtlefmt"))
    if not Path(found).exists():
        raise StyleError("turtlefmt is not installed (pip install turtlefmt)")
    return found


_RDF_TYPE, _WORK_PLAN = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(CCM.WorkPlan))


def _plan_key(quads: list[ox.Quad]) -> str | None:
    plan = next((q.subject for q in quads if q.predicate == _RDF_TYPE and q.object == _WORK_PLAN), None)
    return plan.value.removeprefix(f"{ID}workplan/") if isinstance(plan, ox.NamedNode) else None


def wanted_name(iri: str, plan_key: str | None) -> str | None:
    """The convention's prefix name for a namespace, or None when it is written as full IRIs."""
    for name, ns in CURATED.items():
        if iri == ns:
            return name
    if m := re.fullmatch(re.escape(f"{ID}workplan/") + r"([\w.-]+)/([a-z-]+)/", iri):
        return m[2] if m[1] == plan_key else f"{m[2]}-{m[1]}"
    return None


def _parse(text: str, where: Path) -> list[ox.Quad]:
    try:
        return list(ox.parse(text.encode(), ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise StyleError(f"{where}: Turtle syntax error: {exc}") from None


def _rename(text: str, renames: dict[str, str | None], declared: dict[str, str], prefixes: dict[str, str]) -> str:
    """Prefixed names of renamed prefixes, rewritten (to a full IRI when the name is None), and
    full IRIs under one of ``prefixes`` written as prefixed names."""

    def replace(m: re.Match[str]) -> str:
        if m.lastgroup == "iri":
            for name, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
                local = m.group(0)[1:-1].removeprefix(ns)
                if local != m.group(0)[1:-1] and _LOCAL.fullmatch(local):
                    return f"{name}:{local}"
        elif m.lastgroup == "pname" and (prefix := m["prefix"] or "") in renames:
            new = renames[prefix]
            return f"{new}:{m['local'] or ''}" if new is not None else f"<{declared[prefix]}{m['local'] or ''}>"
        return m.group(0)

    return TOKEN.sub(replace, text)


def _layout(text: str) -> str:
    """turtlefmt's layout of ``text`` (it reads and writes files, so a temporary one)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.ttl"
        path.write_text(text, encoding="utf-8")
        run = subprocess.run([_turtlefmt(), str(path)], capture_output=True, text=True)
        if run.returncode != 0:
            raise StyleError(run.stderr.strip() or run.stdout.strip())
        return path.read_text(encoding="utf-8").lstrip(" ")


def prefix_block(extra: Mapping[str, str]) -> str:
    """The convention's prefix block: the standard prefixes, then ``extra`` (a plan's kinds)."""
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in {**CURATED, **extra}.items())


def _canonical(parsed: list[ox.Quad]) -> ox.Dataset:
    """The graph, whitespace of quotes and notes collapsed, blank nodes canonical."""
    free = {ox.NamedNode(str(iri)) for iri in FREE_WHITESPACE}
    quads = []
    for quad in parsed:
        obj = quad.object
        if quad.predicate in free and isinstance(obj, ox.Literal):
            value = " ".join(obj.value.split())
            obj = ox.Literal(value, language=obj.language) if obj.language else ox.Literal(value, datatype=obj.datatype)
            quad = ox.Quad(quad.subject, quad.predicate, obj)
        quads.append(quad)
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def _names(iris: Iterable[str], prefixes: dict[str, str]) -> frozenset[str]:
    """How each IRI may be written in a file with these prefixes."""
    names = {f"<{iri}>" for iri in iris}
    names |= {f"{name}:{iri[len(ns) :]}" for iri in iris for name, ns in prefixes.items() if iri.startswith(ns)}
    return frozenset(names)


def formatted(text: str, where: Path) -> str:
    """``text`` in the convention (raises StyleError when that would change its graph)."""
    before = _parse(text, where)
    key = _plan_key(before)
    declared = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    renames = {name: wanted_name(iri, key) for name, iri in declared.items() if wanted_name(iri, key) != name}
    wanted = dict(CURATED)
    for iri in declared.values():
        new = wanted_name(iri, key)
        if new is not None:
            wanted[new] = iri
    body = _rename(_PREFIX.sub("", text), renames, declared, wanted)
    head, rest = re.match(r"((?:[ \t]*#[^\n]*\n)*)(.*)", body, re.DOTALL).groups()  # type: ignore[union-attr]
    block = prefix_block(wanted)
    result = break_lines(_layout(head + block + "\n" + rest.lstrip("\n")), _names(FREE_WHITESPACE, wanted))
    if _canonical(before) != _canonical(_parse(result, where)):
        raise StyleError(f"{where}: formatting would change its graph; left as it is")
    return result


def format_file(path: Path) -> bool:
    """Rewrite ``path`` in the convention; True when it changed."""
    text = path.read_text(encoding="utf-8")
    new = formatted(text, path)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def check_file(path: Path) -> list[str]:
    """What is off the convention, one ``file:line: reason`` each (empty when the file conforms)."""
    text = path.read_text(encoding="utf-8")
    key = _plan_key(_parse(text, path))
    problems = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if (m := _PREFIX.match(line)) and (want := wanted_name(m.group(2), key)) != (m.group(1) or ""):
            problems.append(
                f"{path}:{number}: prefix {m.group(1) or ''}: should be "
                + (f"{want}:" if want else "written as full IRIs")
            )
    for m in tokens(text):
        if m.lastgroup == "pname" and m.group(0) in DERIVED:
            problems.append(
                f"{path}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)} is derived by the build; drop it"
            )
    if not problems:
        try:
            layout = formatted(text, path)
        except StyleError as exc:
            return [str(exc)]
        if layout != text:
            first = next(
                op for op in difflib.SequenceMatcher(None, lines, layout.splitlines()).get_opcodes() if op[0] != "equal"
            )
            problems.append(f"{path}:{first[1] + 1}: not in the formatter's layout (ccmgraph format)")
    return problems
