"""/id/... pages a person reads: what the resource is, what it belongs to, what serves what (with
the quotes inline), its facts with numbers in number order, its notes once; every statement stays
available below, folded. A source document's page shows the document's text with every quoted
span highlighted and linked to what it backs.

The page is made from the resource's description (queries/views/describe.rq, the graph the
linked-data route has already fetched) and the analyst service (ccmgraph.analysis.service): what an
element serves, with basis and quote; what each span of a document backs; the document's text."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from ccmgraph.analysis import models as m
from ccmgraph.analysis import service, views
from ccmgraph.namespaces import CCM
from ccmgraph.web import pages
from ccmgraph.web.deps import store_of
from ccmgraph.web.presentation import words_of
from ccmgraph.web.rendering import highlighted, label_of, qname, quotes_of, render

# what a resource belongs to (outgoing), in the order a person asks
BELONGS = [
    CCM.partOf,
    DCTERMS.isPartOf,
    CCM.subActivityOf,
    CCM.contributesTo,
    CCM.workingGroup,
    CCM.section,
    SKOS.inScheme,
    CCM.sourceDocument,
    CCM.leadsUpTo,
    CCM.period,
    CCM.scheduledIn,
]
NOTES = [CCM.curationNote, SKOS.editorialNote, SKOS.scopeNote, SKOS.note]
DESCRIBING = [DCTERMS.title, DCTERMS.description, SKOS.definition, RDFS.comment]
# shown in their own sections, or said by others already (inverse and inferred duplicates)
HIDDEN = {
    RDF.type,
    RDFS.label,
    SKOS.prefLabel,
    CCM.hasAlignment,
    CCM.hasTextBasedAlignment,
    CCM.servesAction,
    CCM.evidence,
    # qualified links: what they say is shown in words ("continues", "serves", "contributes to")
    CCM.hasContinuation,
    CCM.hasStatedContinuation,
    CCM.hasQualifiedLink,
    PROV.wasDerivedFrom,
    DCTERMS.hasPart,
    CCM.hasElement,
    *BELONGS,
    *NOTES,
    *DESCRIBING,
}
HIDDEN_INCOMING = {
    DCTERMS.hasPart,
    CCM.hasElement,
    DCTERMS.isPartOf,
    PROV.wasAttributedTo,
    # from qualified links, whose statements the page says in words ("continues", "serves"...)
    CCM.continuedFrom,
    CCM.linkTarget,
    CCM.appliesTo,
}


def natural(text: str) -> tuple[Any, ...]:
    """ "LAP Action 8" before "LAP Action 10": digit runs compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text.casefold()))


def sort_key(term: Any) -> tuple[int, float, tuple[Any, ...]]:
    """Numbers in number order, before text; then text in natural order."""
    if isinstance(term, Literal) and isinstance(term.toPython(), int | float):
        return (0, float(term.toPython()), ())
    return (1, 0.0, natural(str(term)))


def value(g: Graph, term: Any) -> dict[str, Any]:
    if isinstance(term, URIRef):
        return {"iri": str(term), "label": label_of(g, term)}
    return {"text": str(term.toPython() if isinstance(term, Literal) else term)}


def facts(
    g: Graph, node: URIRef, predicates: list[URIRef] | None = None, shown: set[str] | None = None
) -> list[dict[str, Any]]:
    """[{name, values}] for the given predicates (or all but the hidden ones), values sorted; a value
    already in ``shown`` (by an earlier predicate: ccm:partOf before dcterms:isPartOf) is left out."""
    shown = set() if shown is None else shown
    chosen: list[Any] = (
        predicates
        if predicates is not None
        else sorted({p for p in g.predicates(node) if p not in HIDDEN}, key=lambda p: words_of(p))
    )
    out = []
    for p in chosen:
        objects = [
            o
            for o in sorted(
                set(g.objects(node, p)), key=lambda o: sort_key(label_of(g, o) if isinstance(o, URIRef) else o)
            )
            if str(o) not in shown
        ]
        shown.update(str(o) for o in objects if isinstance(o, URIRef))
        if objects:
            out.append({"name": words_of(p), "values": [value(g, o) for o in objects]})
    return out


def incoming(g: Graph, node: URIRef, shown: set[str]) -> list[dict[str, Any]]:
    """[{name, values}]: what links here, grouped by how ("carries out", "partner" ...), leaving out
    what the page shows already (the work plan it belongs to, the actions it serves)."""
    groups: dict[Any, set[Any]] = {}
    for s, p in g.subject_predicates(node):
        if (
            p not in HIDDEN_INCOMING
            and p != RDF.type
            and isinstance(s, URIRef)
            and str(s) not in shown
            and "/evidence/" not in str(s)
        ):
            groups.setdefault(p, set()).add(s)
    return [
        {
            "name": words_of(p, incoming=True),
            "values": [value(g, s) for s in sorted(subjects, key=lambda s: natural(label_of(g, s)))],
        }
        for p, subjects in sorted(groups.items(), key=lambda kv: words_of(kv[0], incoming=True))
    ]


