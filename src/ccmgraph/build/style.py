"""The layout convention of the curated files, applied (``ccmgraph format``) and checked (``--check``).

The layout is turtlefmt's (a Turtle formatter from PyPI, by Oxigraph's author: it works on
tokens, so comments and the lexical form of every literal survive), on top of which this
module applies the project's own rules:

- one prefix block: the standard prefixes of data/README.md, plus one prefix per kind of
  element of the file's plan named by the kind (``objective:``, ``activity:``...), and
  ``<kind>-<plan key>:`` for another plan's elements; any other prefix is written out as full
  IRIs (names are renamed throughout the file, outside strings, IRIs and comments);
- a quote (``ccm:quote``, ``ccm:quoteContext``) longer than a line is wrapped into a
  triple-quoted string: a quote matches its source whatever the whitespace, so this changes
  nothing the build produces.

``format_file`` refuses to write when the file's graph would change (beyond the whitespace
of quotes). ``check_file`` lists, with file and line, what is off the convention, including
the triples the build derives (``ccm:partOf``, ``ccm:position``, the plan's ``ccm:has...``).
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from ccmgraph.namespaces import CCM, ID

STANDARD = {
    "ccm": "https://w3id.org/ccmgraph/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "oa": "http://www.w3.org/ns/oa#",
    "source": f"{ID}source/",
    "state": f"{ID}state/",
    "orgid": f"{ID}org/",
    "wg": f"{ID}working-group/",
    "lap": f"{ID}lap-action/",
    "article": f"{ID}article/",
    "treaty": f"{ID}treaty/",
    "meeting": f"{ID}meeting/",
    "doc": f"{ID}document/",
    "period": f"{ID}period/",
}
QUOTE_WIDTH = 72  # longer quotes are wrapped into triple-quoted strings
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
_PREFIX = re.compile(r"^@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.\s*$", re.MULTILINE)
# a token of Turtle that may hold a prefixed name; strings, IRIs and comments are skipped whole
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^>\s]*>|#[^\n]*|(?<![\w:.-])([A-Za-z][\w.-]*)?:([\w.-]*[\w-])?"
)
_LONG_QUOTE = re.compile(r'(ccm:quote(?:Context)?\s+)"((?:[^"\\\n]|\\.)*)"')


class StyleError(ValueError):
    """A file that cannot be formatted; the message names it."""


def _turtlefmt() -> str:
    found = shutil.which("turtlefmt") or str(Path(sys.executable).with_name("turtlefmt"))
    if not Path(found).exists():
        raise StyleError("turtlefmt is not installed (pip install turtlefmt)")
    return found


def _plan_key(g: Graph) -> str | None:
    plan = next(g.subjects(RDF.type, CCM.WorkPlan), None)
    return str(plan).removeprefix(f"{ID}workplan/") if plan is not None else None


def wanted_name(iri: str, plan_key: str | None) -> str | None:
    """The convention's prefix name for a namespace, or None when it is written as full IRIs."""
    for name, ns in STANDARD.items():
        if iri == ns:
            return name
    if m := re.fullmatch(re.escape(f"{ID}workplan/") + r"([\w.-]+)/([a-z-]+)/", iri):
        return m[2] if m[1] == plan_key else f"{m[2]}-{m[1]}"
    return None


def _parse(text: str, where: Path) -> Graph:
    try:
        return Graph().parse(data=text, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad syntax
        raise StyleError(f"{where}: Turtle syntax error: {exc}") from None


def _rename(text: str, renames: dict[str, str | None], declared: dict[str, str]) -> str:
    """Prefixed names of renamed prefixes, rewritten (to a full IRI when the name is None)."""

    def replace(m: re.Match[str]) -> str:
        if m.group(0)[0] in "\"'<#" or (m.group(0) == ":" and m.group(1) is None and m.group(2) is None):
            return m.group(0)
        prefix, local = m.group(1) or "", m.group(2) or ""
        if prefix not in renames:
            return m.group(0)
        new = renames[prefix]
        return f"{new}:{local}" if new is not None else f"<{declared[prefix]}{local}>"

    return _TOKENS.sub(replace, text)


def _wrap_quotes(text: str, width: int = QUOTE_WIDTH) -> str:
    def wrap(m: re.Match[str]) -> str:
        body = m.group(2)
        if len(body) <= width:
            return m.group(0)
        lines, current = [], ""
        for word in body.split(" "):
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
        if lines[-1].endswith('"'):
            return m.group(0)
        return m.group(1) + '"""' + "\n        ".join(lines) + '"""'

    return _LONG_QUOTE.sub(wrap, text)


def _layout(text: str) -> str:
    """turtlefmt's layout of ``text`` (it reads and writes files, so a temporary one)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.ttl"
        path.write_text(text, encoding="utf-8")
        run = subprocess.run([_turtlefmt(), str(path)], capture_output=True, text=True)
        if run.returncode != 0:
            raise StyleError(run.stderr.strip() or run.stdout.strip())
        return path.read_text(encoding="utf-8").lstrip(" ")


def _normalised(g: Graph) -> Graph:
    out = Graph()
    for s, p, o in g:
        if p in (CCM.quote, CCM.quoteContext) and isinstance(o, Literal):
            o = Literal(" ".join(str(o).split()), lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out


def formatted(text: str, where: Path) -> str:
    """``text`` in the convention (raises StyleError when that would change its graph)."""
    before = _parse(text, where)
    key = _plan_key(before)
    declared = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    renames = {name: wanted_name(iri, key) for name, iri in declared.items() if wanted_name(iri, key) != name}
    body = _rename(_PREFIX.sub("", text), renames, declared)
    wanted = dict(STANDARD)
    for iri in declared.values():
        new = wanted_name(iri, key)
        if new is not None:
            wanted[new] = iri
    head, rest = re.match(r"((?:[ \t]*#[^\n]*\n)*)(.*)", body, re.DOTALL).groups()  # type: ignore[union-attr]
    block = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in wanted.items())
    result = _layout(head + block + "\n" + _wrap_quotes(rest.lstrip("\n")))
    if not isomorphic(_normalised(before), _normalised(_parse(result, where))):
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
    g = _parse(text, path)
    key = _plan_key(g)
    problems = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if m := _PREFIX.match(line):
            want = wanted_name(m.group(2), key)
            if want != (m.group(1) or ""):
                problems.append(
                    f"{path}:{number}: prefix {m.group(1) or ''}: should be "
                    + (f"{want}:" if want else "written as full IRIs")
                )
        elif any(len(q.group(2)) > QUOTE_WIDTH for q in _LONG_QUOTE.finditer(line)):
            problems.append(f"{path}:{number}: a quote of more than {QUOTE_WIDTH} characters on one line")
        else:
            code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line.split(" #", 1)[0])
            for term in DERIVED:
                if re.search(rf"(?<![\w:]){re.escape(term)}(?![\w])", code):
                    problems.append(f"{path}:{number}: {term} is derived by the build; drop it")
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
