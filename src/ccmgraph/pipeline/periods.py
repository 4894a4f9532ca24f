"""Shared period resources (``id/period/2025-Q1``, ``id/period/2025-03``...) as OWL-Time intervals.

Curators name a period by its IRI only; the build describes every period IRI the data uses.
Keys: ``YYYY``, ``YYYY-Qn``, ``YYYY-Hn``, ``YYYY-MM``, ``YYYY-MM-DD`` and ``A--B`` for the
interval from the start of period A to the end of period B.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, TIME, XSD

from ccmgraph import errors
from ccmgraph.namespaces import ID

PERIOD_PREFIX = str(ID) + "period/"
_MONTHS = list(calendar.month_name)


class PeriodError(errors.DataError):
    """A period key that does not follow the patterns above."""


def bounds(key: str) -> tuple[date, date, str]:
    """First day, last day and English label of a period key.

    >>> bounds("2025-Q2")
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30), 'Q2 2025')
    >>> bounds("2025-03--2025-06")[2]
    'March 2025 to June 2025'
    """
    if "--" in key:
        a, b = key.split("--", 1)
        start, _, la = bounds(a)
        _, end, lb = bounds(b)
        if start > end:
            raise PeriodError(f"period {key!r} starts after it ends")
        return start, end, f"{la} to {lb}"
    if m := re.fullmatch(r"(\d{4})", key):
        y = int(m[1])
        return date(y, 1, 1), date(y, 12, 31), str(y)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", key):
        y, q = int(m[1]), int(m[2])
        last = 3 * q
        return date(y, last - 2, 1), date(y, last, calendar.monthrange(y, last)[1]), f"Q{q} {y}"
    if m := re.fullmatch(r"(\d{4})-H([12])", key):
        y, h = int(m[1]), int(m[2])
        return (date(y, 1, 1), date(y, 6, 30), f"H1 {y}") if h == 1 else (date(y, 7, 1), date(y, 12, 31), f"H2 {y}")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise PeriodError(f"no month {mo} in period {key!r}")
        return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]), f"{_MONTHS[mo]} {y}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
        try:
            d = date.fromisoformat(key)
        except ValueError as exc:
            raise PeriodError(f"bad date in period {key!r}: {exc}") from None
        return d, d, d.isoformat()
    raise PeriodError(f"unknown period key {key!r} (use YYYY, YYYY-Qn, YYYY-Hn, YYYY-MM, YYYY-MM-DD or A--B)")


def instant(day: date) -> URIRef:
    return ID[f"instant/{day.isoformat()}"]


def describe(iri: URIRef) -> Graph:
    """The OWL-Time description of one period IRI."""
    key = str(iri)[len(PERIOD_PREFIX) :]
    start, end, label = bounds(key)
    g = Graph()
    g.add((iri, RDF.type, TIME.ProperInterval))
    g.add((iri, RDFS.label, Literal(label, lang="en")))
    g.add((iri, SKOS.notation, Literal(key)))
    for prop, day in ((TIME.hasBeginning, start), (TIME.hasEnd, end)):
        g.add((iri, prop, instant(day)))
        g.add((instant(day), RDF.type, TIME.Instant))
        g.add((instant(day), TIME.inXSDDate, Literal(day.isoformat(), datatype=XSD.date)))
    return g


def used_in(graph: Graph) -> set[URIRef]:
    """Every period IRI that ``graph`` uses as an object."""
    return {o for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith(PERIOD_PREFIX)}
