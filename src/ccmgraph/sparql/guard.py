"""Refuse, before anything runs, the SPARQL that would make the server reach outside.

Oxigraph evaluates ``SERVICE <url> { ... }`` by fetching the URL, and ``LOAD <url>`` in an
update the same way: either would let anyone on the internet make this server call an
address of their choosing (an internal one, say). So every request text is scanned first and
refused when the ``SERVICE`` keyword (or ``LOAD``, in an update) could be in it.

The scan is a tokenizer that mirrors the engine's lexing where it matters (comments, the four
kinds of string literal, IRIs with their ``\\u`` escapes, variables, blank node labels,
language tags) and is conservative everywhere else. Oxigraph's parser is scannerless (a PEG),
so its keywords need no word boundary: ``SERVICESILENT<http://…>{…}`` and
``PREFIX : <http://…/> … SERVICE:x {…}`` both make it fetch the URL. The guard therefore
refuses any occurrence of the letters ``service`` (any case, any Unicode case folding) in a
keyword or prefix position, not just a token that equals the keyword. It lets through the
places where the engine can never read a keyword: inside strings, IRIs and comments, in
variable names (``?service``), blank node labels, language tags, and the start of the local
part of a prefixed name (``sd:Service``, ``ex:serviceArea``). The text is scanned twice, as
sent and with ``\\uXXXX`` escapes expanded (SPARQL 1.1 allows engines to expand them before
parsing), and refused if either reading finds the keyword.

The same scan finds the query form (SELECT, CONSTRUCT, DESCRIBE, ASK) and tells a query from
an update, so that an update sent as ``query=`` is answered as an update (refused on a
read-only server) rather than as a syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ccmgraph.errors import QueryRefused

QUERY_FORMS = ("select", "construct", "describe", "ask")
UPDATE_KEYWORDS = ("insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with")

# one alternative per token kind; the first that matches at a position wins, as in the engine
# (VERBOSE mode: no whitespace may appear inside a character class, it would be kept)
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
              | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '(?:[^'\\\n\r]|\\.)*'
              | "(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][0-9A-Za-z_\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C\u200D\u203F\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF]*)
  | (?P<bnode>_:[^\s<>"'{}()\[\],;\#?$^@=!|&*/+\\.:]*)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)
  | (?P<name>(?:\\.|[^\s<>"'{}()\[\],;\#?$^@=!|&*/+\\])+)
  | (?P<punct>.)
""",
    re.VERBOSE | re.DOTALL,
)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# the start of a prefixed name's local part, up to where a PEG could split the token
_SAFE_LOCAL = re.compile(r"[^.:\\%]*")


class Refused(QueryRefused):
    """A request text the endpoint will not run (it would make the server reach outside)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(message + where)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class Inspection:
    """What the guard learned about a request text."""

    kind: str  # "query", "update" or "unknown" (the engine will report the syntax error)
    form: str | None  # select / construct / describe / ask for a query, else None


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text``, whitespace and comments included, in order."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "punct"
        yield Token(kind, m.group(), m.start())


def expand_escapes(text: str) -> str:
    """``text`` with ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes replaced by their characters."""

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _ESCAPE.sub(char, text)


def _keyword_parts(name: str) -> tuple[str, ...]:
    """The parts of a name token that the engine could read as (the start of) a keyword."""
    head, colon, local = name.partition(":")
    if not colon:
        return (name,)
    safe = _SAFE_LOCAL.match(local)
    return (head, local[safe.end() if safe else 0 :])


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _find_keyword(text: str, keyword: str) -> int | None:
    """Offset of the first token where the engine could read ``keyword``, else None."""
    for tok in tokens(text):
        if tok.kind == "name" and any(keyword in part.casefold() for part in _keyword_parts(tok.text)):
            return tok.start
    return None


def _readings(text: str) -> tuple[str, ...]:
    """The text as sent, and with escapes expanded when it has any."""
    if "\\u" in text or "\\U" in text:
        return (text, expand_escapes(text))
    return (text,)


def _refuse_keyword(text: str, keyword: str, message: str) -> None:
    for reading in _readings(text):
        if keyword not in reading.casefold():  # fast path: the letters are nowhere
            continue
        offset = _find_keyword(reading, keyword)
        if offset is not None:
            line, column = _position(reading, offset)
            raise Refused(message, line, column)


def _first_keyword(text: str) -> str | None:
    """The first keyword after the prologue (BASE and PREFIX declarations), lowercased."""
    expect_decl = 0  # tokens still to skip for a BASE (1) or PREFIX (2) declaration
    for tok in tokens(text):
        if tok.kind in ("ws", "comment"):
            continue
        if expect_decl:
            expect_decl -= 1
            continue
        if tok.kind != "name":
            return None
        word = tok.text.casefold()
        if word == "base":
            expect_decl = 1
        elif word == "prefix":
            expect_decl = 2
        else:
            return word
    return None


def inspect(text: str) -> Inspection:
    """Is ``text`` a query (of which form) or an update? No refusal here."""
    word = _first_keyword(text)
    if word in QUERY_FORMS:
        return Inspection("query", word)
    if word in UPDATE_KEYWORDS:
        return Inspection("update", None)
    return Inspection("unknown", None)


SERVICE_MESSAGE = (
    "SERVICE is not allowed on this endpoint: federated queries would make the server "
    "fetch other URLs. Query the other endpoint yourself and join the results"
)
LOAD_MESSAGE = "LOAD is not allowed on this endpoint: it would make the server fetch a URL"


def check_query(text: str) -> Inspection:
    """Refuse a query that could reach outside (SERVICE); otherwise what kind of text it is."""
    _refuse_keyword(text, "service", SERVICE_MESSAGE)
    return inspect(text)


def check_update(text: str) -> None:
    """Refuse an update that could reach outside (LOAD, or SERVICE in its WHERE clause)."""
    _refuse_keyword(text, "service", SERVICE_MESSAGE)
    _refuse_keyword(text, "load", LOAD_MESSAGE)
