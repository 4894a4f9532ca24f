"""Text-anchored provenance: find a quote in a source text and give its character offsets.

Curators write the quote only; offsets are computed here, so nobody counts characters.
Runs of whitespace in a quote match any run of whitespace in the text (source files are
hard-wrapped), and the stored ``oa:exact`` is the text as it stands between the offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTEXT_CHARS = 32


class QuoteError(ValueError):
    """A quote that is absent from its source, or occurs more than once."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def _pattern(quote: str) -> re.Pattern[str]:
    words = quote.split()
    if not words:
        raise QuoteError("empty quote")
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _occurrences(text: str, quote: str, lo: int = 0, hi: int | None = None) -> list[re.Match[str]]:
    return list(_pattern(quote).finditer(text, lo, len(text) if hi is None else hi))


def locate(text: str, quote: str, context: str | None = None) -> Span:
    """Return the one span of ``text`` that ``quote`` matches.

    ``context``, when given, is a longer passage that occurs once in the text and holds the
    quote once: it disambiguates a quote that occurs several times.
    """
    lo, hi = 0, len(text)
    if context is not None:
        found = _occurrences(text, context)
        if len(found) != 1:
            raise QuoteError(f"context occurs {len(found)} times (must be once): {context!r}")
        lo, hi = found[0].start(), found[0].end()
    found = _occurrences(text, quote, lo, hi)
    if not found:
        where = "in its context" if context else "in the source text"
        raise QuoteError(f"quote not found {where}: {quote!r}")
    if len(found) > 1:
        starts = ", ".join(str(m.start()) for m in found)
        raise QuoteError(
            f"quote occurs {len(found)} times (at characters {starts}); add ccm:quoteContext to pick one: {quote!r}"
        )
    start, end = found[0].start(), found[0].end()
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
