"""Every media type the project speaks, and the one content negotiation.

A ``Format`` is one way of writing an answer: its media type and the other names clients use
for it (aliases, ``format=`` names, a file suffix), how pyoxigraph or rdflib writes it, and
W3C's IRI for it (for the service description). The families below are what each interface
offers, the server's preference first:

- ``RESULTS``: SPARQL SELECT and ASK answers; ``GRAPHS``: RDF (CONSTRUCT, DESCRIBE, resources,
  dumps);
- ``RESOURCE_PAGES``: a linked-data resource (RDF, or an HTML page for a browser);
- ``TABLES``: a list answer of the analyst API (JSON or CSV); ``LISTINGS``: JSON or a page;
- ``ERROR_ANSWERS``: how an error can be shown (a page, JSON or text).

``negotiate`` picks the format of a family from a file suffix, a ``format=`` name or the
``Accept`` header (with q-values), in that order; nothing acceptable is ``NotAcceptable`` (406)
with the list of what the family offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import mimeparse
import pyoxigraph as ox

from ccmgraph.errors import NotAcceptable

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    media_type: str
    label: str  # for people
    suffix: str  # of a file (or URL) in this format
    names: tuple[str, ...] = ()  # format= names, the short one first
    aliases: tuple[str, ...] = ()  # other media types that clients send for it
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat | None = None
    rdflib: str | None = None  # rdflib's serializer name
    w3c: str | None = None  # W3C's IRI for the format (http://www.w3.org/ns/formats/)

    @property
    def content_type(self) -> str:
        return content_type(self.media_type)


def content_type(media_type: str) -> str:
    """The Content-Type header value: text types say they are UTF-8."""
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


SPARQL_JSON = Format(
    "application/sparql-results+json",
    "SPARQL JSON",
    "srj",
    ("json", "srj"),
    aliases=("application/json",),
    oxigraph=ox.QueryResultsFormat.JSON,
    w3c=W3C_FORMATS + "SPARQL_Results_JSON",
)
SPARQL_XML = Format(
    "application/sparql-results+xml",
    "SPARQL XML",
    "srx",
    ("xml", "srx"),
    aliases=("application/xml", "text/xml"),
    oxigraph=ox.QueryResultsFormat.XML,
    w3c=W3C_FORMATS + "SPARQL_Results_XML",
)
CSV = Format(
    "text/csv", "CSV", "csv", ("csv",), oxigraph=ox.QueryResultsFormat.CSV, w3c=W3C_FORMATS + "SPARQL_Results_CSV"
)
TSV = Format(
    "text/tab-separated-values",
    "TSV",
    "tsv",
    ("tsv",),
    aliases=("text/tsv",),
    oxigraph=ox.QueryResultsFormat.TSV,
    w3c=W3C_FORMATS + "SPARQL_Results_TSV",
)
TURTLE = Format(
    "text/turtle",
    "Turtle",
    "ttl",
    ("ttl", "turtle", "n3"),
    aliases=("application/x-turtle", "application/turtle", "text/n3"),  # Turtle is N3
    oxigraph=ox.RdfFormat.TURTLE,
    rdflib="turtle",
    w3c=W3C_FORMATS + "Turtle",
)
N_TRIPLES = Format(
    "application/n-triples",
    "N-Triples",
    "nt",
    ("nt", "ntriples", "n-triples"),
    aliases=("text/plain",),  # N-Triples is plain ASCII-compatible text
    oxigraph=ox.RdfFormat.N_TRIPLES,
    rdflib="nt",
    w3c=W3C_FORMATS + "N-Triples",
)
JSON_LD = Format(
    "application/ld+json",
    "JSON-LD",
    "jsonld",
    ("jsonld", "json-ld", "json"),
    aliases=("application/x-json+ld", "application/json"),
    oxigraph=ox.RdfFormat.JSON_LD,
    rdflib="json-ld",
    w3c=W3C_FORMATS + "JSON-LD",
)
RDF_XML = Format(
    "application/rdf+xml",
    "RDF/XML",
    "rdf",
    ("rdfxml", "rdf/xml", "rdf", "owl", "rdf+xml", "xml"),
    aliases=("application/xml", "text/xml"),
    oxigraph=ox.RdfFormat.RDF_XML,
    rdflib="xml",
    w3c=W3C_FORMATS + "RDF_XML",
)
TRIG = Format(
    "application/trig",
    "TriG",
    "trig",
    ("trig",),
    aliases=("application/x-trig",),
    oxigraph=ox.RdfFormat.TRIG,
    rdflib="trig",
    w3c=W3C_FORMATS + "TriG",
)
N_QUADS = Format(
    "application/n-quads",
    "N-Quads",
    "nq",
    ("nq", "nquads", "n-quads"),
    aliases=("text/x-nquads",),
    oxigraph=ox.RdfFormat.N_QUADS,
    rdflib="nquads",
    w3c=W3C_FORMATS + "N-Quads",
)
HTML = Format("text/html", "HTML", "html", ("html",), aliases=("application/xhtml+xml",))
JSON = Format("application/json", "JSON", "json", ("json",))
TEXT = Format("text/plain", "text", "txt", ("text", "txt"))

RESULTS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPHS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, TRIG, N_QUADS)
RESOURCE_PAGES = (TURTLE, RDF_XML, N_TRIPLES, JSON_LD, HTML)
TABLES = (JSON, CSV)
LISTINGS = (JSON, HTML)
ERROR_ANSWERS = (HTML, JSON, TEXT)
ALL = (*RESULTS, *GRAPHS, HTML, JSON, TEXT)


def by_media_type(media_type: str, family: Sequence[Format] = ALL) -> Format:
    """The format of a canonical media type (KeyError when the family has none)."""
    for f in family:
        if f.media_type == media_type:
            return f
    raise KeyError(media_type)


def results_format(media_type: str) -> ox.QueryResultsFormat:
    """pyoxigraph's writer of a SPARQL results media type (KeyError for another type)."""
    fmt = by_media_type(media_type, RESULTS).oxigraph
    assert isinstance(fmt, ox.QueryResultsFormat)
    return fmt


