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
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ccmgraph import paths
from ccmgraph.analysis import views
from ccmgraph.errors import NotFound
from ccmgraph.namespaces import GRAPH, ID
from ccmgraph.web.deps import store_of
from ccmgraph.web.rendering import highlighted, render
from ccmgraph.web.resource_pages import words_of

router = APIRouter(tags=["pages"])
REVIEW = "REVIEW:"


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
    spans: list[dict[str, Any]] = []
    for row in evidence:
        subject = str(row["subject"])
        el = elements.setdefault(
            subject,
            {
                "iri": subject,
                "label": row["label"] or words_of(subject),
                "types": set(),
                "quotes": {},
                "links": {},
                "notes": [],
                "first": 1 << 62,
            },
        )
        if row["type"]:
            el["types"].add(words_of(row["type"]))
        if str(row["document"]) != document:
            continue
        start, end = int(str(row["start"])), int(str(row["end"]))
        anchor = f"q-{start}-{end}"
        el["quotes"][anchor] = {
            "anchor": anchor,
            "exact": text[start:end],
            "for": words_of(row["forProperty"]) if row["forProperty"] else "",
        }
        el["first"] = min(el["first"], start)
        spans.append({"start": start, "end": end, "id": anchor})
    for row in views.run(store, "review-links", graph=graph):
        linked = elements.get(str(row["subject"]))
        if linked is not None:
            linked["links"].setdefault(words_of(row["property"]), []).append(
                {"iri": str(row["object"]), "label": row["objectLabel"], "type": words_of(row["objectType"])}
            )
    flagged: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []
    for row in views.run(store, "review-notes", graph=graph):
        quotes = elements.get(str(row["subject"]), {}).get("quotes", {})
        note = {
            "subject": str(row["subject"]),
            "label": str(row["label"] or words_of(row["subject"])),
            "note": str(row["note"]),
            "anchor": next(iter(quotes), ""),
        }
        (flagged if note["note"].startswith(REVIEW) else notes).append(note)
    ordered = sorted((e for e in elements.values() if e["quotes"]), key=lambda e: (e["first"], e["iri"]))
    for el in ordered:
        el["types"] = sorted(el["types"])
        el["quotes"] = list(el["quotes"].values())
    unique = sorted({(s["start"], s["end"]): s for s in spans}.values(), key=lambda s: (s["start"], -s["end"]))
    return {
        "stem": stem,
        "segments": highlighted(text, unique),
        "flagged": flagged,
        "notes": notes,
        "elements": ordered,
        "quotes": len(unique),
    }


@router.get("/review/{stem}", response_class=HTMLResponse, summary="A curated or drafted file beside its source text")
async def review(request: Request, stem: str) -> HTMLResponse:
    ctx = await run_in_threadpool(_page, store_of(request), stem)
    return HTMLResponse(render("review.html", title=f"Review: {stem}", **ctx))
