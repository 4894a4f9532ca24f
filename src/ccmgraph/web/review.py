"""/review/<stem>: a curated or drafted file laid beside its source text, read-only.

The left column is the source text with every quote of the file highlighted where it stands;
the right column lists the flagged items first (curation notes starting "REVIEW:", which
``ccmgraph draft`` writes for what it could not decide), then the other notes, then each
element with its quotes (links into the text) and what it was matched to among the
reference resources. The page reads the built graph, so it shows the file as of the last
``ccmgraph build`` (``--watch`` rebuilds on save).
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from ccmgraph import paths
from ccmgraph.analysis import views
from ccmgraph.errors import NotFound
from ccmgraph.namespaces import GRAPH, ID
from ccmgraph.web.deps import store_of
from ccmgraph.web.pages import qname, render

router = APIRouter(tags=["pages"])
REVIEW = "REVIEW:"


def highlighted(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """``text`` with each span (start, end, anchor id) in a <mark>; overlapping spans nest as runs."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starts: dict[int, list[str]] = {}
    for s, _, anchor in spans:
        starts.setdefault(s, []).append(anchor)
    out = []
    for lo, hi in pairwise(cuts):
        out += [f'<a class="anchor" id="{a}"></a>' for a in starts.get(lo, [])]
        depth = sum(1 for s, e, _ in spans if s <= lo and hi <= e)
        piece = escape(text[lo:hi])
        out.append(f'<mark class="q{min(depth, 3)}">{piece}</mark>' if depth else str(piece))
    return Markup("".join(out))


def _page(store, stem: str) -> dict[str, Any]:
    missing = NotFound(f"no built work plan {stem!r}: `ccmgraph draft` and `ccmgraph build` it first")
    source_path = paths.SOURCES / f"{stem}.txt"
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", stem) or not source_path.exists():
        raise missing
    graph = str(GRAPH[stem])
    evidence = views.run(store, "review-evidence", graph=graph)
    if not evidence:
        raise missing
    text = source_path.read_text(encoding="utf-8")
    document = str(ID[f"source/{stem}"])
    elements: dict[str, dict[str, Any]] = {}
    spans = []
    for row in evidence:
        subject = str(row["subject"])
        el = elements.setdefault(
            subject,
            {
                "iri": subject,
                "label": row["label"] or qname(subject),
                "types": set(),
                "quotes": {},
                "links": {},
                "notes": [],
                "first": 1 << 62,
            },
        )
        if row["type"]:
            el["types"].add(qname(str(row["type"])))
        if str(row["document"]) != document:
            continue
        start, end = int(str(row["start"])), int(str(row["end"]))
        anchor = f"q-{start}-{end}"
        el["quotes"][anchor] = {
            "anchor": anchor,
            "exact": text[start:end],
            "for": qname(str(row["forProperty"])) if row["forProperty"] else "",
        }
        el["first"] = min(el["first"], start)
        spans.append((start, end, anchor))
    for row in views.run(store, "review-links", graph=graph):
        linked = elements.get(str(row["subject"]))
        if linked is not None:
            linked["links"].setdefault(qname(str(row["property"])), []).append(
                {"iri": str(row["object"]), "label": row["objectLabel"], "type": qname(str(row["objectType"]))}
            )
    flagged: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []
    for row in views.run(store, "review-notes", graph=graph):
        quotes = elements.get(str(row["subject"]), {}).get("quotes", {})
        note = {
            "subject": str(row["subject"]),
            "label": str(row["label"] or qname(str(row["subject"]))),
            "note": str(row["note"]),
            "anchor": next(iter(quotes), ""),
        }
        (flagged if note["note"].startswith(REVIEW) else notes).append(note)
    ordered = sorted((e for e in elements.values() if e["quotes"]), key=lambda e: (e["first"], e["iri"]))
    for el in ordered:
        el["types"] = sorted(el["types"])
        el["quotes"] = list(el["quotes"].values())
    unique = sorted(set(spans))
    return {
        "stem": stem,
        "text": highlighted(text, unique),
        "flagged": flagged,
        "notes": notes,
        "elements": ordered,
        "quotes": len(unique),
    }


@router.get("/review/{stem}", response_class=HTMLResponse, summary="A curated or drafted file beside its source text")
async def review(request: Request, stem: str) -> HTMLResponse:
    ctx = await run_in_threadpool(_page, store_of(request), stem)
    return HTMLResponse(render("review.html", request, title=f"Review: {stem}", **ctx))
