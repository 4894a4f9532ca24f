"""Reading a work plan for ``ccmgraph draft``: what the text says, where (see ``draft_file`` for the file).

It reads the text as the five sources are laid out (numbered sections; "1) a)", "a/",
"1.", bullets and "Track 1:" items; month and quarter headings in the timeline) and finds the
statements of a curated file (data/README.md), each with the span of text that backs it.
What it cannot decide (a name it guessed, an organisation the reference data lacks, a
meeting it does not know, the scope of plan-wide LAP actions) it flags with a curation note
starting "REVIEW:", shown first on the review page.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

from rapidfuzz import fuzz, process
from rdflib import URIRef

from ccmgraph.curation import draft_layouts, expressions
from ccmgraph.curation.ingest import slug
from ccmgraph.curation.reference_index import Match, ReferenceIndex
from ccmgraph.curation.reference_index import load as load_reference
from ccmgraph.curation.structure import Block, Cell, blocks, parent_marker, tables
from ccmgraph.namespaces import CURATED, ID, LAP, curie
from ccmgraph.pipeline import evidence
from ccmgraph.pipeline.authoring import parse_action_list
from ccmgraph.pipeline.periods import bounds

REVIEW = "REVIEW: "
NEW_ORG = "not in data/reference/: move it there with its source, or replace it."
NEW_MEETING = "a meeting data/reference/meetings.ttl lacks: add it there with its source and dates, or replace it."
KIND_PREFIX = {
    "objective": "objective",
    "activity": "activity",
    "output": "output",
    "outcome": "outcome",
    "timeline": "timeline",
}
_ORDINALS = {w: i for i, w in enumerate(expressions.ORDINAL_WORDS, 1)}
_MONTHS = {m: i for i, m in enumerate(expressions.MONTH_NAMES, 1)}
_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4}

# ---------------------------------------------------------------- patterns

_SECTION = re.compile(
    r"^(?:[IVX]+\.|\d+\.-?|[A-Z]\.)?\s*(?:\d\.\s*)?(background|context|objectives?|specific objectives|main objective|"
    r"(?:key |implementation |main )?activities|expected outputs?|expected outcomes?|outcomes|outputs|"
    r"strategy implementers|(?:(?:likely |potential )?implementation |implementing )?partners|timeline|"
    r"overarching activities|"
    r"target states|estimated budget|budget|priorities|mandate|premise|assumptions|summary)\b",
    re.IGNORECASE,
)
_ITEM = [
    ("track", re.compile(r"^Track\s+(\d+(?:\.\d+)?)\s*:?\s*(.*)$")),
    ("group", re.compile(r"^Output\s+(\d+)\s*:?\s*(.*)$")),
    ("number", re.compile(r"^(\d{1,2})[.)]\s+(.+)$")),
    ("letter", re.compile(r"^\(?([a-z])[)/.]\s*(.+)$")),
    ("bullet", re.compile(r"^[-•▪*\uf0b7]\s*(.+)$")),
]
_LAP = re.compile(
    r"(?:LAP\s+)?\b[Aa]ctions?\s+(?:numbers?\s+)?"
    r"(\d{1,2}(?:\s*[A-D](?:\s*-\s*[A-D])?\b)?"
    r"(?:\s*(?:,|and|to|–|-)\s*\d{1,2}(?:\s*[A-D](?:\s*-\s*[A-D])?\b)?)*)"
)
_ARTICLE = re.compile(r"\bArticles?\s+(\d{1,2}(?:\s*(?:,|and)\s*\d{1,2})*)")
_MEETING = re.compile(
    r"\b(\d{1,2})\s*(?:st|nd|rd|th)?\s*(MSP|RC\b|Review Conference|Meeting of (?:the )?States Parties)"
    r"|\b(" + "|".join(_ORDINALS) + r")\s+(Review Conference|Meeting of (?:the )?States Parties)",
    re.IGNORECASE,
)
_LEADS = re.compile(
    r"(?:lead(?:s|ing)?\s+up\s+(?:to\s+)?|up\s+to\s+|(?<=\s)up\s+|by\s+|in\s+preparation\s+for\s+"
    r"|towards\s+)the\s+",
    re.IGNORECASE,
)
_QUARTER_HEAD = re.compile(r"^(First|Second|Third|Fourth)\s+Quarter\s+(?:of\s+)?(\d{4})\s*:?$", re.IGNORECASE)
_MONTH_HEAD = re.compile(r"^(" + "|".join(_MONTHS) + r")\s+(\d{4})\s*:?$", re.IGNORECASE)
_RANGE_HEAD = re.compile(
    r"\((" + "|".join(_MONTHS) + r")\s+(\d{4})\s*[–-]\s*(" + "|".join(_MONTHS) + r")\s+(\d{4})\)", re.IGNORECASE
)


# an activity table's columns by their header (the first that matches names the column's role)
_COLUMN_ROLES = [
    ("reference", re.compile(r"^(?:ref(?:erence)?\.?|no\.?|#|code|id)$", re.IGNORECASE)),
    ("actions", re.compile(r"\b(?:LAP|action plan|actions?)\b", re.IGNORECASE)),
    ("activity", re.compile(r"\bactivit(?:y|ies)\b", re.IGNORECASE)),
    ("timing", re.compile(r"\b(?:timing|timeline|when|dates?|timeframe|deadline|schedule)\b", re.IGNORECASE)),
    ("partners", re.compile(r"\b(?:partners?|with|implementers?|responsible|lead)\b", re.IGNORECASE)),
    ("output", re.compile(r"\boutputs?\b", re.IGNORECASE)),
    ("indicator", re.compile(r"\bindicators?\b", re.IGNORECASE)),
    ("budget", re.compile(r"\b(?:budget|cost)\b", re.IGNORECASE)),
]
# a parenthesised acronym after a title, a treaty or a plan: not an organisation
_NOT_AN_ORGANISATION = re.compile(
    r"\b(?:convention|work\s*plan|action plan|treaty|conference|meeting)\b", re.IGNORECASE
)
_OBJECTIVE = re.compile(r"^(?:Specific\s+)?Objective\s+([A-Z]|\d{1,2})\s*[-–—:.]\s*(\S.*)$", re.DOTALL)
_COORDINATORS_IN_PROSE = re.compile(r"\bCoordinators\b[^.,\n]{0,120},\s*([^,.\n]{3,80}),")
_OTHER_TABLE = re.compile(r"^(?:cost|budget|item)\s*\t.*\b(?:amount|cost|budget|chf|usd|eur)\b", re.IGNORECASE)
# words every element of a work plan may hold: no sign of what it serves
_COMMON_STEMS = {
    w[:6]
    for w in (
        *("states", "parties", "convention", "their", "with", "from", "that", "this", "will", "through"),
        *("other", "which", "including", "relevant", "support", "within", "between"),
    )
}
# an organisation's name: capitalised words (short linking words aside), an acronym in brackets
_NAME_WORD = r"(?:[A-Z][\w'’&.-]*|of|the|for|and|on|in|de|des|du|la|le|to|&)"
_PROPER_NAME = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|\([A-Z][A-Za-z&-]+\)))*")
# a sentence that opens with what to do ("Convene ...", "Draft ..."): an undertaking
_UNDERTAKING = re.compile(
    r"^(?!(?:This|These|That|The|It|Its|In|During|Key|Our|We|They|As|For|With|Where|When|If|While|To|Suggested)\b)"
    r"[A-Z][a-z]+\s+\S+(?:\s+\S+){5,}[.:]$"
)
_MOST_OBJECTIVES = 30  # objectives compared by their words with each item of a numbered list
_TABLE_KINDS = {"outcomes": "outcome", "outputs": "output", "activities": "activity", "objectives": "objective"}


@dataclass
class Line:
    start: int  # offset of the first character of the cleaned text
    end: int
    text: str  # without markdown decoration (#, **) and surrounding blanks


@dataclass
class Item:
    kind: str
    key: str
    identifier: str | None
    start: int
    end: int
    parent: Item | None = None
    period: str | None = None
    relation: str = "partner"  # what names in its text are: partner (activities) or mentions
    children: list[Item] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)  # its structural links, each with its basis


@dataclass
class Link:
    """A structural link (contributesTo, subActivityOf) and what the draft has for it: the
    basis (``ByHeading`` with the heading's span as its quote, ``ByPosition`` with a comment)
    and, where the drafter guessed, a REVIEW note."""

    prop: str
    target: str
    basis: str
    comment: str | None = None
    quote: tuple[int, int] | None = None
    review: str | None = None


@dataclass
class Draft:
    """What the drafter found; ``turtle()`` writes it."""

    stem: str
    plan_key: str
    text: str
    title: Line | None = None
    statements: list[tuple[str, str, str | None, str]] = field(default_factory=list)  # (prop, object, quote, note)
    items: list[Item] = field(default_factory=list)
    new_orgs: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # key -> (label, start, end)
    new_meetings: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # 14msp -> (label, start, end)
    notes: list[str] = field(default_factory=list)  # on the work plan
    element_facts: dict[int, list[tuple[str, str, int, int, str | None]]] = field(default_factory=dict)


def aligned(listed: str, plan: URIRef | None) -> str:
    """An "align" fact's object: the action list, then (after a tab) the IRI of its action plan
    when it is not the LAP."""
    return listed if plan is None or plan == LAP else f"{listed}\t{plan}"


def split_aligned(obj: str) -> tuple[str, URIRef | None]:
    """An "align" fact's action list and action plan (None: the LAP)."""
    listed, _, plan = obj.partition("\t")
    return listed, URIRef(plan) if plan else None


# ---------------------------------------------------------------- reading the text


def lines_of(text: str) -> list[Line]:
    out = []
    for m in re.finditer(r"[^\n]+", text):
        raw = m.group(0)
        inner = re.match(r"^[\s#*>|]*(.*?)[\s*|]*$", raw)
        if inner is None or not inner.group(1).strip():
            continue
        start = m.start() + inner.start(1)
        cleaned = inner.group(1).replace("**", "").replace("***", "").strip()
        out.append(Line(start, m.start() + inner.end(1), cleaned))
    return out


def _item_marker(text: str) -> tuple[str, str, str] | None:
    for kind, pattern in _ITEM:
        if m := pattern.match(text):
            groups = m.groups()
            return (kind, "", groups[0]) if kind == "bullet" else (kind, groups[0], groups[1])
    return None


def _section_kind(text: str) -> str | None:
    m = _SECTION.match(text)
    if not m or len(text.split()) > 14:
        return None
    word = text.lower()
    for key, kind in (
        ("timeline", "timeline"),
        ("overarching", "timeline"),
        ("outcome", "outcome"),
        ("output", "output"),
        ("objective", "objective"),
        ("activit", "activity"),
        ("priorit", "activity"),
        ("partner", "partner"),
        ("implementer", "partner"),
    ):
        if key in word:
            return kind
    return "other"


def _period_of_heading(text: str) -> str | None:
    if m := _QUARTER_HEAD.match(text):
        return f"{m[2]}-Q{_QUARTERS[m[1].lower()]}"
    if m := _MONTH_HEAD.match(text):
        return f"{m[2]}-{_MONTHS[m[1].lower()]:02d}"
    if m := _RANGE_HEAD.search(text):
        return f"{m[2]}-{_MONTHS[m[1].lower()]:02d}--{m[4]}-{_MONTHS[m[3].lower()]:02d}"
    if m := re.fullmatch(r"(\d{4})\s*:?", text):
        return m[1]
    return None


def _title(text: str) -> str:
    """A heading's words, lower-cased, without its number: "1) Gender Mainstreaming" -> "gender mainstreaming"."""
    return " ".join(re.sub(r"^\W*\d{1,2}[.)]\s*", "", text).lower().split())


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", ";", ":", "!", "?"))


# ---------------------------------------------------------------- the drafter


class Drafter:
    def __init__(
        self, text_path: Path, reference: ReferenceIndex | None = None, structure: list[Block] | None = None
    ) -> None:
        self.path = text_path
        self.text = text_path.read_text(encoding="utf-8")
        self.ref = reference or load_reference()
        self.lines = lines_of(self.text)
        self.blocks = blocks(self.text) if structure is None else structure
        self.row_facts: dict[int, list[tuple[str, str, int, int, str | None]]] = {}
        self._rows_read: list[tuple[int, int]] = []  # table rows (header too) whose cells were read
        self._titles: dict[str, Item] = {}  # objectives by their title, numbering left out
        self._keys: set[tuple[str, str]] = set()  # (kind, key) of the elements drafted
        self._next_suffix: dict[tuple[str, str], int] = {}
        stem = text_path.stem
        key = re.sub(r"-?(?:work-?plan|concept-note|budget)-?", "-", stem).strip("-")
        self.draft = Draft(stem=stem, plan_key=re.sub(r"-{2,}", "-", key), text=self.text)

    # ------------------------------------------------------------ quotes

    def occurs_once(self, quote: str) -> bool:
        """Whether ``quote`` occurs once in the text, whitespace collapsed, as the build's
        ``evidence.occurrences`` counts (a match may start or end inside a word). A quote of three
        words or more is looked up by its rarest inner word, which a match holds whole: so
        each quote costs the occurrences of one word, not a scan of the text."""
        words = quote.split()
        flat, where = self._flat
        needle = " ".join(words)
        if len(words) < 3:  # found by a scan of the text, stopped at the second match
            first = flat.find(needle)
            return first >= 0 and flat.find(needle, first + len(needle)) < 0
        if not all(map(where.__contains__, words[1:-1])):
            return False
        rarest = min(words[1:-1], key=lambda w: len(where[w]))
        inner = words.index(rarest, 1)
        offset = len(" ".join(words[:inner])) + 1
        found = 0
        for at in where.get(words[inner], ()):
            if flat.startswith(needle, at - offset):
                found += 1
                if found > 1:
                    return False
        return found == 1

    def widened(self, start: int, end: int, lo: int) -> tuple[int, int]:
        """``start``..``end`` widened word by word to the left (not before ``lo``) until it occurs
        once in the text: "Action 1" twice in a sentence becomes "LAP Action 1"."""
        while start > lo and not self.occurs_once(self.text[start:end]):
            before = self.text[lo:start].rstrip()
            start = lo + (max(before.rfind(" "), before.rfind("\n"), before.rfind("\t")) + 1)
        return start, end

    @cached_property
    def _flat(self) -> tuple[str, dict[str, list[int]]]:
        """The text with each run of whitespace as one space, and where each word starts in it."""
        flat = " ".join(self.text.split())
        where: dict[str, list[int]] = {}
        for m in re.finditer(r"\S+", flat):
            where.setdefault(m.group(0), []).append(m.start())
        return flat, where

    def quote(self, start: int, end: int) -> tuple[str, str | None]:
        """The quote of text[start:end] and, when it is not unique, a unique context around it."""
        words = " ".join(self.text[start:end].split())
        if self.occurs_once(words):
            return words, None
        for lo, hi in ((start, end + 80), (start - 80, end), (start - 80, end + 80), (start - 300, end + 300)):
            lo, hi = max(0, lo), min(len(self.text), hi)
            context = " ".join(
                self.text[lo:hi].split()[1:-1] if lo > 0 and hi < len(self.text) else self.text[lo:hi].split()
            )
            if words in context and self.occurs_once(context) and len(evidence.occurrences(context, words)) == 1:
                return words, context
        return words, None

    # ------------------------------------------------------------ plan-level facts

    def _title(self) -> None:
        for line in self.lines[:25]:
            if (
                re.search(r"work\s*plan|workplan|plan of work|logical framework|concept note", line.text, re.IGNORECASE)
                and re.search(r"\b20\d\d\b", line.text)
                and len(line.text) < 160
            ):
                self.draft.title = line
                return
        self.draft.notes.append(REVIEW + "No title line (with 'work plan' or 'concept note') was found.")

    def _period(self) -> str | None:
        title = self.draft.title.text if self.draft.title else ""
        if m := re.search(r"(20\d\d)\s*[-–]\s*(20\d\d)", title):
            return f"{m[1]}--{m[2]}"
        if m := re.search(r"\b(20\d\d)\b", title):
            return m[1]
        years = re.findall(r"20\d\d", self.path.stem)
        if years:
            self.draft.notes.append(REVIEW + "The period is read from the file name, not from the text.")
            return f"{years[0]}--{years[-1]}" if len(years) > 1 else years[0]
        return None

    def _meeting_key(self, m: re.Match[str]) -> str:
        if m[1]:
            number, kind = int(m[1]), m[2].lower()
        else:
            number, kind = _ORDINALS[m[3].lower()], m[4].lower()
        return f"{number}{'rc' if kind.startswith(('rc', 'review')) else 'msp'}"

    def meetings_in(self, start: int, end: int) -> list[tuple[str, int, int]]:
        return [
            (self._meeting_key(m), start + m.start(), start + m.end()) for m in _MEETING.finditer(self.text[start:end])
        ]

    def add(
        self, prop: str, obj: str, start: int | None = None, end: int | None = None, note: str | None = None
    ) -> None:
        quote = None if start is None or end is None else f"{start}:{end}"
        self.draft.statements.append((prop, obj, quote, note or ""))

    def _plan_facts(self) -> None:
        d, ref = self.draft, self.ref
        head = [line for line in self.lines[:30]]
        title = d.title
        if title:
            index = self.lines.index(title)
            before = [ln for ln in self.lines[max(0, index - 2) : index] if ref.find_groups(ln.text)]
            heading = f"{before[-1].text.rstrip(' ,')}, {title.text}" if before else title.text
            self.add("dcterms:title", " ".join(heading.split()))
        period = self._period()
        if period:
            self.add("ccm:period", f"period:{period}", *((title.start, title.end) if title else (None, None)))
        else:
            d.notes.append(REVIEW + "No period found: add ccm:period.")
        issued_by_isu = title is not None and re.search(r"Implementation Support Unit|\bISU\b", title.text)
        for line in [] if issued_by_isu else head:  # the ISU's own plan is no working group's
            groups = ref.find_groups(line.text)
            if groups:
                g = groups[0]
                self.add("ccm:workingGroup", self._curie(g.iri), line.start + g.start, line.start + g.end)
                break
        else:  # "Working group<TAB>Thematic Working Group on Clearance and Risk Education": by spelling
            for block in self.blocks[:60]:
                if block.kind == "keyvalue" and re.fullmatch(r"(?:thematic )?working group", block.key, re.I):
                    value = block.cells[-1]
                    best = process.extractOne(value.text.lower(), list(ref.groups), scorer=fuzz.token_set_ratio)
                    if best is not None and best[1] >= 85:
                        label = ref.labels.get(ref.groups[best[0]], best[0])
                        note = f"{REVIEW}'{value.text}' is read as {label} (spelling)."
                        self.add("ccm:workingGroup", self._curie(ref.groups[best[0]]), value.start, value.end, note)
                    break
        self._coordinators()
        self._leads_up_to()

    def _coordinators(self) -> None:
        ref = self.ref
        for block in self.blocks[:60]:  # a cover table or key-value line: "Coordinators<TAB>X and Y"
            if block.kind == "keyvalue" and re.fullmatch(r"co-?ordinators?|co-?chairs?", block.key, re.IGNORECASE):
                value = block.cells[-1]
                states = ref.find_states(value.text, guess=True)
                self._add_coordinators(states, block.start, block.end)
                if states:
                    return
        for i, line in enumerate(self.lines[:40]):
            label = re.match(r"^Coordinators?\s*:\s*(.*)$", line.text)
            candidates = []
            if label:
                candidates = [line] if label.group(1) else self.lines[i + 1 : i + 2]
            elif i < 15 and len(line.text.split()) <= 8:
                rest = re.sub(r"\b(and|&)\b|[,;]", " ", line.text)
                states = ref.find_states(line.text, guess=True)
                covered = sum(len(s.written.split()) for s in states)
                if states and covered == len(rest.split()):
                    candidates = [line]
            for cand in candidates:
                states = ref.find_states(cand.text, guess=True)
                if not states:
                    continue
                start, end = (line.start if label else cand.start), cand.end
                self._add_coordinators(states, start, end)
                return
        if m := _COORDINATORS_IN_PROSE.search(self.text, 0, 3000):  # "The Coordinators on ..., X and Y, present"
            states = ref.find_states(m[1])
            rest = re.sub(r"\b(?:and|&)\b|[,;]", " ", m[1])
            if states and sum(len(s.written.split()) for s in states) == len(rest.split()):
                self._add_coordinators(states, m.start(), m.end())
                return
        self.draft.notes.append(REVIEW + "No coordinators found; add ccm:coordinator if the plan names them.")

    def _spelling(self, m: Match) -> str | None:
        """The review note of a name matched by its spelling, not by a known name."""
        return (
            f"{REVIEW}'{m.written}' is read as {self.ref.labels.get(m.iri, m.iri)} (spelling)." if m.guessed else None
        )

    def _add_coordinators(self, states: list[Match], start: int, end: int) -> None:
        for s in states:
            self.add("ccm:coordinator", self._curie(s.iri), start, end, self._spelling(s))

    def _leads_up_to(self) -> None:
        candidates = []
        for m in _LEADS.finditer(self.text):
            after = _MEETING.match(self.text, m.end())
            if after:
                candidates.append((self._meeting_key(after), m.start(), after.end()))
        if not candidates:
            return
        key, start, end = candidates[0]
        if key in self.ref.meetings:
            self.add("ccm:leadsUpTo", f"meeting:{key}", start, end)
            others = {k for k, _, _ in candidates} - {key}
            if others:
                self.draft.notes.append(
                    REVIEW + f"The text also leads up to {', '.join(sorted(others))}; "
                    f"{key} (named first) was kept as ccm:leadsUpTo."
                )
        else:
            self.draft.notes.append(
                REVIEW + f"The plan leads up to '{self.text[start:end]}', a meeting the "
                "reference data lacks (data/reference/meetings.ttl)."
            )

    @staticmethod
    def _curie(iri: URIRef) -> str:
        name = curie(str(iri), table=CURATED)
        return name if name and re.fullmatch(r"[a-z]+:[A-Za-z0-9_-]+", name) else f"<{iri}>"

    # ------------------------------------------------------------ structure

    def _sections(self) -> list[tuple[str, Line, list[Line]]]:
        out: list[tuple[str, Line, list[Line]]] = []
        for line in self.lines:
            cells = {c.strip().lower() for c in line.text.split("\t")}
            if len(cells) > 1 and cells <= set(_TABLE_KINDS):
                out.append(("table", line, []))
                continue
            if _OTHER_TABLE.search(line.text):  # "Cost | Amount in chf | Notes": a budget, not elements
                out.append(("other", line, []))
                continue
            if out and out[-1][0] == "table" and "\t" in self.text[line.start - 1 : line.end]:
                row_start = self.text.rfind("\n", 0, line.start) + 1  # the row's cells, the empty first ones too
                out[-1][2].append(Line(row_start, line.end, self.text[row_start : line.end]))
                continue
            kind = _section_kind(line.text)
            if kind == "activity" and out and out[-1][0] == "activity" and line.text.endswith(":"):
                kind = None  # "Key activities may include:" under a track: the section goes on
            if kind is not None and not (
                out and out[-1][0] == "timeline" and kind != "timeline" and _item_marker(line.text)
            ):
                out.append((kind, line, []))
            elif out:
                out[-1][2].append(line)
        return out

    def _span_of(self, lines: list[Line], i: int) -> tuple[int, int]:
        """A list item and the lines that continue it (a sentence wrapped over several lines)."""
        start, end = lines[i].start, lines[i].end
        j = i + 1
        while (
            j < len(lines)
            and j - i <= 6
            and not _ends_sentence(self.text[start:end])
            and _item_marker(lines[j].text) is None
            and _section_kind(lines[j].text) is None
            and _period_of_heading(lines[j].text) is None
        ):
            end = lines[j].end
            j += 1
        return start, end

    def _unique_key(self, kind: str, key: str) -> str:
        taken = self._keys
        out, n = key, self._next_suffix.get((kind, key), 2)
        while (kind, out) in taken:
            out, n = f"{key}-{n}", n + 1
        self._next_suffix[(kind, key)] = n
        taken.add((kind, out))
        return out

    def _new_item(
        self,
        kind: str,
        key: str,
        identifier: str | None,
        span: tuple[int, int],
        parent: Item | None,
        period: str | None = None,
        heading: bool = False,
    ) -> Item:
        """A new element; under ``parent`` by its heading (``heading``: a track or group label)
        or by its place in the list (a letter under a number, a bullet under an item)."""
        item = Item(
            kind,
            self._unique_key(kind, key),
            identifier,
            span[0],
            span[1],
            parent,
            period,
            "partner" if kind in ("activity", "timeline") else "mentions",
        )
        if parent:
            parent.children.append(item)
            prop = "ccm:subActivityOf" if parent.kind == "activity" else "ccm:contributesTo"
            target = f"{KIND_PREFIX[parent.kind]}:{parent.key}"
            if heading:
                line_end = self.text.find("\n", parent.start, parent.end)
                item.links.append(
                    Link(prop, target, "ccm:ByHeading", quote=(parent.start, parent.end if line_end < 0 else line_end))
                )
            else:
                item.links.append(
                    Link(
                        prop,
                        target,
                        "ccm:ByPosition",
                        comment=f"Listed under {parent.identifier or parent.key} in the text.",
                    )
                )
        self.draft.items.append(item)
        if kind == "objective" and identifier:
            self._titles[_title(self.text[item.start : item.end])] = item
        return item

    def _elements(self, kind: str, lines: list[Line]) -> None:
        top: Item | None = None
        top_is_heading = False  # the top item is a heading (track, group or title), not a sentence
        mid: Item | None = None
        bullets: dict[str, int] = {}
        in_output = False  # under "Output 1: ...", whose bullets say what the output is made of
        lead_in = False  # the top item leads into the lettered list ("the ISU will, inter alia:")
        intro: Line | None = None  # the last line of text that is not an item nor part of one
        heading_span = (0, 0)  # an objective's title repeated over outputs
        lead_key = ""  # the number of the lead-in paragraph the lettered items follow
        read_to = 0
        for i, line in enumerate(lines):
            marker = _item_marker(line.text)
            if marker is None:
                if line.start >= read_to:
                    intro = line
                    if kind == "activity" and (top is None or top_is_heading) and _UNDERTAKING.match(line.text):
                        # "Convene informal consultations among States parties ...": a paragraph
                        # saying what to do, no list marker: an activity, for the curator to confirm
                        span = self._span_of(lines, i)
                        key = f"{top.key}-p" if top else "p"
                        item = self._new_item(kind, key, None, span, top, heading=top is not None)
                        note = f"{REVIEW}a paragraph in the activities, not a list item: an activity?"
                        self.row_facts.setdefault(id(item), []).append(("note", note, 0, 0, None))
                        read_to = span[1]
                continue
            mtype, label, _ = marker
            span = self._span_of(lines, i)
            read_to = span[1]
            if mtype in ("track", "group"):
                key = f"track-{label}" if mtype == "track" else label
                top = self._new_item(kind, key, label if mtype == "group" else f"Track {label}", span, None)
                top_is_heading = True
                in_output = kind == "output" and mtype == "group"
                mid = None
            elif mtype == "number" and kind == "output" and (titled := self._objective_titled(line.text)):
                # "1) Gender mainstreaming" over outputs, as over the objectives: the outputs below
                # serve that objective; the heading is no output of its own
                top, top_is_heading, mid, in_output, lead_in = titled, True, None, False, False
                heading_span = (line.start, line.end)
            elif mtype == "number":
                following = _item_marker(lines[i + 1].text) if i + 1 < len(lines) else None
                lead_in = bool(
                    self.text[span[0] : span[1]].rstrip().endswith(":") and following and following[0] == "letter"
                )
                # "4. To support the President ..., the ISU will, inter alia:": a numbered paragraph
                # leading into the lettered list, whose items are the elements
                top = None if lead_in else self._new_item(kind, label, label, span, None)
                lead_key = label
                # "1) Gender mainstreaming": a title over the lettered items, not a sentence
                top_is_heading = not _ends_sentence(line.text) and len(line.text.split()) < 8
                in_output = False
                mid = None
            elif mtype == "letter":
                key = f"{top.key}{label}" if top else f"{lead_key}{label}" if lead_in else label
                mid = self._new_item(
                    kind, key, key if top is None or top.identifier else label, span, top, heading=top_is_heading
                )
            elif not in_output:
                parent = mid or top
                base = parent.key if parent else ""
                bullets[base] = bullets.get(base, 0) + 1
                key = f"{base}-{bullets[base]}" if base else str(bullets[base])
                if parent is None or (kind in ("output",) and parent.kind not in (kind, "objective")):
                    parent = None
                item = self._new_item(kind, key, None, span, parent, heading=parent is top and top_is_heading)
                if parent is not None and parent.kind == "objective" and kind != "objective":
                    item.links[-1].quote = heading_span  # the heading it stands under, here
                if intro is not None and intro.text.endswith(":") and len(intro.text.split()) > 6:
                    note = f"{REVIEW}it continues the sentence '…{intro.text[-50:]}' above: an element of its own?"
                    self.row_facts.setdefault(id(item), []).append(("note", note, 0, 0, None))

    def _objective_titled(self, text: str) -> Item | None:
        """The last objective drafted with this title ("1) Gender mainstreaming"), if any."""
        return self._titles.get(_title(text))

    def _paragraph_elements(self, kind: str, lines: list[Line]) -> None:
        """A section without numbered or bulleted items: each paragraph of four words or more is
        one element (a Word file's "Expected outputs" written as plain paragraphs)."""
        if not lines:
            return
        at = bisect.bisect_left(self.blocks, lines[0].start, key=lambda b: b.start)
        paragraphs = itertools.takewhile(lambda b: b.start < lines[-1].end, self.blocks[at:])
        for n, block in enumerate((b for b in paragraphs if b.kind == "paragraph" and len(b.text.split()) >= 4), 1):
            self._new_item(kind, str(n), None, (block.start, block.end), None)

    def _timeline(self, heading: Line, lines: list[Line]) -> None:
        period = _period_of_heading(heading.text)
        counts: dict[str, int] = {}
        read_to = 0  # the end of the last entry: a wrapped item's next lines are in it
        for i, line in enumerate(lines):
            if line.start < read_to:
                continue
            head = _period_of_heading(line.text)
            if head is not None:
                period = head
                continue
            if period is None:
                continue
            marker = _item_marker(line.text)
            if (
                marker
                and marker[0] in ("number",)
                and not _ends_sentence(line.text)
                and len(line.text.split()) <= 10
                and lines[i + 1 : i + 2]
                and _item_marker(lines[i + 1].text)
            ):
                continue  # "1) Gender mainstreaming": a group heading inside the timeline
            counts[period] = counts.get(period, 0) + 1
            span = (line.start, line.end) if marker is None else self._span_of(lines, i)
            read_to = span[1]
            self._new_item("timeline", f"{period.replace('--', '-to-')}-{counts[period]}", None, span, None, period)

    def _table(self, header: Line, rows: list[Line]) -> None:
        """A results table: a header row of kinds (Outcomes / Outputs / Activities), then rows of
        tab-separated cells; an empty cell continues the element above it, a cell of activities
        holds one per sentence, and each column contributes to the one before it."""
        kinds = [_TABLE_KINDS[c.strip().lower()] for c in header.text.split("\t")]
        current: dict[str, Item] = {}
        for row in rows:
            offset = row.start
            for column, cell in enumerate(row.text.split("\t")):
                start = offset + len(cell) - len(cell.lstrip(" -\uf0b7•"))
                end = offset + len(cell.rstrip())
                offset += len(cell) + 1
                if column >= len(kinds) or len(self.text[start:end].split()) < 3:
                    continue  # an empty cell, or a running header caught in the table
                kind = kinds[column]
                above = current.get(kinds[column - 1]) if column else None
                sentences = re.finditer(r"[^.;]+[.;]?", self.text[start:end])
                pieces = (
                    [(start + m.start(), start + m.end()) for m in sentences if m.group(0).strip()]
                    if kind == "activity"
                    else [(start, end)]
                )
                for lo, hi in pieces:
                    lo += len(self.text[lo:hi]) - len(self.text[lo:hi].lstrip())
                    item = self._new_item(
                        kind, f"table-{len([i for i in self.draft.items if i.kind == kind]) + 1}", None, (lo, hi), None
                    )
                    if above is not None:
                        item.links.append(
                            Link(
                                "ccm:contributesTo",
                                f"{KIND_PREFIX[above.kind]}:{above.key}",
                                "ccm:ByPosition",
                                comment="In the same row of the results table.",
                            )
                        )
                    current[kind] = item

    def _free(self) -> Callable[[int, int], bool]:
        """Whether a span overlaps none of the elements drafted so far (read by the sections)."""
        taken = sorted((item.start, item.end) for item in self.draft.items)
        starts = [start for start, _ in taken]

        def free(start: int, end: int) -> bool:
            at = bisect.bisect_right(starts, end - 1) - 1  # the last element opening before ``end``
            return at < 0 or taken[at][1] <= start

        return free

    def _covered(self) -> Callable[[int], bool]:
        """Whether an offset lies in a drafted element or a table row read for one (whose cells
        state its facts): what the plan-wide passes leave alone."""
        spans = sorted([(it.start, it.end) for it in self.draft.items] + self._rows_read)
        starts = [start for start, _ in spans]
        reach = list(itertools.accumulate((end for _, end in spans), max))  # the furthest end so far

        def covered(at: int) -> bool:
            i = bisect.bisect_right(starts, at) - 1
            return i >= 0 and reach[i] > at

        return covered

    def _dated_lines(self) -> None:
        """Key-value blocks keyed by one period ("February 2025: ...", a "When | What" table's
        rows): timeline entries quoting the line, where no section has read them already."""
        free = self._free()
        for block in self.blocks:
            # "February 2025: ...", or a two-cell row "30 April 2026 | Deadline ..."
            is_pair = block.kind == "keyvalue" or (block.kind == "row" and len(block.cells) == 2)
            if not is_pair or not free(block.start, block.end):
                continue
            key = block.cells[0]
            found = expressions.periods(key.text, self.ref)
            if len(found) != 1 or not found[0].key or len(found[0].quote) < len(key.text.rstrip(": ")):
                continue
            period = found[0].key
            entry = self._new_item(
                "timeline", f"{period.replace('--', '-to-')}-1", None, (block.start, block.end), None, period
            )
            if found[0].review:
                self.row_facts[id(entry)] = [("note", REVIEW + found[0].review, 0, 0, None)]

    def _new_organisations(self) -> None:
        """Organisations written ``Full Name (ACRONYM)`` that the reference data lacks: drafted
        as new, labelled as the text writes them (both names), flagged for review."""
        for m in expressions.expansions(self.text, self.ref):
            if m.iri is None and m.name and m.acronym and not _NOT_AN_ORGANISATION.search(m.name):
                key = slug(m.acronym)
                if key not in self.draft.new_orgs:
                    self.draft.new_orgs[key] = (" ".join(m.quote.split()), m.start, m.end)

    def _outline_objectives(self) -> None:
        """``Objective A - ...`` lines, and the outline-numbered items under them (``A.1``) as
        their sub-objectives, where no section of the draft has read them already."""
        free = self._free()
        objectives: dict[str, Item] = {}
        for block in self.blocks:
            if (m := _OBJECTIVE.match(block.text)) and free(block.start, block.end):
                key = m[1]
                objectives[key] = self._new_item("objective", key, key, (block.start + m.start(2), block.end), None)
            elif block.kind == "item" and block.scheme == "outline" and block.level == 2 and block.marker:
                parent = objectives.get(parent_marker(block.marker) or "")
                if parent is not None and free(block.start, block.end):
                    label = block.end - len(block.label) if block.label else block.start
                    self._new_item("objective", block.marker, block.marker, (label, block.end), parent)

    def _activity_tables(self) -> None:
        """Tables whose header names an activity column: one activity a row, with its own timing,
        partners and actions from the cells of their columns; under the element its reference
        numbering places it (``A.1.1`` under ``A.1``), when the draft has one. A row whose cells
        do not line up with the header becomes an activity flagged for review, quoting the row."""
        by_identifier = {item.identifier: item for item in self.draft.items if item.identifier}
        for rows in tables(self.blocks).values():
            roles = [next((r for r, pattern in _COLUMN_ROLES if pattern.search(c.text)), None) for c in rows[0].cells]
            if "activity" not in roles or {c.text.lower() for c in rows[0].cells} <= set(_TABLE_KINDS):
                continue  # no activity column, or a results table (``_table`` reads those)
            self._rows_read += [(row.start, row.end) for row in rows]
            for row in rows[1:]:
                if len(row.cells) != len(roles):
                    item = self._new_item(
                        "activity", f"row-{len(self.draft.items) + 1}", None, (row.start, row.end), None
                    )
                    self.row_facts[id(item)] = [
                        (
                            "note",
                            f"{REVIEW}this row's cells do not line up with the table's header: read it.",
                            0,
                            0,
                            None,
                        )
                    ]
                    continue
                cell = dict(zip(roles, row.cells, strict=True))
                reference = cell.get("reference")
                identifier = reference.text if reference else None
                parent_id = parent_marker(identifier) if identifier else None
                parent = by_identifier.get(parent_id) if parent_id else None
                activity = cell["activity"]
                if not activity.text:
                    key = f"row-{len(self.draft.items) + 1}"
                    item = self._new_item("activity", key, None, (row.start, row.end), None)
                    self.row_facts[id(item)] = [("note", f"{REVIEW}this row has no activity: read it.", 0, 0, None)]
                    continue
                item = self._new_item(
                    "activity",
                    identifier or f"row-{len(self.draft.items) + 1}",
                    identifier,
                    (activity.start, activity.end),
                    None,
                )
                if parent is not None:
                    self.link(item, parent, f"Numbered {identifier}, under {parent.identifier} in the text.")
                if identifier:
                    by_identifier[identifier] = item
                header = next((h.text for h, r in zip(rows[0].cells, roles, strict=True) if r == "actions"), "")
                self.row_facts[id(item)] = self._row_facts(cell, header)
                if (timing := cell.get("timing")) is not None and timing.text:
                    self._row_timing(item, timing)

    def link(self, child: Item, parent: Item, comment: str) -> None:
        """``child`` serves ``parent`` by its place in the text, which ``comment`` names."""
        child.parent = parent
        parent.children.append(child)
        prop = "ccm:subActivityOf" if parent.kind == "activity" else "ccm:contributesTo"
        child.links.append(Link(prop, f"{KIND_PREFIX[parent.kind]}:{parent.key}", "ccm:ByPosition", comment=comment))

    def _row_timing(self, item: Item, timing: Cell) -> None:
        """A row's timing cell: a timeline entry quoting it when it reads as one period; otherwise
        a review note on the activity (an undated meeting, two periods: never a guessed date)."""
        found = expressions.periods(timing.text, self.ref)
        if len(found) == 1 and (found[0].key or found[0].meeting):
            key = found[0].key
            name = key.replace("--", "-to-") if key else f"by-{found[0].meeting}"
            entry = self._new_item("timeline", f"{name}-1", None, (timing.start, timing.end), None, key)
            if found[0].review:
                self.row_facts[id(entry)] = [("note", REVIEW + found[0].review, 0, 0, None)]
        else:
            note = f"{REVIEW}its timing '{timing.text}' is not read as one period: add a timeline entry if it has one."
            self.row_facts.setdefault(id(item), []).append(("note", note, 0, 0, None))

    def _row_facts(self, cell: dict[str | None, Cell], header: str = "") -> list[tuple[str, str, int, int, str | None]]:
        """The facts the cells of a row state for its activity: actions (the column says they are
        actions, so ``#27`` needs no review; its ``header`` may name their plan) and partners,
        each quoting its cell."""
        facts: list[tuple[str, str, int, int, str | None]] = []
        if (actions := cell.get("actions")) is not None:
            numbers = [m.number for m in expressions.action_references(actions.text) if m.sub is None]
            if numbers:
                listed = ", ".join(str(n) for n in dict.fromkeys(numbers))
                facts.append(self._alignment(listed, actions.start, actions.end, header))
        if (partners := cell.get("partners")) is not None:
            for iri, note in self._names(partners.start, partners.end):
                facts.append(("ccm:partner", self._curie(iri), partners.start, partners.end, note))
        return facts

    def _partners(self, heading: Line, lines: list[Line]) -> None:
        prop = "ccm:partner" if "partner" in heading.text.lower() else "ccm:implementer"
        own = {o for p, o, _, _ in self.draft.statements if p in ("ccm:coordinator", "ccm:workingGroup")}
        read_to = 0
        for i, line in enumerate(lines):
            if line.start < read_to:
                continue  # a line of the paragraph read already
            start, end = self._span_of(lines, i) if _item_marker(line.text) else self._paragraph_at(line)
            read_to = end
            found = self._names(start, end)
            if not found:
                text = re.sub(r"^[-•▪*\uf0b7\s]+", "", self.text[start:end]).strip(" .;,")
                if not text or len(text.split()) > 10:
                    continue
                if not _PROPER_NAME.fullmatch(re.sub(r"^(?:the|other)\s+", "", text, flags=re.IGNORECASE)):
                    # "Other mine action stakeholders": a kind of partner, not an organisation's name
                    self.draft.notes.append(f"{REVIEW}the partners list names '{text}': link the resources it means.")
                    continue
                key = slug(re.sub(r"^(?:the|other)\s+", "", text, flags=re.IGNORECASE))[:60]
                self.draft.new_orgs[key] = (text, start, end)
                self.add(
                    prop,
                    f"orgid:{key}",
                    start,
                    end,
                    f"{REVIEW}'{text}' is not in data/reference/: a new organisation orgid:{key} is drafted; "
                    "check it, or link a known resource.",
                )
                continue
            for iri, note in found:
                if self._curie(iri) not in own:
                    self.add(prop, self._curie(iri), start, end, note)
            if prop == "ccm:implementer" and not any(o.startswith("state:") for o in own):
                # "Belgium and Germany as the CCM Gender Focal Points": the States that implement
                # a plan naming no coordinators are its coordinators, for the curator to confirm
                states = [name for name in (self._curie(iri) for iri, _ in found) if name.startswith("state:")]
                for name in states:
                    note = f"{REVIEW}{name} is read as a coordinator from the strategy implementers."
                    self.add("ccm:coordinator", name, start, end, note)
                own.update(states)

    def _paragraph_at(self, line: Line) -> tuple[int, int]:
        """The span of the paragraph block a line belongs to (the line's own when it is no paragraph)."""
        at = bisect.bisect_right(self.blocks, line.start, key=lambda b: b.start) - 1
        block = self.blocks[at] if at >= 0 else None
        if block is not None and block.kind == "paragraph" and block.start <= line.start < block.end:
            return block.start, block.end
        return line.start, line.end

    def _names(self, start: int, end: int, topics: bool = True) -> list[tuple[URIRef, str | None]]:
        """States, organisations (known, or drafted from the partner list) and working groups
        (by their topic alone only when ``topics``: in an element's text "victim assistance" is a subject)."""
        piece = self.text[start:end]
        out: list[tuple[URIRef, str | None]] = []
        groups = (
            self._found("groups", start, end)
            if topics
            else [
                m
                for m in self._found("groups", start, end)
                if len(m.written.split()) > 4 or "working group" in m.written.lower()
            ]
        )
        states = self._found("states", start, end)
        shifted = [dataclasses.replace(m, start=m.start - start, end=m.end - start) for m in states]
        states += self.ref.guess_states(piece, shifted)
        drafted = [
            Match(ID[f"org/{key}"], 0, 0, label)
            for key, (label, _, _) in self.draft.new_orgs.items()
            if label.lower() in piece.lower()
        ]
        for m in self._found("orgs", start, end) + drafted + groups + states:
            note = self._spelling(m)
            if m.iri not in [i for i, _ in out]:
                out.append((m.iri, note))
        return out

    @cached_property
    def _known_names(self) -> dict[str, tuple[list[int], list[Match]]]:
        """Organisations, working groups and States found once in the whole text (not element
        by element: one pass of each name expression), with where each starts."""
        found = {
            "orgs": self.ref.find_orgs(self.text),
            "groups": self.ref.find_groups(self.text),
            "states": self.ref.find_states(self.text),
        }
        return {kind: ([m.start for m in matches], matches) for kind, matches in found.items()}

    def _found(self, kind: str, start: int, end: int) -> list[Match]:
        """The names of ``kind`` that lie within ``start``..``end``."""
        starts, matches = self._known_names[kind]
        return [m for m in matches[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)] if m.end <= end]

    # ------------------------------------------------------------ facts in element texts

    def _facts(self, item: Item) -> None:
        facts: list[tuple[str, str, int, int, str | None]] = list(self.row_facts.get(id(item), []))
        piece = self.text[item.start : item.end]
        for m in _LAP.finditer(piece):
            listed = " ".join(m.group(1).split())
            try:
                parse_action_list(listed, lap=False)
            except ValueError:
                continue
            facts.append(self._alignment(listed, item.start + m.start(), item.start + m.end()))
        for m in _ARTICLE.finditer(piece):
            for number in re.findall(r"\d+", m.group(1)):
                if int(number) in self.ref.articles:
                    facts.append(
                        ("ccm:supportsArticle", f"article:{number}", item.start + m.start(), item.start + m.end(), None)
                    )
        for key, s, e in self.meetings_in(item.start, item.end):
            facts.append(("ccm:mentions", self._meeting(key, s, e), s, e, None))
        for iri, note in self._names(item.start, item.end, topics=False):
            facts.append((f"ccm:{item.relation}", self._curie(iri), item.start, item.end, note))
        self.draft.element_facts[id(item)] = facts

    def _plan_alignments(self) -> None:
        inside = self._covered()
        for m in _LAP.finditer(self.text):
            if inside(m.start()):
                continue
            listed = " ".join(m.group(1).split())
            try:
                parse_action_list(listed, lap=False)
            except ValueError:
                continue
            kind, obj, _, _, review = self._alignment(listed, m.start(), m.end())
            if kind == "note":
                self.draft.notes.append(obj)
                continue
            sentence_start = max(self.text.rfind(".", 0, m.start()), self.text.rfind("\n\n", 0, m.start())) + 1
            sentence_end = self.text.find(".", m.end())
            sentence_end = len(self.text) if sentence_end < 0 else sentence_end + 1
            while self.text[sentence_start].isspace():
                sentence_start += 1
            self.add(
                "align",
                obj,
                sentence_start,
                sentence_end,
                f"{REVIEW}{self._plan_name(obj)} actions {listed} are stated outside the plan's elements and are "
                "drafted for the whole plan: if the text scopes them to part of it, add ccm:appliesTo."
                + (f" {review.removeprefix(REVIEW)}" if review else ""),
            )

    @cached_property
    def _plan_dates(self) -> tuple[date, date] | None:
        """The first and last day of the work plan's period, as drafted."""
        period = next((o for p, o, _, _ in self.draft.statements if p == "ccm:period"), None)
        try:
            start, end, _ = bounds(period.removeprefix("period:")) if period else (None, None, "")
        except ValueError:
            return None
        return (start, end) if start and end else None

    def _alignment(self, listed: str, start: int, end: int, header: str = "") -> tuple[str, str, int, int, str | None]:
        """The "align" fact of the action reference text[start:end], against the action plan it
        belongs to (``expressions.action_plan_of``: the plan named in it or near it, or in its
        column's ``header``; else the one plan in force in the work plan's period); a "note"
        fact flagged for review when that does not settle it (never a guessed plan)."""
        quote = " ".join(self.text[start:end].split())
        if not self.ref.plans:  # no plan in the reference data: the LAP's numbers, as before plans were resources
            try:
                parse_action_list(listed)
            except ValueError as exc:
                return ("note", f"{REVIEW}'{quote}': {exc}.", 0, 0, None)
            return ("align", listed, start, end, None)
        text = f"{header}: {self.text[start:end]}" if header else self.text
        offset = len(header) + 2 - start if header else 0
        mentions = expressions.action_references(self.text[start:end])
        choice = None
        if mentions:
            first = mentions[0]
            mention = replace(first, start=first.start + start + offset, end=first.end + start + offset)
            choice = expressions.action_plan_of(text, mention, self.ref.plans, self._plan_dates)
            if choice.plan is None and header:  # the header names no plan: the row's own text, then the dates
                mention = replace(mention, start=mention.start - offset, end=mention.end - offset)
                choice = expressions.action_plan_of(self.text, mention, self.ref.plans, self._plan_dates)
        if choice is None or choice.plan is None:
            why = choice.review if choice is not None and choice.review else "its action plan is not said."
            return ("note", f"{REVIEW}'{quote}': {why} Add the alignment with its plan (data/README.md).", 0, 0, None)
        plan = next(p for p in self.ref.plans if p.iri == choice.plan)
        missing = [n for n, _ in parse_action_list(listed, lap=False) if plan.actions and n not in plan.actions]
        if missing:  # no such action to align to: say so, quoting the reference
            numbers = ", ".join(map(str, missing))
            note = f"{REVIEW}'{quote}': {plan.names[-1]} has no action {numbers} in data/reference/."
            return ("note", note, 0, 0, None)
        review = f"{REVIEW}'{quote}': {choice.review}" if choice.review else None
        for name in plan.names:  # the quote starts at the plan's name written just before the reference
            pattern = r"\b" + r"\s+".join(map(re.escape, name.split())) + r"(?:'s)?\s+$"
            if before := re.search(pattern, self.text[max(0, start - len(name) - 8) : start]):
                start = max(0, start - len(name) - 8) + before.start()
                break
        return ("align", aligned(listed, choice.plan), start, end, review)

    def _plan_name(self, obj: str) -> str:
        plan = split_aligned(obj)[1] or LAP
        return next((p.names[-1] for p in self.ref.plans if p.iri == plan), "LAP")

    def _relations(self) -> None:
        """Activities and outputs of numbered lists that nothing else places: linked to the
        objective whose words they share where one shares clearly more, else, numbered as an
        objective is, to it by that parallel numbering. Both flagged."""
        objectives = {it.key: it for it in self.draft.items if it.kind == "objective"}
        words = {key: self._stems(it) for key, it in objectives.items() if it.parent is None}
        tracks = {it.key: it for it in self.draft.items if it.kind == "activity" and it.key.startswith("track-")}
        for key, track in tracks.items():
            number = key.removeprefix("track-")
            if track.links:
                continue
            if (above := tracks.get(f"track-{parent_marker(number)}")) is not None:  # Track 2.2 under Track 2
                self.link(track, above, f"Numbered {track.identifier}, under {above.identifier}.")
            elif number in objectives:  # Track 2 and objective 2
                track.links.append(
                    Link(
                        "ccm:contributesTo",
                        f"objective:{number}",
                        "ccm:ByPosition",
                        comment=f"{track.identifier}, numbered as objective {objectives[number].identifier} is.",
                        review=f"{REVIEW}linked to objective {number} by its parallel numbering only; check it.",
                    )
                )
        stated = {key: self._actions_stated(it) for key, it in objectives.items() if it.parent is None}
        for item in self.draft.items:
            if item.kind in ("activity", "output") and not item.links and item.parent is None:
                self._link_by_shared_actions(item, stated)
        for item in self.draft.items:
            if item.kind not in ("activity", "output") or not item.identifier:
                continue
            listed = item.identifier.isdigit() and not item.links  # "4." of a list nothing else places
            # a plan has a handful of objectives; among hundreds (a text repeated), words tell nothing
            by = self._closest(item, words) if listed and 1 < len(words) <= _MOST_OBJECTIVES else None
            if by is not None:
                key, shared = by
                item.links.append(
                    Link(
                        "ccm:contributesTo",
                        f"objective:{key}",
                        "ccm:CuratorJudgement",
                        comment=f"Shares the words {', '.join(sorted(shared))} with objective {key} (drafted).",
                        review=f"{REVIEW}linked to objective {key} by the words they share only; check it.",
                    )
                )
            elif item.key in objectives:
                item.links.append(
                    Link(
                        "ccm:contributesTo",
                        f"objective:{item.key}",
                        "ccm:ByPosition",
                        comment=f"Numbered {item.identifier}, as objective {objectives[item.key].identifier} is.",
                        review=f"{REVIEW}linked to objective {item.key} by its parallel numbering only; check it.",
                    )
                )

    def _actions_stated(self, item: Item) -> set[tuple[str, int]]:
        """The actions (action plan, number) the text states for ``item``."""
        out: set[tuple[str, int]] = set()
        for fact in self.draft.element_facts.get(id(item), []):
            if fact[0] == "align":
                listed, plan = split_aligned(fact[1])
                out |= {(str(plan or LAP), n) for n, _ in parse_action_list(listed, lap=False)}
        return out

    def _link_by_shared_actions(self, item: Item, stated: dict[str, set[tuple[str, int]]]) -> None:
        """An activity or output nothing else places, stating an action that exactly one
        objective states too: linked to that objective, flagged (the text does not say it)."""
        own = self._actions_stated(item)
        sharing = [key for key, actions in stated.items() if own & actions]
        if len(sharing) != 1:
            return
        key = sharing[0]
        numbers = ", ".join(f"{n}" for _, n in sorted(own & stated[key]))
        item.links.append(
            Link(
                "ccm:contributesTo",
                f"objective:{key}",
                "ccm:CuratorJudgement",
                comment=f"States action {numbers} as objective {key} does (drafted).",
                review=f"{REVIEW}linked to objective {key} because both state action {numbers}; check it.",
            )
        )

    def _stems(self, item: Item) -> set[str]:
        """The content words of an element and of the elements under it, cut to six letters."""
        text = " ".join(self.text[it.start : it.end] for it in [item, *item.children])
        return {w[:6] for w in re.findall(r"[a-z]{4,}", text.lower())} - _COMMON_STEMS

    def _closest(self, item: Item, objectives: dict[str, set[str]]) -> tuple[str, set[str]] | None:
        """The objective sharing the most content words (two at least) with ``item``, when one
        shares strictly more than any other."""
        own = self._stems(item)
        ranked = sorted(((len(own & stems), key) for key, stems in objectives.items()), reverse=True)
        if ranked[0][0] >= 2 and ranked[0][0] > ranked[1][0]:
            return ranked[0][1], own & objectives[ranked[0][1]]
        return None

    # ------------------------------------------------------------ all

    def run(self) -> Draft:
        self._title()
        self._plan_facts()
        draft_layouts.logframe(self)
        draft_layouts.narrative(self)
        free = self._free()
        for kind, heading, all_lines in self._sections():
            lines = [line for line in all_lines if free(line.start, line.end)]
            if kind == "table":
                self._table(heading, lines)
            elif kind in ("objective", "activity", "output", "outcome"):
                if any(_item_marker(line.text) for line in lines):
                    self._elements(kind, lines)
                else:
                    self._paragraph_elements(kind, lines)
            elif kind == "timeline":
                self._timeline(heading, lines)
            elif kind == "partner":
                self._partners(heading, lines)
        self._new_organisations()
        self._outline_objectives()
        self._activity_tables()
        self._dated_lines()
        for item in self.draft.items:
            self._facts(item)
        self._relations()
        self._plan_alignments()
        mentioned = {o for p, o, _, _ in self.draft.statements if p == "ccm:leadsUpTo"}
        inside = self._covered()
        for article in expressions.articles(self.text, self.ref):  # "guided by Article 6" in the context
            name = f"article:{article.number}"
            if article.review is None and name not in mentioned and not inside(article.start):
                mentioned.add(name)
                self.add("ccm:mentions", name, article.start, article.end)
        for key, s, e in self.meetings_in(0, len(self.text)):
            if f"meeting:{key}" in mentioned or inside(s):
                continue
            mentioned.add(f"meeting:{key}")
            self.add("ccm:mentions", self._meeting(key, s, e), s, e)
        return self.draft

    def _meeting(self, key: str, start: int, end: int) -> str:
        """The meeting named at ``start``..``end``: one the reference data lacks is drafted as new
        (labelled as the text writes it, flagged)."""
        if key not in self.ref.meetings:
            self.draft.new_meetings.setdefault(key, (" ".join(self.text[start:end].split()), start, end))
        return f"meeting:{key}"
