"""Reading the curated files (Turtle, source texts), with errors that name the file and line.

rdflib's own messages quote the parser's buffers as bytes (``b'...'^b'...'``) and a non-UTF-8
file is reported by byte position; these say ``file:line: what`` in one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ccmgraph import errors

if TYPE_CHECKING:  # rdflib only to parse: ``decode`` serves the CLI's query without it
    from rdflib import Graph
    from rdflib.plugins.parsers.notation3 import BadSyntax


class FileError(errors.DataError):
    """A curated file that cannot be read: missing, not UTF-8, or not Turtle."""


def read_text(path: Path) -> str:
    """The text of ``path``, which must be UTF-8."""
    return decode(path, path.read_bytes())


def decode(path: Path, raw: bytes) -> str:
    """``raw`` (the bytes of ``path``) as UTF-8; else a ``FileError`` naming the line and column.

    >>> decode(Path("a.ttl"), b"ok\\ncaf\\xe9\\n")
    Traceback (most recent call last):
    ...
    ccmgraph.files.FileError: a.ttl:2: not UTF-8 (byte 0xe9 at column 4); save the file as UTF-8
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        byte = raw[exc.start]
        raise FileError(
            f"{path}:{line}: not UTF-8 (byte 0x{byte:02x} at column {column}); save the file as UTF-8"
        ) from None


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse the Turtle file ``path`` (into ``into``, or a new graph)."""
    from rdflib import Graph
    from rdflib.plugins.parsers.notation3 import BadSyntax

    g = into if into is not None else Graph()
    if not path.exists():
        raise FileError(f"{path}: no such file")
    text = read_text(path)
    try:
        g.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise FileError(syntax_message(path, exc)) from None
    except Exception as exc:  # rdflib raises several other types (an unbound prefix, a bad IRI...)
        raise FileError(f"{path}: Turtle syntax error: {' '.join(str(exc).split())}") from None
    return g


def syntax_message(path: Path, exc: BadSyntax) -> str:
    """``path:line: Turtle syntax error at column C: what was expected, near "the text there"``."""
    raw, i = exc._str, exc._i  # the parser's buffer (UTF-8) and the byte where it stopped
    start = raw.rfind(b"\n", 0, i) + 1
    end = raw.find(b"\n", i)
    line = raw[start : end if end >= 0 else len(raw)].decode("utf-8", "replace")
    column = len(raw[start:i].decode("utf-8", "replace")) + 1
    near = line[max(0, column - 31) : column + 29].strip()  # the text around the column
    return f"{path}:{exc.lines + 1}: Turtle syntax error at column {column}: {exc._why}" + (
        f', near "{near}"' if near else ""
    )
