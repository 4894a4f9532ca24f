"""Text-anchored provenance: find a quote in a source text and give its character offsets.

Curators write the quote only; offsets are computed here, so nobody counts characters.
Runs of whitespace in a quote match any run of whitespace in the text (source files are
hard-wrapped), and the stored ``oa:exact`` is the text as it stands between the offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ccmgraph import errors

CONTEXT_CHARS = 32


class QuoteError(errors.DataError):
    """A quote that is absent from its source, or occurs more than once."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@lru_cache(maxsize=32)
def _collapsed(text: str) -> tuple[str, list[int]]:
    """``text`` with each run of whitespace as one space, and where each of its characters
    stands in ``text`` (one more entry: the end). Built once per source text: a quote is
    then found with ``str.find`` instead of a regular expression compiled per quote."""
    out, where = [], []
    for m in re.finditer(r"\s+|\S+", text):
        if m.group(0)[0].isspace():
            out.append(" ")
            where.append(m.start())
        else:
            out.append(m.group(0))
            where.extend(range(m.start(), m.end()))
    where.append(len(text))
    return "".join(out), where


def occurrences(text: str, quote: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of each non-overlapping match of ``quote`` within ``lo``..``hi``,
    any run of whitespace in the quote matching any run in the text."""
    needle = " ".join(quote.split())
    if not needle:
        raise QuoteError("empty quote")
    flat, where = _collapsed(text)
    hi = len(text) if hi is None else hi
    found, at = [], 0
    while (i := flat.find(needle, at)) != -1:
        start, end = where[i], where[i + len(needle) - 1] + 1
        if start >= lo and end <= hi:
            found.append((start, end))
        at = i + len(needle)
    return found


def locate(text: str, quote: str, context: str | None = None) -> Span:
    """Return the one span of ``text`` that ``quote`` matches.

    ``context``, when given, is a longer passage that occurs once in the text and holds the
    quote once: it disambiguates a quote that occurs several times.
    """
    lo, hi = 0, len(text)
    if context is not None:
        found = occurrences(text, context)
        if len(found) != 1:
            raise QuoteError(f"context occurs {len(found)} times (must be once): {context!r}")
        lo, hi = found[0]
    found = occurrences(text, quote, lo, hi)
    if not found:
        where = "in its context" if context else "in the source text"
        raise QuoteError(f"quote not found {where}: {quote!r}")
    if len(found) > 1:
        starts = ", ".join(str(start) for start, _ in found)
        raise QuoteError(
            f"quote occurs {len(found)} times (at characters {starts}); add ccm:quoteContext to pick one: {quote!r}"
        )
    start, end = found[0]
    return Span(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def check(text: str, start: int, end: int, exact: str) -> bool:
    """True when ``exact`` stands at ``start``..``end`` of ``text``."""
    return 0 <= start <= end <= len(text) and text[start:end] == exact
