"""Turtle's tokens, as the formatter needs them: a string, an IRI or a comment is one whole
token, so nothing inside one is ever read as a prefixed name or a separator."""

from __future__ import annotations

import re
from collections.abc import Iterator

TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>(?:\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
        (?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:<[^>\s]*>|[A-Za-z]?[\w.-]*:[\w.-]*[\w-]))?)
    |(?P<iri><[^>\s]*>)
    |(?<![\w:.-])(?P<pname>(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[\w.-]*[\w-])?)
    |(?P<punct>[\[\]\(\),;]|\.(?![\w-]))
    |(?P<other>[^\s\[\]\(\),;"'<\#]+)""",
    re.VERBOSE,
)


def tokens(text: str) -> Iterator[re.Match[str]]:
    """Every token of ``text`` but whitespace; ``lastgroup`` names its kind."""
    return (m for m in TOKEN.finditer(text) if m.lastgroup != "ws")
