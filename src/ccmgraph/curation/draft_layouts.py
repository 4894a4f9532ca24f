"""Recognisers for two layouts the sources do not use, read on :mod:`structure` blocks.

- A **logical framework**: ``OUTCOME 1: ...`` (or ``Result 1``) headings are objectives,
  ``Output 1.1: ...`` headings their outputs, outline items ``1.1.1 ...`` under an output its
  activities (serving the outcome the output serves), each with its timing in brackets at the
  end (``(April-May 2026)``) as a timeline entry quoting it.
- A **narrative plan**: paragraphs opening with ``Our first aim is ...`` are objectives; each
  sentence of such a paragraph that says what someone *will* do is an activity of it (a
  sentence joining two undertakings with ``, and`` is two), dated by the period it states
  (``In February 2025``, ``Q3 2025 -``, ``Throughout 2026``; ``by the 14th Meeting of States
  Parties`` undated and flagged when the reference data lacks the meeting's dates).

Both run before the line-based recognisers of the sources' layouts, which then skip what they
took; neither fires on a text without its markers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from rdflib import URIRef

from ccmgraph.curation import expressions
from ccmgraph.curation.reference_index import ReferenceIndex
from ccmgraph.curation.structure import Block, Cell, parent_marker

Item = Any  # draft.Item (draft.py calls this module: no import back)


class Drafter(Protocol):
    """What these recognisers use of ``draft.Drafter``."""

    text: str
    blocks: list[Block]
    ref: ReferenceIndex
    draft: Any

    def _free(self) -> Callable[[int, int], bool]: ...
    def _new_item(
        self, kind: str, key: str, identifier: str | None, span: tuple[int, int], parent: Item | None
    ) -> Item: ...
    def link(self, child: Item, parent: Item, comment: str) -> None: ...
    def _row_timing(self, item: Item, timing: Cell) -> None: ...
    def _names(self, start: int, end: int, topics: bool = True) -> list[tuple[URIRef, str | None]]: ...
    def _curie(self, iri: URIRef) -> str: ...
    def add(
        self, prop: str, obj: str, start: int | None = None, end: int | None = None, note: str | None = None
    ) -> None: ...


_RESULT = re.compile(
    r"^(Outcome|Result|Output)\s+(\d{1,2}(?:\.\d{1,2})?)\s*[-–—:.]\s*(\S.*)$", re.IGNORECASE | re.DOTALL
)
_TRAILING_BRACKET = re.compile(r"\s*\(([^()]{3,60})\)\s*[.;]?\s*$")
_AIM = re.compile(
    r"(?:Our|The(?:\s+Coordinators['’])?)\s+(" + "|".join(expressions.ORDINAL_WORDS) + r")\s+"
    r"(?:aim|objective|goal|priority)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?](?=\s|$)|$)")
_WILL = re.compile(r"\bwill\b")
# a meeting as a deadline ("by the 14th MSP"), not as a place ("at the Third Review Conference")
_DEADLINE = re.compile(r"^(?:by|before|until|ahead\s+of|up\s+to)\b", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:in|from|during|by)?\s*$", re.IGNORECASE)
_INVOLVES = re.compile(r"\b(?:involve|work(?:s|ing)?\s+with|together\s+with|in\s+partnership|partners?)\b")


def _label_start(block: Block) -> int:
    """Where an item's text begins after its marker."""
    after = block.text[len(block.marker or "") :]
    return block.start + len(block.text) - len(after.lstrip())


