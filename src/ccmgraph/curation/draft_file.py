"""``ccmgraph draft data/sources/<stem>.txt``: write what :mod:`ccmgraph.curation.draft` read as a
first curated file, ``data/workplans/<stem>.ttl``.

The file is in the curated files' convention (:mod:`ccmgraph.curation.style` lays it out: prefix
block, short lines, quotes and notes wrapped), has every statement with its quote,
every structural link with its qualified link (basis, and the heading's quote where a heading
states it), nothing the build derives (partOf, positions, descriptions). ``ccmgraph build`` accepts it
as it is; the REVIEW notes say what to check.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ccmgraph import errors, paths, source_records
from ccmgraph.curation import style
from ccmgraph.curation.draft import KIND_PREFIX, NEW_MEETING, NEW_ORG, REVIEW, Draft, Drafter, Link, split_aligned
from ccmgraph.curation.reference_index import ReferenceIndex
from ccmgraph.curation.structure import Block, blocks
from ccmgraph.namespaces import ID
from ccmgraph.settings import Settings

KIND_CLASS = {
    "objective": "ccm:Objective",
    "activity": "ccm:Activity",
    "output": "ccm:ExpectedOutput",
    "outcome": "ccm:Outcome",
    "timeline": "ccm:TimelineEntry",
}


def _lit(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _prose(value: str) -> str:
    """A quote or a note, whose whitespace means nothing (the formatter wraps it)."""
    return _lit(" ".join(value.split()))


LABEL_CHARS = 72  # a label longer than this is shortened at a word boundary, with an ellipsis
_DANGLING = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "its", "of", "on", "or", "that", "the"}
    | {"their", "to", "under", "which", "who", "whose", "with"}
)


_LABEL_MARKER = re.compile(
    r"^(?:[-•▪*\uf0b7]|\(?[0-9a-z]{1,2}[.)/]|(?:[A-Z]|\d{1,2})(?:\.\d{1,2}){1,3}\.?|Track\s+[\d.]+:?|Output\s+\d+:?)\s+"
)


def element_label(text: str) -> str:
    """An element's label: its first sentence without its list marker, whole when short; else
    cut at a word boundary (at a clause break where one falls late enough), never after a
    word that leads into the rest ("of", "the") or inside a bracket, and marked with an ellipsis.

    >>> element_label("1.1.1 Hold a webinar for national focal points (March 2026)")
    'Hold a webinar for national focal points (March 2026)'
    >>> element_label("National frameworks address the rights and needs of cluster munition victims "
    ...               "(LAP Actions 32 to 34)")
    'National frameworks address the rights and needs of cluster munition…'
    >>> element_label("Our first aim is to strengthen partnerships. In February 2025 the Coordinators will write.")
    'Our first aim is to strengthen partnerships'
    """
    text = _LABEL_MARKER.sub("", " ".join(text.split()))
    text = re.split(r"(?<=[a-z)\]][.;!?])\s+(?=[A-Z(])", text, maxsplit=1)[0].strip(" .;:,")
    if len(text) > LABEL_CHARS:
        cut = text[: LABEL_CHARS + 1].rsplit(" ", 1)[0]
        clause = max(cut.rfind(", "), cut.rfind("; "), cut.rfind(" – "), cut.rfind(" - "), cut.rfind(" ("))
        if clause >= LABEL_CHARS // 2:
            cut = cut[:clause]
        if cut.count("(") > cut.count(")"):
            cut = cut[: cut.rfind("(")]
        words = cut.split()
        while len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING:
            words.pop()
        text = " ".join(words).rstrip(" ,;:–-") + "…"
    return text[0].upper() + text[1:] if text else "Untitled"


def _evidence(d: Drafter, start: int, end: int, prop: str | None = None) -> str:
    quote, context = d.quote(start, end)
    parts = [f"ccm:quote {_prose(quote)}"]
    if context:
        parts.append(f"ccm:quoteContext {_prose(context)}")
    if prop:
        parts.append(f"ccm:forProperty {prop}")
    return "[ " + " ; ".join(parts) + " ]"


def _qualified(d: Drafter, link: Link) -> str:
    """The ``ccm:hasQualifiedLink`` node of a structural link: its basis, and the heading's
    quote (ByHeading) or a comment saying which place implies it (ByPosition)."""
    parts = [f"ccm:linkProperty {link.prop}", f"ccm:linkTarget {link.target}", f"ccm:basis {link.basis}"]
    if link.comment:
        parts.append(f"rdfs:comment {_lit(link.comment)}@en")
    if link.quote:
        parts.append(f"ccm:evidence {_evidence(d, link.quote[0], link.quote[1])}")
    return "[ " + " ;\n        ".join(parts) + " ]"


def _action_list(obj: str) -> str:
    """An "align" fact as ``ccm:actionList``, with ``ccm:actionListPlan`` when its plan is not the LAP."""
    listed, plan = split_aligned(obj)
    return f"ccm:actionList {_lit(listed)}" + (f" ; ccm:actionListPlan <{plan}>" if plan is not None else "")


def turtle(drafter: Drafter, draft: Draft) -> str:
    d, text = drafter, draft.text
    plan = f"<{ID}workplan/{draft.plan_key}>"
    record = source_records.read(d.path)
    digest = hashlib.sha256(d.path.read_bytes()).hexdigest()
    out = [
        f"# Draft of data/workplans/{draft.stem}.ttl written by `ccmgraph draft` from",
        f"# data/sources/{draft.stem}.txt. Edit it, then `ccmgraph build`; notes starting",
        "# 'REVIEW:' say what the drafter could not decide (see /review/ in `ccmgraph serve`).",
        style.prefix_block({}).rstrip("\n"),
    ]
    for kind, prefix in KIND_PREFIX.items():
        out.append(f"@prefix {prefix}: <{ID}workplan/{draft.plan_key}/{kind}/> .")
    title = next((o for p, o, _, _ in draft.statements if p == "dcterms:title"), draft.stem)
    issuers = [o for p, o, _, _ in draft.statements if p == "ccm:workingGroup"]
    if not issuers and re.search(r"Implementation Support Unit|\bISU\b", title):
        issuers = ["orgid:isu"]
    if not issuers:
        issuers = [o for p, o, _, _ in draft.statements if p == "ccm:coordinator"] or ["orgid:isu"]
        draft.notes.append(REVIEW + "The issuer of the document is a guess (no working group named in its heading).")
    period = next((o for p, o, _, _ in draft.statements if p == "ccm:period"), None)
    src = [
        f"\nsource:{draft.stem} a ccm:SourceDocument ;",
        f"    dcterms:title {_lit(title)}@en ;",
        f"    ccm:issuer {' , '.join(issuers[:1])} ;",
    ]
    if period:
        src.append(f"    ccm:period {period} ;")
    src.append(f"    ccm:fileName {_lit(d.path.name)} ;")
    if record is not None:
        src.append(f"    ccm:originalFileName {_lit(record.originalFileName)} ;")
        src.append(f"    ccm:originalSha256 {_lit(record.originalSha256)} ;")
    src.append(f"    ccm:sha256 {_lit(digest)} .")
    out += src
    # the work plan
    group = next((o for p, o, _, _ in draft.statements if p == "ccm:workingGroup"), None)
    group_iri = ID[f"working-group/{group.removeprefix('wg:')}"] if group else None
    topic = re.sub(r"^(?:Working Group|Coordinators?) on ", "", d.ref.labels.get(group_iri, "")) if group_iri else ""
    years = (period or "").removeprefix("period:").replace("--", "-")
    plan_label = f"{topic} work plan {years}".strip() if topic and years else element_label(title)
    body = [
        f"\n{plan} a ccm:WorkPlan",
        f"    rdfs:label {_lit(plan_label)}@en",
        f"    ccm:sourceDocument source:{draft.stem}",
    ]
    by_prop: dict[str, list[tuple[str, str | None, str]]] = {}
    for prop, obj, quote, note in draft.statements:
        by_prop.setdefault(prop, []).append((obj, quote, note))
    for prop in (
        "dcterms:title",
        "ccm:workingGroup",
        "ccm:period",
        "ccm:leadsUpTo",
        "ccm:coordinator",
        "ccm:implementer",
        "ccm:partner",
        "ccm:mentions",
    ):
        rows = by_prop.get(prop, [])
        if not rows:
            continue
        if prop == "dcterms:title":
            body.append(f"    dcterms:title {_lit(rows[0][0])}@en")
            continue
        objects = list(dict.fromkeys(o for o, _, _ in rows))
        body.append(f"    {prop} {' , '.join(objects)}")
        for quote in dict.fromkeys(q for _, q, _ in rows if q):
            s, e = map(int, quote.split(":"))
            body.append(f"    ccm:evidence {_evidence(d, s, e, prop)}")
        for note in dict.fromkeys(n for _, _, n in rows if n):
            draft.notes.append(note)
    for obj, quote, note in by_prop.get("align", []):
        s, e = map(int, quote.split(":"))  # type: ignore[union-attr]
        body.append(
            f"    ccm:hasAlignment [ {_action_list(obj)} ; ccm:basis ccm:StatedInText ;\n"
            f"        ccm:evidence {_evidence(d, s, e)} ]"
        )
        draft.notes.append(note)
    for note in dict.fromkeys(draft.notes):
        body.append(f"    ccm:curationNote {_prose(note)}@en")
    out.append(" ;\n".join(body) + " .")
    # organisations the reference data lacks
    for key, (label, s, e) in draft.new_orgs.items():
        out.append(
            f"\norgid:{key} a ccm:Organization ;\n    rdfs:label {_lit(label)}@en ;\n"
            f"    dcterms:source source:{draft.stem} ;\n"
            f"    ccm:curationNote {_lit(REVIEW + NEW_ORG)}@en ;\n"
            f"    ccm:evidence {_evidence(d, s, e)} ."
        )
    for key, (label, s, e) in draft.new_meetings.items():
        kind = "ccm:ReviewConference" if key.endswith("rc") else "ccm:MeetingOfStatesParties"
        out.append(
            f"\nmeeting:{key} a {kind} ;\n    rdfs:label {_lit(label)}@en ;\n"
            f"    dcterms:source source:{draft.stem} ;\n"
            f"    ccm:curationNote {_lit(REVIEW + NEW_MEETING)}@en ;\n"
            f"    ccm:evidence {_evidence(d, s, e)} ."
        )
    # elements, kind by kind, in document order
    for kind in ("objective", "activity", "output", "outcome", "timeline"):
        members = [it for it in draft.items if it.kind == kind]
        if members:
            out.append(f"\n# ---------------------------------------------------------------- {kind} elements")
        for item in members:
            types = [KIND_CLASS[kind]] + (
                ["ccm:Track"] if kind == "activity" and item.children and item.key.startswith("track") else []
            )
            lines = [
                f"\n{KIND_PREFIX[kind]}:{item.key} a {' , '.join(types)}",
                f"    rdfs:label {_lit(element_label(text[item.start : item.end]))}@en",
            ]
            if item.identifier:
                lines.append(f"    dcterms:identifier {_lit(item.identifier)}")
            if item.period:
                lines.append(f"    ccm:scheduledIn period:{item.period}")
            notes = []
            for link in item.links:
                lines.append(f"    {link.prop} {link.target}")
                lines.append(f"    ccm:hasQualifiedLink {_qualified(d, link)}")
                if link.review:
                    notes.append(link.review)
            facts = draft.element_facts.get(id(item), [])
            for prop in ("ccm:partner", "ccm:mentions", "ccm:supportsArticle"):
                objects = list(dict.fromkeys(o for p, o, *_ in facts if p == prop))
                if objects:
                    lines.append(f"    {prop} {' , '.join(objects)}")
                notes += [n for p, _, _, _, n in facts if p == prop and n]
            notes += [o for p, o, *_ in facts if p == "note"]
            lines.append(f"    ccm:evidence {_evidence(d, item.start, item.end)}")
            for _, obj, s, e, review in (f for f in facts if f[0] == "align"):
                if review:
                    notes.append(review)
                s, e = d.widened(s, e, item.start if item.start <= s else s)
                quote, context = d.quote(s, e)
                ev = f"[ ccm:quote {_prose(quote)} ]"
                if context:
                    # the element's own text where it holds the quote; a table cell beside it, its context
                    within = item.start <= s and e <= item.end
                    ev = (
                        f"[ ccm:quote {_prose(quote)} ;\n            ccm:quoteContext "
                        f"{_prose(drafter.quote(item.start, item.end)[0] if within else context)} ]"
                    )
                lines.append(
                    f"    ccm:hasAlignment [ {_action_list(obj)} ; ccm:basis ccm:StatedInText ;\n"
                    f"        ccm:evidence {ev} ]"
                )
            for note in dict.fromkeys(notes):
                lines.append(f"    ccm:curationNote {_prose(note)}@en")
            out.append(" ;\n".join(lines) + " .")
    return "\n".join(out) + "\n"


_PLAN_WORDS = re.compile(r"objective|activit|work\s*plan|action|output|timeline|coordinator", re.IGNORECASE)


def check_draftable(text_path: Path, text: str) -> list[Block]:
    """Refuse, in one line naming the file, a text too large or too unlike a work plan to draft;
    else its blocks (read once, for the drafter too)."""
    # a work plan runs to tens of KB; the drafter is linear, but a review of megabytes is not
    most = Settings.from_environment().draft_max_kb * 1000
    if len(text) > most:
        raise errors.DataError(
            f"{text_path}: {len(text):,} characters, more than the {most:,} a work plan is drafted from "
            "($CCMGRAPH_DRAFT_MAX_KB); split it, or ingest the work plan alone"
        )
    found = blocks(text)
    structured = sum(1 for b in found if b.kind in ("heading", "item", "row", "keyvalue"))
    words = {m.group(0).lower()[:6] for m in _PLAN_WORDS.finditer(text)}
    if structured < 3 or len(words) < 2:
        raise errors.DataError(
            f"{text_path}: does not read as a work plan ({structured} headings, list items or table rows; "
            f"{len(words)} of the words objective, activity, work plan, action, output, timeline, coordinator)"
        )
    return found


def draft_text(text_path: Path, reference: ReferenceIndex | None = None) -> str:
    """The draft Turtle for a source text (nothing written), in the curated files' layout;
    a text too large or too unlike a work plan is refused (``check_draftable``)."""
    structure = check_draftable(text_path, text_path.read_text(encoding="utf-8"))
    drafter = Drafter(text_path, reference, structure)
    return style.formatted(turtle(drafter, drafter.run()), text_path)


def write_draft(text_path: Path, force: bool = False) -> Path:
    """Write data/workplans/<stem>.ttl; refuse to overwrite a curated file unless ``force``."""
    if not text_path.is_file():
        raise FileNotFoundError(f"{text_path}: no such file")
    if text_path.suffix != ".txt":
        raise errors.InputError(
            f"{text_path}: draft reads a source text (.txt); run `ccmgraph ingest` on a PDF or Word file"
        )
    target = paths.WORKPLANS / f"{text_path.stem}.ttl"
    if target.exists() and not force:
        raise FileExistsError(f"{target}: exists (curated work is not overwritten; --force replaces it)")
    content = draft_text(text_path)
    paths.WORKPLANS.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return target
