"""How the pages say things to a person: quote context cut at word boundaries, a LAP action's
title, the basis of a link in words, and the links to an action grouped by the quote that backs
them (an objective's quote is inherited by its activities: it is shown once, with all of them).

Pure functions over the answers of the analyst service (ccmgraph.analysis.service): the service
says what is so, these say it to a person."""

from __future__ import annotations

import re
from typing import Any

from rdflib.namespace import PROV

from ccmgraph.analysis.models import ElementAction, LapActionText, Quote, ServingElement
from ccmgraph.namespaces import CCM, PREFIXES

# predicates whose name does not read as a sentence: (this -> that, that -> this)
PHRASES = {
    PROV.wasRevisionOf: ("revises", "revised by"),
    CCM.revises: ("revises", "revised by"),
    CCM.continues: ("continues", "continued by"),
    CCM.partner: ("partners", "partner in"),
}


# a prefixed name in a text (a curator's note: "with Germany as funder (ccm:funder, ...)"), the matched
# words of a search snippet possibly marked inside it: ccm:<mark>funder</mark>
_TERM = re.compile(r"(?<![\w/#:])(" + "|".join(PREFIXES) + r"):(<mark>)?([A-Za-z][A-Za-z0-9]*)(</mark>)?")


def terms_in_words(text: str) -> str:
    """The prefixed names of a text in words: "ccm:partner" -> "partner", "ccm:PlanElement" -> "plan element"."""

    def say(m: re.Match[str]) -> str:
        return (m[2] or "") + _camel_words(m[3]) + (m[4] or "")

    return _TERM.sub(say, text)


def words_of(predicate: Any, incoming: bool = False) -> str:
    """``ccm:contributesTo`` -> "contributes to"; the PHRASES' words for the others."""
    if predicate in PHRASES:
        return PHRASES[predicate][incoming]
    return _camel_words(re.split(r"[#/]", str(predicate))[-1])


def _camel_words(local: str) -> str:
    """contributesTo -> "contributes to", PlanElement -> "plan element"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower()


CONTEXT = 90  # characters of context around a quote, at most


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def before(text: str | None, width: int = CONTEXT) -> str:
    """The end of the text before a quote, from a word boundary: the stored context starts
    anywhere, even inside a word ("ion of the"), so its first, perhaps partial, word goes."""
    raw = _squeeze(text or "")
    tail = raw[-width:]
    if not tail.strip():
        return tail
    cut = tail.find(" ")
    return "…" + tail[cut + 1 :] if cut >= 0 else "…" + tail


def after(text: str | None, width: int = CONTEXT) -> str:
    """The start of the text after a quote, up to a word boundary ("reinforc" goes)."""
    raw = _squeeze(text or "")
    head = raw[:width]
    if not head.strip() or head.endswith((" ", ".", ",", ";", ":", ")")):
        return head
    cut = head.rfind(" ")
    return (head[:cut] if cut >= 0 else head) + "…"


_NUMBERED = re.compile(r"^\s*LAP\s+Action\s+\d+\s*[:.–—-]?\s*", re.I)


def action_title(text: LapActionText) -> str | None:
    """The action's title from the data (title, preferred label or label, whichever says more than
    "LAP Action N"), or None when the data has none."""
    for name in (text.title, text.prefLabel, text.label):
        value = _NUMBERED.sub("", name or "").strip()
        if value:
            return value
    return None


def heat_level(count: int, top: int) -> int:
    """1 (few) to 5 (most): the colour class of a coverage cell (site.css keeps each readable)."""
    return max(1, min(5, -(-5 * count // max(top, 1))))


def by_quote(elements: list[ServingElement], order: list[str]) -> list[dict[str, Any]]:
    """Per work plan, each quote once with the elements it backs, grouped by basis (in ``order``:
    the basis names, strongest first).

    ``elements``: those of the analyst service's LAP action answer (element, kind, basis, quotes...)."""
    plans: dict[str, dict[str, Any]] = {}
    for e in elements:
        plan = plans.setdefault(
            e.workplan,
            {
                "workplan": e.workplan,
                "label": e.workplanLabel,
                "period": e.period,
                "coordinators": e.coordinators,
                "quotes": {},
                "elements": set(),
            },
        )
        plan["elements"].add(e.element)
        backing: list[Quote | None] = list(e.quotes) or [None]  # an element without a quote is listed too
        for q in backing:
            key = (q.document, q.start, q.end) if q else (None, None, None)
            group = plan["quotes"].setdefault(key, {"quote": q, "bases": {}})
            group["bases"].setdefault(e.basis, {"words": e.basisLabel, "elements": []})["elements"].append(e)
    out = []
    for plan in plans.values():
        quotes = []
        for group in sorted(
            plan["quotes"].values(), key=lambda g: (g["quote"] is None, g["quote"].start if g["quote"] else 0)
        ):
            bases = sorted(group["bases"].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
            quotes.append({"quote": group["quote"], "bases": [{"basis": b, **g} for b, g in bases]})
        out.append({**plan, "quotes": quotes, "elements": len(plan["elements"])})
    return out


KINDS = ("objective", "activity", "output", "outcome", "timeline")


def kind_order(kind: str) -> tuple[int, str]:
    """Objectives, activities, outputs, outcomes, timeline, then any other kind alphabetically."""
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def actions_by_element(rows: list[ElementAction]) -> dict[str, list[dict[str, Any]]]:
    """Element IRI -> [{basis (words), links: [{action, number}]}], strongest basis first, each action
    once (under its strongest basis: the rows come strongest first), numbers in order."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    seen: set[tuple[str, int]] = set()
    for r in rows:
        if (r.element, r.number) in seen:
            continue
        seen.add((r.element, r.number))
        out.setdefault(r.element, {}).setdefault(r.basisLabel, []).append({"action": r.action, "number": r.number})
    return {
        element: [
            {"basis": basis, "links": sorted(links, key=lambda link: link["number"])} for basis, links in groups.items()
        ]
        for element, groups in out.items()
    }
