"""Content negotiation for SPARQL answers: ``Accept`` (with q-values) or a ``format=`` name.

A SELECT or ASK answer comes in one of the SPARQL results formats, a CONSTRUCT or DESCRIBE
answer in one of the RDF formats. The form of a query is only certain once the engine has
parsed it, so negotiation picks the best type of *each* family, and the engine uses the one
that fits the answer. When a family has nothing the client accepts, that family's choice is
None and the answer is 406 with the list of what is supported.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mimeparse

# canonical media types, the server's preference first
RESULTS_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                 "text/csv", "text/tab-separated-values")
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
               "application/trig", "application/n-quads")

# other names clients use for them
_RESULTS_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/tsv": "text/tab-separated-values",
}
_GRAPH_ALIASES = {
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "text/n3": "text/turtle",  # Turtle is N3
    "text/plain": "application/n-triples",  # N-Triples is plain ASCII-compatible text
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
}

# format=name -> (results type, graph type); None where the name means nothing for that family
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "srj": ("application/sparql-results+json", None),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "srx": ("application/sparql-results+xml", None),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "nt": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "json-ld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "rdf/xml": (None, "application/rdf+xml"),
    "rdf": (None, "application/rdf+xml"),
    "owl": (None, "application/rdf+xml"),
    "rdf+xml": (None, "application/rdf+xml"),  # SPARQLWrapper's name
    "n3": (None, "text/turtle"),  # Turtle is N3
    "trig": (None, "application/trig"),
    "nquads": (None, "application/n-quads"),
    "n-quads": (None, "application/n-quads"),
    "nq": (None, "application/n-quads"),
}

# the file extension a download of each type gets
EXTENSIONS = {
    "application/sparql-results+json": "srj", "application/sparql-results+xml": "srx",
    "text/csv": "csv", "text/tab-separated-values": "tsv", "text/turtle": "ttl",
    "application/n-triples": "nt", "application/ld+json": "jsonld", "application/rdf+xml": "rdf",
    "application/trig": "trig", "application/n-quads": "nq",
}


class NotAcceptable(ValueError):
    """Nothing the client accepts can be produced; the message lists what can."""


@dataclass(frozen=True)
class Choice:
    results: str | None  # for SELECT and ASK
    graph: str | None  # for CONSTRUCT and DESCRIBE


def supported_message(form: str | None = None) -> str:
    results = "SELECT and ASK: " + ", ".join(RESULTS_TYPES)
    graphs = "CONSTRUCT and DESCRIBE: " + ", ".join(GRAPH_TYPES)
    names = "format= names: " + ", ".join(sorted(FORMAT_NAMES))
    if form in ("select", "ask"):
        return f"supported for {results}; {names}"
    if form in ("construct", "describe"):
        return f"supported for {graphs}; {names}"
    return f"supported for {results}; for {graphs}; {names}"


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    out = []
    for part in accept.split(","):
        if not part.strip():
            continue
        try:
            kind, sub, params = mimeparse.parse_media_range(part)
            q = float(params.get("q", "1"))
        except (ValueError, mimeparse.MimeTypeParseException):
            continue  # a malformed range is ignored, as browsers and Fuseki do
        if kind and sub:
            out.append((kind.lower(), sub.lower(), q))
    return out


def _best(ranges: list[tuple[str, str, float]], canonical: tuple[str, ...],
          aliases: dict[str, str]) -> str | None:
    """The canonical type the client prefers among ``canonical`` (and their aliases), or None."""
    names = [(c, c, 1) for c in canonical] + [(a, c, 0) for a, c in aliases.items()]
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for name, target, own in names:
        kind, sub = name.split("/")
        q, specificity = -1.0, -1
        for rkind, rsub, rq in ranges:
            if rkind == kind and rsub == sub:
                s = 2
            elif rkind == kind and rsub == "*":
                s = 1
            elif rkind == "*" and rsub == "*":
                s = 0
            else:
                continue
            if s > specificity:
                q, specificity = rq, s
        if q <= 0:
            continue
        key = (q, specificity, own, -canonical.index(target))  # a type's own name before an alias
        if best is None or key > best:
            best, chosen = key, target
    return chosen


@lru_cache(maxsize=1024)
def negotiate(accept: str | None, format_name: str | None = None) -> Choice:
    """The media type of each family to answer with; NotAcceptable when neither fits."""
    if format_name:
        key = format_name.strip().lower()
        if key in FORMAT_NAMES:
            return Choice(*FORMAT_NAMES[key])
        if "/" not in key:
            raise NotAcceptable(f"unknown format {format_name!r}; {supported_message()}")
        accept = key  # format= may also name a media type
    if not accept or not accept.strip():
        return Choice(RESULTS_TYPES[0], GRAPH_TYPES[0])
    ranges = _ranges(accept)
    if not ranges:
        return Choice(RESULTS_TYPES[0], GRAPH_TYPES[0])
    choice = Choice(_best(ranges, RESULTS_TYPES, _RESULTS_ALIASES), _best(ranges, GRAPH_TYPES, _GRAPH_ALIASES))
    if choice.results is None and choice.graph is None:
        raise NotAcceptable(f"cannot answer in any of {accept[:200]!r}; {supported_message()}")
    return choice


@lru_cache(maxsize=256)
def prefers_html(accept: str | None) -> bool:
    """Does the client (a browser) prefer an HTML page to the Turtle service description?"""
    if not accept:
        return False
    ranges = _ranges(accept)
    return _best(ranges, ("text/turtle", "text/html"), {}) == "text/html" and any(
        k == "text" and s == "html" for k, s, _ in ranges)


def content_type(media_type: str) -> str:
    """The Content-Type header value: text types say they are UTF-8."""
    if media_type.startswith("text/"):
        return media_type + "; charset=utf-8"
    return media_type