def logframe(d: Drafter) -> None:
    """Outcomes, their outputs and the numbered activities under each output."""
    free = d._free()
    objectives: dict[str, Item] = {}
    outputs: dict[str, Item] = {}
    for block in d.blocks:
        if block.kind == "heading" and (m := _RESULT.match(block.text)) and free(block.start, block.end):
            number, span = m[2], (block.start + m.start(3), block.end)
            if m[1].lower() == "output":
                parent = objectives.get(parent_marker(number) or "")
                if parent is not None:
                    outputs[number] = d._new_item("output", number, number, span, parent)
            elif "." not in number:
                objectives[number] = d._new_item("objective", number, number, span, None)
        elif block.kind == "item" and block.scheme == "outline" and block.marker:
            number = block.marker.rstrip(".")
            output = outputs.get(parent_marker(number) or "")
            if output is None or not free(block.start, block.end):
                continue
            start, end, timing = _label_start(block), block.end, None
            if (bracket := _TRAILING_BRACKET.search(block.text)) is not None:
                found = expressions.periods(bracket[1], d.ref)
                if len(found) == 1 and found[0].quote == bracket[1].strip():
                    end = block.start + bracket.start()
                    timing = Cell(block.start + bracket.start(1), block.start + bracket.end(1), bracket[1])
            activity = d._new_item("activity", number, number, (start, end), None)
            objective = output.parent
            if objective is not None:
                d.link(
                    activity,
                    objective,
                    f"Numbered {number}, under output {output.identifier}, which serves {objective.identifier}.",
                )
            if timing is not None:
                d._row_timing(activity, timing)


def narrative(d: Drafter) -> None:
    """Aims as objectives; what the text says someone will do under each aim as activities,
    with the periods they state as timeline entries; organisations a paragraph outside the aims
    involves as partners of the plan."""
    free = d._free()
    objective: Item | None = None
    drafted = False
    for block in d.blocks:
        if block.kind != "paragraph" or not free(block.start, block.end):
            continue
        sentences = [
            (block.start + m.start() + len(m[0]) - len(m[0].lstrip()), block.start + m.end())
            for m in _SENTENCE.finditer(block.text)
            if m[0].strip()
        ]
        aim = _AIM.match(d.text, sentences[0][0]) if sentences else None
        if aim is None:
            if drafted:
                _involved(d, sentences)
            objective = None
            continue
        number = str(expressions.ORDINAL_WORDS.index(aim[1].lower()) + 1)
        objective = d._new_item("objective", number, number, sentences[0], None)
        drafted = True
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for start, end in sentences[1:]:
            if not _WILL.search(d.text, start, end):
                continue
            for lo, hi in _undertakings(d.text, start, end):
                _prose_activity(d, objective, f"{number}{next(letters)}", lo, hi)


def _undertakings(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence as the undertakings it joins with ``, and`` (each of four words or more)."""
    cut = text.find(", and ", start, end)
    if cut < 0 or len(text[start:cut].split()) < 4 or len(text[cut + 6 : end].split()) < 4:
        return [(start, end)]
    return [(start, cut), (cut + 6, end)]


def _prose_activity(d: Drafter, objective: Item, key: str, start: int, end: int) -> None:
    """One undertaking: the period opening it is cut from the activity's text and drafted as its
    timeline entry; a deadline meeting inside it too (undated unless the reference data dates it)."""
    found = [p for p in expressions.periods(d.text[start:end], d.ref) if p.key or p.meeting]
    lead = next((p for p in found if _LEAD_IN.match(d.text[start : start + p.start])), None)
    body = start
    if lead is not None:
        body = start + lead.end
        body += len(d.text[body:end]) - len(d.text[body:end].lstrip(" \t-–—,:"))
    activity = d._new_item("activity", key, None, (body, end), None)
    d.link(activity, objective, f"In the paragraph of aim {objective.identifier}.")
    for p in found:
        if p.meeting and not _DEADLINE.match(p.quote):
            continue
        d._row_timing(activity, Cell(start + p.start, start + p.end, p.quote))


def _involved(d: Drafter, sentences: list[tuple[int, int]]) -> None:
    """Organisations a sentence outside the aims says the plan involves: partners of the plan."""
    own = {o for p, o, _, _ in d.draft.statements if p in ("ccm:coordinator", "ccm:workingGroup")}
    for start, end in sentences:
        if not _INVOLVES.search(d.text, start, end):
            continue
        for iri, note in d._names(start, end, topics=False):
            if (name := d._curie(iri)) not in own and not name.startswith("state:"):
                d.add("ccm:partner", name, start, end, note)
