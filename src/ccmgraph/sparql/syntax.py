"""The SPARQL text as people write it: predeclared prefixes, parse errors reworded, nesting.

- The project's prefixes (``namespaces.PREFIXES``, those the query page pre-fills) are
  predeclared for every query and update, as the Wikidata Query Service and Virtuoso do: a query
  may use ``ccm:`` or ``rdfs:`` without declaring them, and a prefix the query declares itself
  wins. The embedded engine takes them as parser defaults (``PREDECLARED``), so the user's text
  is parsed as written and line numbers in errors are the user's; a remote store gets the
  missing declarations prepended on the first line (``declare_prefixes``).
- ``explain`` rewords the parser's message ("error at 2:14: expected one of Prefix not found,
  ['%'], ...") for people: line, column, what was expected, the offending line with a caret and,
  for an undeclared prefix, the ``PREFIX`` line to add.
- ``check_nesting`` refuses a text nested too deeply for the parser, whose recursion would
  overflow the stack and kill the process (5,000 ``{`` do), before it reaches the engine.
"""

from __future__ import annotations

import re

from ccmgraph.errors import QuerySyntaxError
from ccmgraph.namespaces import DCAT, PREFIXES, SD, VOID
from ccmgraph.sparql.guard import tokens

PREDECLARED: dict[str, str] = dict(PREFIXES)
# prefixes people use whose namespace is certain: suggested when a query uses one undeclared
KNOWN_PREFIXES: dict[str, str] = {
    **PREDECLARED,
    "void": str(VOID),
    "dcat": str(DCAT),
    "sd": str(SD),
    "sh": "http://www.w3.org/ns/shacl#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "schema": "http://schema.org/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}
# deeper bracket nesting than this is refused (the parser overflows its stack at a few thousand)
MAX_NESTING = 256

_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_ITEM = re.compile(r"\"(?:[^\"\\]|\\.)*\"|\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]|[^,\[\]\"]+")
_OPEN, _CLOSE = "{([", "})]"
# a bracket, or what may hold one without it being one: a string, an IRI, a comment (as the guard reads them)
_BRACKET = re.compile(
    r"""
    '''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*"
  | <[^<>"{}|^`\\\x00-\x20]*> | \#[^\r\n]* | [{}()\[\]]
""",
    re.VERBOSE | re.DOTALL,
)


def declared_prefixes(text: str) -> set[str]:
    """The prefixes a query text declares itself."""
    out: set[str] = set()
    after_prefix = False
    for tok in tokens(text):
        if tok.kind in ("ws", "comment"):
            continue
        if after_prefix and tok.kind == "name" and tok.text.endswith(":"):
            out.add(tok.text[:-1])
        after_prefix = tok.kind == "name" and tok.text.casefold() == "prefix"
    return out


def declare_prefixes(text: str) -> str:
    """``text`` with the predeclared prefixes it does not declare itself added on its first line
    (so that line numbers stay the user's), for engines that do not know them."""
    declared = declared_prefixes(text)
    missing = "".join(f" PREFIX {p}: <{ns}>" for p, ns in PREDECLARED.items() if p not in declared)
    if not missing:
        return text
    # after the query's leading BASE declarations, if any: some engines (Virtuoso) want BASE first
    at, words = 0, [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    while len(words) >= 2 and words[0].text.casefold() == "base" and words[1].kind == "iri":
        at, words = words[1].start + len(words[1].text), words[2:]
    return f"{text[:at]}{missing} {text[at:]}".lstrip(" ")


def check_nesting(text: str) -> None:
    """QuerySyntaxError when brackets nest deeper than MAX_NESTING (outside strings, IRIs, comments)."""
    if sum(text.count(c) for c in _OPEN) <= MAX_NESTING:
        return  # cannot be that deep: the common case costs three counts
    depth = 0
    for m in _BRACKET.finditer(text):
        bracket = m.group()
        if bracket in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                line, column = _line_column(text, m.start())
                raise QuerySyntaxError(
                    f"The query is nested too deeply to parse: more than {MAX_NESTING} levels of brackets "
                    f"at line {line}, column {column}. Flatten it (fewer nested groups or parentheses)."
                    + _excerpt(text, line, column)
                )
        elif bracket in _CLOSE:
            depth = max(depth - 1, 0)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _excerpt(text: str, line: int, column: int) -> str:
    """The line, with a caret under the column (a window of it when the line is long)."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    shown, caret = lines[line - 1], column - 1
    if len(shown) > 120:
        start = max(0, min(caret - 60, len(shown) - 120))
        shown, caret = ("…" if start else "") + shown[start : start + 120], caret - start + (1 if start else 0)
    gutter = f"{line:>5} | "
    return f"\n\n{gutter}{shown}\n{' ' * (len(gutter) - 2)}| {' ' * max(caret, 0)}^"


def _expected(items: str) -> list[str]:
    """The readable alternatives of the parser's list (keywords and punctuation, not character classes)."""
    out = []
    for m in _ITEM.finditer(items):
        item = m.group().strip()
        if not item or item.startswith("["):
            continue
        if item.startswith('"'):
            item = f"'{item[1:-1]}'"  # punctuation, quoted as people read it
        if item not in out and item not in ("Prefix not found", "IRI parsing failed"):
            out.append(item)
    return out


def _undeclared_prefix(text: str, offset: int) -> tuple[str, int] | None:
    """The undeclared prefix of the prefixed name that ends nearest before ``offset``, and its offset."""
    known = declared_prefixes(text) | set(PREDECLARED)
    found = None
    for tok in tokens(text):
        if tok.start > offset:
            break
        if tok.kind == "name" and ":" in tok.text and not tok.text.startswith("_:"):
            prefix = tok.text.split(":", 1)[0]
            if prefix not in known and prefix.casefold() != "prefix":
                found = (prefix, tok.start)
    return found


def explain(text: str, message: str, what: str = "query") -> str:
    """The engine's syntax error reworded for people (see the module docstring)."""
    if text.startswith("\ufeff"):
        return (
            f"Malformed {what}: it starts with a byte-order mark (U+FEFF), which SPARQL does not allow; "
            "save it without one (UTF-8 without BOM)"
        )
    m = _POSITION.search(message)
    if not m:
        return f"Malformed {what}: {message}"
    line, byte_column, items = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.split("\n")
    column = byte_column
    if 1 <= line <= len(lines):  # the parser counts bytes; people count characters
        column = len(lines[line - 1].encode("utf-8")[: byte_column - 1].decode("utf-8", "ignore")) + 1
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
    # the engine says "Prefix not found" for a prefixed name in object position, and "expected ..."
    # in subject position: an undeclared prefix before the error is the mistake either way
    undeclared = _undeclared_prefix(text, offset)
    if undeclared is not None:
        prefix, start = undeclared
        line, column = _line_column(text, start)
        namespace = KNOWN_PREFIXES.get(prefix)
        fix = (
            f"Add this line before the query:\nPREFIX {prefix}: <{namespace}>"
            if namespace
            else f"Declare it before the query: PREFIX {prefix}: <the namespace IRI>"
        )
        return (
            f"Malformed {what}, line {line}, column {column}: the prefix {prefix}: is not declared. "
            f"{fix}{_excerpt(text, line, column)}"
        )
    expected = _expected(items.split("expected one of", 1)[-1].split("expected", 1)[-1])
    line_text = lines[line - 1] if 1 <= line <= len(lines) else ""
    if column > len(line_text.rstrip()) and line == len(text.rstrip().split("\n")):
        found = "the query ends too early"
    elif 1 <= column <= len(line_text):
        found = f"unexpected {line_text[column - 1]!r}"
    else:
        found = "unexpected end of line"
    hint = (
        f"; expected {' or '.join(expected) if len(expected) <= 2 else 'one of ' + ', '.join(expected)}"
        if expected
        else ""
    )
    return f"Malformed {what}, line {line}, column {column}: {found}{hint}.{_excerpt(text, line, column)}"