def graph_format(media_type: str) -> ox.RdfFormat:
    """pyoxigraph's writer of an RDF media type (KeyError for another type)."""
    fmt = by_media_type(media_type, GRAPHS).oxigraph
    assert isinstance(fmt, ox.RdfFormat)
    return fmt


def by_suffix(suffix: str, family: Sequence[Format] = ALL) -> Format | None:
    suffix = suffix.lstrip(".").lower()
    return next((f for f in family if f.suffix == suffix), None)


def supported(family: Sequence[Format]) -> str:
    """What a family offers, for a 406 message."""
    names = sorted({n for f in family for n in f.names})
    return f"{', '.join(f.media_type for f in family)} (format= {', '.join(names)})"


@lru_cache(maxsize=1024)
def _ranges(accept: str) -> tuple[tuple[str, str, float], ...]:
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
    return tuple(out)


def _by_accept(ranges: Sequence[tuple[str, str, float]], family: Sequence[Format]) -> Format | None:
    """The format the client prefers: highest q, then the most specific range, then a format's own
    media type before an alias, then the family's order."""
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for index, f in enumerate(family):
        for name, own in ((f.media_type, 1), *((a, 0) for a in f.aliases)):
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
            key = (q, specificity, own, -index)
            if best is None or key > best:
                best, chosen = key, f
    return chosen


def negotiate(
    family: Sequence[Format],
    accept: str | None = None,
    *,
    name: str | None = None,
    suffix: str | None = None,
    otherwise: Format | None = None,
) -> Format:
    """The format of ``family`` to answer in: by file suffix, else by ``format=`` name (or media
    type), else by ``Accept``; without any of them, the family's first.

    An unknown suffix or name is NotAcceptable; so is an ``Accept`` that matches nothing, unless
    ``otherwise`` says what to answer in then (an interface with a habit, such as JSON for /api).

    >>> negotiate(RESULTS, "text/csv;q=0.9, application/sparql-results+json").media_type
    'application/sparql-results+json'
    >>> negotiate(GRAPHS, "*/*").media_type, negotiate(GRAPHS, name="nt").media_type
    ('text/turtle', 'application/n-triples')
    """
    if suffix:
        found = by_suffix(suffix, family)
        if found is None:
            raise NotAcceptable(f"no format .{suffix} here; supported: {supported(family)}")
        return found
    if name and name.strip():
        key = name.strip().lower()
        found = next((f for f in family if key in f.names), None)
        if found is not None:
            return found
        if "/" not in key:
            raise NotAcceptable(f"unknown format {name!r}; supported: {supported(family)}")
        accept = key  # format= may also name a media type
    if not accept or not accept.strip():
        return family[0]
    ranges = _ranges(accept)
    if not ranges:
        return family[0]
    found = _by_accept(ranges, family) or otherwise
    if found is None:
        raise NotAcceptable(f"cannot answer in any of {accept[:200]!r}; supported: {supported(family)}")
    return found


# -- the SPARQL protocol: one choice per family ---------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The negotiated type of each answer family; None where the client accepts none of it.

    The form of a query is only certain once the engine has parsed it, so the SPARQL protocol
    negotiates both families, and the engine uses the one that fits the answer.
    """

    results: str | None  # for SELECT and ASK
    graph: str | None  # for CONSTRUCT and DESCRIBE


def supported_message(form: str | None = None) -> str:
    """What the SPARQL endpoint answers in, for the form of a query (or for every form)."""
    results = f"SELECT and ASK: {supported(RESULTS)}"
    graphs = f"CONSTRUCT and DESCRIBE: {supported(GRAPHS)}"
    if form in ("select", "ask"):
        return f"supported for {results}"
    if form in ("construct", "describe", "graph"):
        return f"supported for {graphs}"
    return f"supported for {results}; for {graphs}"


def _or_none(family: Sequence[Format], accept: str | None, name: str | None) -> str | None:
    try:
        return negotiate(family, accept, name=name).media_type
    except NotAcceptable:
        return None


@lru_cache(maxsize=1024)
def sparql_choice(accept: str | None, name: str | None = None) -> Choice:
    """The SPARQL protocol's negotiation; NotAcceptable when neither family fits."""
    choice = Choice(_or_none(RESULTS, accept, name), _or_none(GRAPHS, accept, name))
    if choice.results is None and choice.graph is None:
        wanted = f"format {name!r}" if name and name.strip() else f"any of {(accept or '')[:200]!r}"
        raise NotAcceptable(f"cannot answer in {wanted}; {supported_message()}")
    return choice
