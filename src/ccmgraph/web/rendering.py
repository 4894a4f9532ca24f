"""The pages' one templating environment: Jinja with the site's filters, ``render``, and the small
helpers every page uses to show a graph to a person (prefixed names, labels, quotes, a text with its
quoted spans highlighted). Route modules import this; it imports no route module."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from ccmgraph.analysis import views
from ccmgraph.namespaces import OA, curie
from ccmgraph.web import citation, presentation

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def qname(iri: str) -> str:
    """A term as a page shows it: its prefixed name, else the IRI (a resource's ``id:`` name is not
    shorter to read than its link)."""
    return curie(iri) or iri


env.filters["local"] = views.local
env.filters["qname"] = qname
env.filters["before"] = presentation.before
env.filters["after"] = presentation.after
env.filters["heat_level"] = presentation.heat_level
env.globals["citation"] = citation.current  # the "cite this" block of every page (cite.html)
env.filters["in_words"] = presentation.terms_in_words


def render(template: str, **ctx: Any) -> str:
    return env.get_template(template).render(**ctx)


def label_of(g: Graph, node: Any) -> str:
    for lbl in g.objects(node, RDFS.label):
        return str(lbl)
    return str(node)


def quotes_of(g: Graph, evidence: list[Any]) -> list[dict[str, Any]]:
    out = []
    for ev in evidence:
        q: dict[str, Any] = {"evidence": str(ev), "source": str(g.value(ev, OA.hasSource) or "")}
        for sel in g.objects(ev, OA.hasSelector):
            for key in ("exact", "prefix", "suffix", "start", "end"):
                v = g.value(sel, OA[key])
                if isinstance(v, Literal):
                    q[key] = v.toPython()
        if "exact" in q:
            out.append(q)
    return sorted(out, key=lambda q: q.get("start", 0))


def highlighted(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into segments at every span boundary (spans: dicts with ``start``, ``end``,
    ``id``). Each segment has the innermost span covering it (None: not quoted), whether it opens
    that span (its anchor goes there), the ids of every span starting there, and how many spans
    cover it (overlapping quotes show darker).

    >>> [(s["text"], s["depth"]) for s in highlighted("abcd", [{"start": 1, "end": 3, "id": "x"}])]
    [('a', 0), ('bc', 1), ('d', 0)]
    """
    cuts = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    opened: set[str] = set()
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = [s for s in spans if s["start"] <= a and b <= s["end"]]
        inner = min(covering, key=lambda s: s["end"] - s["start"]) if covering else None
        first = inner is not None and inner["id"] not in opened
        if inner is not None:
            opened.add(inner["id"])
        out.append(
            {
                "text": text[a:b],
                "span": inner,
                "opens": first,
                "starts": [s["id"] for s in spans if s["start"] == a],
                "depth": len(covering),
            }
        )
    return out