def serves(rows: list[m.ResourceAlignment]) -> list[dict[str, Any]]:
    """The links to LAP actions grouped by basis and by the quotes backing them: a quote that backs
    nine actions is shown once, with the nine actions (in number order)."""
    links: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in rows:
        link = links.setdefault((r.number, r.basis), {**r.model_dump(), "quotes": []})
        if r.exact and all(q.evidence != r.evidence for q in link["quotes"]):
            link["quotes"].append(r)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for link in links.values():
        key = (link["basis"], *sorted(q.evidence for q in link["quotes"]))
        group = groups.setdefault(key, {**link, "actions": []})
        group["actions"].append({"iri": link["action"], "label": link["actionLabel"], "number": link["number"]})
    return sorted(groups.values(), key=lambda g: (g["actions"][0]["number"], g["basis"]))


def statements(g: Graph, node: URIRef) -> list[dict[str, Any]]:
    """Every statement about the resource, numbers in number order (for the folded table)."""
    rows = sorted(g.predicate_objects(node), key=lambda po: (qname(str(po[0])), sort_key(po[1])))
    return [{"p": str(p), **value(g, o)} for p, o in rows]


async def document_page(request: Request, iri: str, g: Graph) -> dict[str, Any]:
    """The text of a source document with its quoted spans, and what each span backs."""
    node = URIRef(iri)
    file_name = g.value(node, CCM.fileName)
    rows = await run_in_threadpool(service.document_spans, store_of(request), iri)
    spans: dict[str, dict[str, Any]] = {}
    for r in rows:
        span = spans.setdefault(
            r.evidence,
            {"id": f"span-{r.start}-{r.end}", "evidence": r.evidence, "start": r.start, "end": r.end, "backs": []},
        )
        what = {"iri": r.subject, "label": r.subjectLabel or r.subject, "action": r.actionLabel}
        if what not in span["backs"]:
            span["backs"].append(what)
    source = service.source_text(str(file_name), str(g.value(node, CCM.sha256) or "")) if file_name else None
    if source is None:
        return {"text": None, "spans": list(spans.values()), "segments": []}
    ordered = sorted(spans.values(), key=lambda s: (s["start"], -s["end"]))
    return {
        "text": source.text,
        "spans": ordered,
        "segments": highlighted(source.text, ordered),
        "verified": source.verified,
    }


async def resource_page(request: Request, iri: str, g: Graph) -> str:
    """The page of /id/...: a LAP action's and a work plan's own pages, else the readable page."""
    parts = iri[len(views.ID) :].split("/")
    if parts[0] == "lap-action" and len(parts) == 2 and parts[1].isdigit():
        return await pages.lap_action_page(request, int(parts[1]))
    if parts[0] == "workplan" and len(parts) == 2:
        return await pages.workplan_page(request, parts[1])
    return await readable_page(request, iri, g)


async def readable_page(request: Request, iri: str, g: Graph) -> str:
    node = URIRef(iri)
    types = sorted(
        {str(g.value(t, RDFS.label) or qname(str(t))) for t in g.objects(node, RDF.type) if t != CCM.PlanElement}
    )
    title = g.value(node, RDFS.label) or g.value(node, DCTERMS.title) or g.value(node, SKOS.prefLabel)
    evidence = list(g.objects(node, CCM.evidence))
    if (node, RDF.type, CCM.Evidence) in g:
        evidence.append(node)
    shown: set[str] = {str(a) for a in g.objects(node, CCM.servesAction)}
    belongs = facts(g, node, BELONGS, shown)
    ctx: dict[str, Any] = {
        "iri": iri,
        "title": str(title or qname(iri)),
        "types": types,
        "describing": facts(g, node, DESCRIBING),
        "belongs": belongs,
        "facts": facts(g, node),
        "incoming": incoming(g, node, shown),
        "notes": sorted({str(n) for p in NOTES for n in g.objects(node, p)}),
        "quotes": [
            {**q, "backs": sorted({words_of(p) for p in g.objects(URIRef(q["evidence"]), CCM.forProperty)})}
            for q in quotes_of(g, evidence)
        ],
        "statements": statements(g, node),
        "serves": [],
        "document": None,
    }
    if (node, CCM.hasAlignment, None) in g:
        ctx["serves"] = serves(await run_in_threadpool(service.resource_alignments, store_of(request), iri))
    if (node, RDF.type, CCM.SourceDocument) in g:
        ctx["document"] = await document_page(request, iri, g)
    return render("resource.html", **ctx)
