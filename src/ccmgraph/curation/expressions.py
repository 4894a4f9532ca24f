"""Expressions a work plan writes inside its blocks: periods, action references, Convention
articles, meetings, organisations and States, each found with its offsets and quote.

Pure functions of a text (and, where names or dates are needed, a ``ReferenceIndex``): no
file, no graph. Each recogniser scans the text once with compiled patterns or a word n-gram
lookup, so time grows linearly with the text. Every mention says, in ``review``, why a curator
must check it (``None`` when the text states it plainly); a value the text does not give is
never guessed: an undated meeting stays undated, a sub-letter not written stays absent.

>>> [m.key for m in periods("Q4 2025 - Q1 2026, then April-May 2026 and throughout 2026")]
['2025-Q4--2026-Q1', '2026-04--2026-05', '2026']
>>> [(m.number, m.sub) for m in action_references("LAP actions 10 and 11 A-D")]
[(10, None), (11, '11 A-D')]
>>> [m.number for m in articles("Articles 3 and 4, and Art. 7")]
[3, 4, 7]
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process
from rdflib import URIRef

from ccmgraph.curation.reference_index import ActionPlan, ReferenceIndex
from ccmgraph.pipeline.periods import PeriodError, bounds

__all__ = ["ActionPlan"]  # action_plan_of's argument type, re-exported for callers

MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, 1)} | {m[:3]: i for i, m in enumerate(MONTH_NAMES, 1)} | {"sept": 9}
ORDINAL_WORDS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]
_ORDINALS = {w: i for i, w in enumerate(ORDINAL_WORDS, 1)}
_HALVES = {"first": 1, "second": 2}

_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DASH = r"\s*(?:-|–|—|to|until|through)\s*"
_YEAR = r"(?:19|20)\d\d"


# ---------------------------------------------------------------- mentions


@dataclass(frozen=True, kw_only=True)
class Mention:
    start: int  # offsets into the text given to the recogniser
    end: int
    quote: str  # text[start:end]
    review: str | None = None  # why a curator must check it


@dataclass(frozen=True, kw_only=True)
class PeriodMention(Mention):
    key: str | None  # a period key (pipeline/periods.py): 2025-Q1, 2026-04--2026-05...; None: undated
    meeting: str | None = None  # "14msp" when the period is a meeting's ("by the 14th MSP")
    heading: bool = False  # the expression heads a line: "February 2025: ..."


@dataclass(frozen=True, kw_only=True)
class ActionMention(Mention):
    number: int
    sub: str | None = None  # the sub-letters as written ("11 A-D", "3(b)"), never inferred
    plan_named: str | None = None  # the plan name or abbreviation written in the reference ("LAP")


@dataclass(frozen=True, kw_only=True)
class ArticleMention(Mention):
    number: int


@dataclass(frozen=True, kw_only=True)
class MeetingMention(Mention):
    key: str  # "13msp", "3rc": the id:meeting/<key> it is or would be
    known: bool  # the reference data has it


@dataclass(frozen=True, kw_only=True)
class OrganisationMention(Mention):
    iri: URIRef | None  # None: not in the reference data, proposed as new
    name: str | None = None  # the full name as written, when written
    acronym: str | None = None


@dataclass(frozen=True, kw_only=True)
class StateMention(Mention):
    iri: URIRef


@dataclass(frozen=True)
class PlanChoice:
    plan: URIRef | None  # None: cannot tell
    basis: str  # "named": a plan name near the reference; "dates": the only plan in force
    review: str | None = None


# ---------------------------------------------------------------- periods


def _month(word: str) -> int:
    return _MONTHS[word.lower().rstrip(".")]


_DAY_RANGE = re.compile(rf"\b(\d{{1,2}})\s*(?:-|–)\s*(\d{{1,2}})\s+({_MONTH})\s+({_YEAR})\b", re.IGNORECASE)
_DAY_SPAN = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH}){_DASH}(\d{{1,2}})\s+({_MONTH})\s+({_YEAR})\b", re.IGNORECASE)
_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})|({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,)\s+({_YEAR})\b"
    rf"|\b({_YEAR})-(\d\d)-(\d\d)\b",
    re.IGNORECASE,
)
_MONTH_SPAN = re.compile(
    rf"\b({_MONTH})(?:\s+({_YEAR}))?{_DASH}({_MONTH})\s+({_YEAR})\b|\b({_MONTH})\s+({_YEAR})\b", re.IGNORECASE
)
_QUARTER = r"(?:Q([1-4])|(first|second|third|fourth)\s+quarter(?:\s+of)?)"
_QUARTER_SPAN = re.compile(
    rf"\b{_QUARTER}(?:\s+({_YEAR}))?(?:{_DASH}{_QUARTER})?\s*(?:/\s*)?({_YEAR})\b", re.IGNORECASE
)
_HALF = re.compile(rf"\b(?:H([12])|(first|second)\s+half(?:\s+of)?)\s+({_YEAR})\b", re.IGNORECASE)
_THROUGHOUT = re.compile(rf"\b(?:throughout|during\s+the\s+whole\s+of|all\s+of)\s+({_YEAR})\b", re.IGNORECASE)
_YEARS = re.compile(rf"\b({_YEAR})\s*(?:-|–|—|/|to)\s*({_YEAR})\b")
_LINE_YEAR = re.compile(rf"^[ \t]*({_YEAR})(?=[ \t]*:)", re.MULTILINE)
_HEAD_AFTER = re.compile(r"[ \t*_]*(?::|\t|[-–—][ \t]|\r?\n|$)")
_MEETING_LEAD = re.compile(
    r"\b(?:by|before|at|during|until|ahead\s+of|in\s+preparation\s+for|(?:leading\s+)?up\s+to|towards?)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _quarter_number(digit: str | None, word: str | None) -> int:
    return int(digit) if digit else _ORDINALS[(word or "").lower()]


def _period_candidates(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, key) of every period expression, longer forms first at a position."""
    for m in _DAY_SPAN.finditer(text):
        y = m[5]
        yield m.start(), m.end(), f"{y}-{_month(m[2]):02d}-{int(m[1]):02d}--{y}-{_month(m[4]):02d}-{int(m[3]):02d}"
    for m in _DAY_RANGE.finditer(text):
        y, mo = m[4], _month(m[3])
        yield m.start(), m.end(), f"{y}-{mo:02d}-{int(m[1]):02d}--{y}-{mo:02d}-{int(m[2]):02d}"
    for m in _DATE.finditer(text):
        if m[6]:
            yield m.start(), m.end(), f"{m[6]}-{m[7]}-{m[8]}"
        else:
            day, month = (m[1], m[2]) if m[1] else (m[4], m[3])
            yield m.start(), m.end(), f"{m[5]}-{_month(month):02d}-{int(day):02d}"
    for m in _MONTH_SPAN.finditer(text):
        if m[5]:
            yield m.start(), m.end(), f"{m[6]}-{_month(m[5]):02d}"
        else:
            first_year = m[2] or m[4]
            yield m.start(), m.end(), f"{first_year}-{_month(m[1]):02d}--{m[4]}-{_month(m[3]):02d}"
    for m in _QUARTER_SPAN.finditer(text):
        q1 = _quarter_number(m[1], m[2])
        if m[4] or m[5]:
            q2 = _quarter_number(m[4], m[5])
            yield m.start(), m.end(), f"{m[3] or m[6]}-Q{q1}--{m[6]}-Q{q2}"
        elif m[3] is None:
            yield m.start(), m.end(), f"{m[6]}-Q{q1}"
    for m in _HALF.finditer(text):
        yield m.start(), m.end(), f"{m[3]}-H{m[1] or _HALVES[m[2].lower()]}"
    for m in _THROUGHOUT.finditer(text):
        yield m.start(), m.end(), m[1]
    for m in _YEARS.finditer(text):
        if int(m[1]) < int(m[2]):
            yield m.start(), m.end(), f"{m[1]}--{m[2]}"
    for m in _LINE_YEAR.finditer(text):
        yield m.start(1), m.end(1), m[1]


def _valid(key: str) -> bool:
    try:
        bounds(key)
    except (PeriodError, ValueError):
        return False
    return True


def _heads_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip(" \t-•*#_") and _HEAD_AFTER.match(text, end) is not None


def periods(text: str, index: ReferenceIndex | None = None) -> list[PeriodMention]:
    """Dates, day and month ranges, months, quarters and quarter ranges, halves, year ranges,
    ``throughout 2026``, line heads (``February 2025: ...``) and, with an index, ``by the
    14th Meeting of States Parties``: the meeting's dates where the reference data has them,
    otherwise an undated mention flagged for review.

    >>> [(m.quote, m.key, m.heading) for m in periods("February 2025: launch\\nby end of H2 2025")]
    [('February 2025', '2025-02', True), ('H2 2025', '2025-H2', False)]
    >>> periods("10-13 Sep 2024")[0].key
    '2024-09-10--2024-09-13'
    """
    taken: list[tuple[int, int]] = []
    found: list[PeriodMention] = []
    for start, end, key in sorted(_period_candidates(text), key=lambda c: (c[0], -c[1])):
        if taken and start < taken[-1][1]:
            continue
        if not _valid(key):
            continue
        taken.append((start, end))
        found.append(
            PeriodMention(start=start, end=end, quote=text[start:end], key=key, heading=_heads_line(text, start, end))
        )
    if index is not None:
        found.extend(_meeting_periods(text, index, taken))
    return sorted(found, key=lambda m: m.start)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of ``spans`` (sorted, not overlapping each other)."""
    i = bisect.bisect_right(spans, start, key=lambda span: span[0])  # spans[i - 1] starts at or before start
    return (i > 0 and spans[i - 1][1] > start) or (i < len(spans) and spans[i][0] < end)


def _meeting_periods(text: str, index: ReferenceIndex, taken: list[tuple[int, int]]) -> Iterator[PeriodMention]:
    for meeting in meetings(text, index):
        lead = _MEETING_LEAD.search(text, max(0, meeting.start - 40), meeting.start)
        if lead is None or _overlaps(taken, meeting.start, meeting.end):
            continue
        key, review = meeting_period(meeting.key, index)
        if meeting.review:
            review = meeting.review if review is None else f"{meeting.review} {review}"
        start = lead.start()
        yield PeriodMention(
            start=start,
            end=meeting.end,
            quote=text[start : meeting.end],
            key=key,
            meeting=meeting.key,
            heading=_heads_line(text, start, meeting.end),
            review=review,
        )


def meeting_period(key: str, index: ReferenceIndex) -> tuple[str | None, str | None]:
    """The period key of a meeting's dates when the reference data states them plainly (its
    stated dates begin with a day or day range), else ``None``; and why a curator must check
    it (no dates, or dates the reference data gives with medium or low confidence).

    >>> meeting_period("13msp", ReferenceIndex(meeting_dates={"13msp": "16-19 Sep 2025"}))
    ('2025-09-16--2025-09-19', None)
    >>> meeting_period("14msp", ReferenceIndex())[0] is None
    True
    """
    stated = index.meeting_dates.get(key)
    if not stated:
        return None, f"the reference data gives no dates for meeting {key}: undated, not guessed."
    found = [m for m in periods(stated) if m.start == 0 and m.key and "-" in m.key.split("--")[0][5:]]
    if not found:
        return None, f"meeting {key}'s dates are not plain in the reference data ({stated!r}): undated."
    confidence = index.meeting_confidence.get(key, "")
    if re.search(r"\b(?:medium|low)\b", confidence):
        return found[0].key, f"meeting {key}'s dates are of {confidence!r} confidence in the reference data."
    return found[0].key, None


# ---------------------------------------------------------------- actions

# sub-letters on the number's own line: "3(b)", "11 A-D", "24 B" (a lone capital only before
# punctuation, "and" or the end of the line, so "Action 24 A new approach" has none)
_SUB = r"[ \t]*\(([a-z])\)|[ \t]*([A-Z][ \t]*[-–][ \t]*[A-Z])\b|[ \t]+([A-Z])(?=[ \t]*(?:$|[,;.)\]]|and\b|or\b))"
_NUMBER = rf"#?\d{{1,3}}(?:{_SUB})?"  # its groups are unused: _ACTIONS reads named groups
_LIST = rf"{_NUMBER}(?:[ \t]*(?:,|and|&|or|to|through|-|–)[ \t]*(?:and[ \t]+)?{_NUMBER})*"
_ACTIONS = re.compile(
    rf"(?:\b(?P<plan>[A-Z][A-Za-z]*AP|Lausanne\s+Action\s+Plan|Dubrovnik\s+Action\s+Plan)(?:'s)?\s+)?"
    rf"\b(?P<word>[Aa]ctions?|ACTIONS?)\s+(?:(?:nos?\.|numbers?)\s+)?(?P<list>{_LIST})"
    rf"|(?P<hash>#\d{{1,3}}(?:[ \t]*(?:,|and|&)[ \t]*#\d{{1,3}})*)",
    re.MULTILINE,
)
_ITEM = re.compile(rf"#?(\d{{1,3}})(?:{_SUB})?", re.MULTILINE)
_SEPARATOR = re.compile(r"[ \t]*(?:,|and|&|or|to|through|-|–)[ \t]*(?:and[ \t]+)?")


def action_references(text: str) -> list[ActionMention]:
    """Action references in every form, one mention per action: ``Action 3``, ``Actions 19 to
    22``, ``LAP action 24``, ``actions 10 and 11 A-D``, ``Action 3(b)``, ``#27 and #30``.
    Sub-letters are kept as written on the same line, never taken from the next line.

    >>> [(m.number, m.sub) for m in action_references("Actions 19 to 22; Action 3(b)")]
    [(19, None), (20, None), (21, None), (22, None), (3, '3(b)')]
    >>> [(m.number, m.plan_named) for m in action_references("#27 and #30, LAP action 24")]
    [(27, None), (30, None), (24, 'LAP')]
    >>> [(m.number, m.sub) for m in action_references("Action 24\\nB. Next row")]
    [(24, None)]
    """
    found: list[ActionMention] = []
    for m in _ACTIONS.finditer(text):
        group = "hash" if m["hash"] else "list"
        start, end = m.start(), m.end(group)
        plan = " ".join(m["plan"].split()) if m["plan"] else None
        previous: int | None = None
        previous_end = 0
        pos = m.start(group)
        review = None
        if m["hash"] and not re.search(r"(?i)\b(?:actions?|[A-Z]*AP)\W*$", text[max(0, start - 30) : start]):
            review = "'#N' read as an action number: check the column or sentence says so."
        while pos < end:
            item = _ITEM.match(text, pos)
            if item is None:
                break
            number = int(item[1])
            sub = None
            if item[2]:
                sub = f"{number}({item[2]})"
            elif item[3] or item[4]:
                sub = f"{number} {''.join((item[3] or item[4]).split())}"
            joint = text[previous_end : item.start()] if previous is not None else ""
            if previous is not None and re.search(r"to|through|-|–", joint) and previous < number:
                numbers = range(previous + 1, number + 1)
            else:
                numbers = range(number, number + 1)
            for n in numbers:
                found.append(
                    ActionMention(
                        start=start,
                        end=end,
                        quote=text[start:end],
                        number=n,
                        sub=sub if n == number else None,
                        plan_named=plan,
                        review=review,
                    )
                )
            previous, previous_end = number, item.end()
            sep = _SEPARATOR.match(text, item.end())
            if sep is None or sep.end() >= end:
                break
            pos = sep.end()
    return found


# a plan's name or abbreviation written just before an action reference ("DAP Action 5",
# "Dubrovnik Action Plan action 5")
_PLAN_BEFORE = re.compile(
    r"\b([A-Z][A-Za-z]*AP|(?:[A-Z][a-z]+\s+)+Action\s+Plan(?:\s+\d{4}\s*[-–]\s*\d{4})?)(?:'s)?\s+$"
)
# after a plan's name: another action reference of that plan ("LAP Action 1"), not this one's
_OTHERS_PLAN = re.compile(r"(?:'s)?\s+actions?\s+(?:(?:nos?\.|numbers?)\s+)?#?\d", re.IGNORECASE)


def action_plan_of(
    text: str, mention: ActionMention, plans: Iterable[ActionPlan], plan_period: tuple[date, date] | None = None
) -> PlanChoice:
    """Which action plan ``mention`` refers to: the plan named or abbreviated in the reference
    or nearest it in its sentence; else the one plan in force during the work plan's period;
    else none, flagged for review.

    >>> lap = ActionPlan(URIRef("lap"), ("Lausanne Action Plan", "LAP"), date(2021, 9, 21), date(2026, 9, 18),
    ...                  frozenset(range(1, 51)))
    >>> text = "Supports LAP action 24."
    >>> action_plan_of(text, action_references(text)[0], [lap]).basis
    'named'
    >>> action_plan_of("Action 24", action_references("Action 24")[0], [lap]).plan is None
    True
    """
    plans = list(plans)
    window_start = max(text.rfind(".", 0, mention.start), text.rfind("\n", 0, mention.start), mention.start - 120)
    window_end = min(
        (i for i in (text.find(".", mention.end), text.find("\n", mention.end)) if i >= 0), default=len(text)
    )
    window_end = min(window_end, mention.end + 120)
    best: tuple[int, ActionPlan] | None = None
    named: set[URIRef] = set()
    written_with: ActionPlan | None = None  # the plan written as part of the reference ("AP 2026-2031 Action 1")
    for plan in plans:
        for name in plan.names:
            pattern = r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b"
            for m in re.finditer(pattern, text[max(0, window_start) : window_end]):
                at = max(0, window_start) + m.start()
                distance = abs(at - mention.start)
                mine = at == mention.start or re.fullmatch(r"(?:'s)?\s+", text[at + len(m[0]) : mention.start])
                if not mine and _OTHERS_PLAN.match(text, at + len(m[0])):
                    continue  # the name of another reference's plan ("Action 1; previously LAP Action 1")
                named.add(plan.iri)
                if mine:
                    written_with = plan
                if best is None or distance < best[0]:
                    best = (distance, plan)
    if written_with is None:  # a plan the reference data lacks, written with the reference: never another's
        before = _PLAN_BEFORE.search(text, max(0, mention.start - 60), mention.start)
        unknown = mention.plan_named or (before[1] if before else None)
        if unknown and not any(" ".join(unknown.split()) in p.names for p in plans):
            return PlanChoice(
                None,
                "none",
                f"it names '{unknown}', an action plan data/reference/ lacks (data/reference/csv/action-plans.csv).",
            )
    if best is not None:
        plan = written_with or best[1]
        review = None
        if len(named) > 1 and written_with is None:
            review = "several action plans are named near this reference: the nearest was taken."
        if plan.actions and mention.number not in plan.actions:
            review = f"{plan.names[-1]} has no action {mention.number}."
        return PlanChoice(plan.iri, "named", review)
    if plan_period is not None:
        in_force = [
            p
            for p in plans
            if p.start is not None
            and p.end is not None
            and p.start <= plan_period[0]
            and plan_period[1] <= p.end
            and (not p.actions or mention.number in p.actions)
        ]
        if len(in_force) == 1:
            return PlanChoice(in_force[0].iri, "dates")
    return PlanChoice(None, "none", "no action plan is named near this reference and its dates do not settle it.")


# ---------------------------------------------------------------- articles

_ARTICLES = re.compile(
    r"\b(?:Articles?|Arts?\.)\s+(\d{1,2}(?:\s*\(\d\)|\s*\([a-z]\))?(?:\s*(?:,|and|&|or)\s*(?:and\s+)?\d{1,2}\b)*)"
)


def articles(text: str, index: ReferenceIndex | None = None) -> list[ArticleMention]:
    """``Article 4``, ``Art. 7``, ``Articles 3 and 4``, ``Articles 3, 4 and 7``; with an index,
    a number the Convention lacks is flagged."""
    found: list[ArticleMention] = []
    for m in _ARTICLES.finditer(text):
        for number in re.findall(r"(?<![(\d])\d{1,2}(?![\d)])", m[1]):
            n = int(number)
            review = None
            if index is not None and index.articles and n not in index.articles:
                review = f"the Convention has no Article {n} in the reference data."
            found.append(ArticleMention(start=m.start(), end=m.end(), quote=m[0], number=n, review=review))
    return found


# ---------------------------------------------------------------- meetings

_MEETING_KIND = r"(MSP|RC|Review\s+Conference|Meeting\s+of\s+(?:the\s+)?States\s+Parties)"
_MEETINGS = re.compile(
    rf"\b(\d{{1,2}})\s*(?:st|nd|rd|th)?\s*{_MEETING_KIND}\b"
    rf"|\b({'|'.join(ORDINAL_WORDS)})\s+{_MEETING_KIND}\b",
    re.IGNORECASE,
)


def meetings(text: str, index: ReferenceIndex | None = None) -> list[MeetingMention]:
    """Meetings by number or ordinal word: ``14MSP``, ``13th MSP``, ``13 MSP``, ``Fourteenth
    Meeting of States Parties``, ``Third Review Conference``, ``3rd RC``. One the reference
    data lacks is proposed as new (``known`` false) and flagged.

    >>> [(m.key, m.known) for m in meetings("the 14MSP and the Third Review Conference",
    ...                                     ReferenceIndex(meetings={"3rc"}))]
    [('14msp', False), ('3rc', True)]
    """
    found: list[MeetingMention] = []
    for m in _MEETINGS.finditer(text):
        number = int(m[1]) if m[1] else _ORDINALS[m[3].lower()]
        kind_text = (m[2] or m[4]).lower()
        kind = "msp" if "msp" in kind_text or "meeting" in kind_text else "rc"
        key = f"{number}{kind}"
        known = index is not None and key in index.meetings
        review = None if known else f"meeting {key} is not in data/reference/: add it there with its source."
        found.append(MeetingMention(start=m.start(), end=m.end(), quote=m[0], key=key, known=known, review=review))
    return found


# ---------------------------------------------------------------- names

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_MAX_WORDS = 8


@dataclass(frozen=True)
class _Names:
    """Names keyed by their words joined by one space, and the longest name (in words) that
    begins with each first word: most words of a text begin no name and cost one look-up."""

    by_key: dict[str, str]
    longest: dict[str, int]
    lower: bool


def _name_table(names: Iterable[str], lower: bool = True) -> _Names:
    by_key: dict[str, str] = {}
    longest: dict[str, int] = {}
    for name in names:
        words = [w.replace("’", "'") for w in _WORD.findall(name.lower() if lower else name)]
        if words:
            by_key[" ".join(words)] = name
            longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return _Names(by_key, longest, lower)


def _find(text: str, names: _Names) -> Iterator[tuple[int, int, str]]:
    """Longest non-overlapping word sequences of ``text`` that are names: one pass over the
    words, a look-up per word and, where a name begins with it, one per possible length."""
    words = list(_WORD.finditer(text))
    norm = [(w[0].lower() if names.lower else w[0]).replace("’", "'") for w in words]
    i = 0
    while i < len(words):
        most = names.longest.get(norm[i], 0)
        for length in range(min(most, len(words) - i), 0, -1):
            chunk = words[i : i + length]
            if any(text[a.end() : b.start()].strip(" \t\n,-") for a, b in itertools.pairwise(chunk)):
                continue
            key = " ".join(norm[i : i + length])
            if key in names.by_key:
                yield chunk[0].start(), chunk[-1].end(), names.by_key[key]
                i += length
                break
        else:
            i += 1


def _without_overlaps(mentions: Iterable[tuple[int, int, Mention]]) -> list[Mention]:
    """Mentions sorted by offset, one per span, from ``(rank, order, mention)`` triples: at the
    same start the lowest rank wins, and a mention inside a kept one is dropped."""
    kept: list[Mention] = []
    end = -1
    for _, _, m in sorted(mentions, key=lambda r: (r[2].start, r[0], r[1])):
        if m.start >= end:
            kept.append(m)
            end = m.end
    return kept


_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&-]{1,11})\)")
_NAME_WORD = r"(?:[A-Z][\w'’&.-]*|of|the|for|and|on|in|de|des|du|la|le|to|&)"
# the capitalised run just before "(ACRONYM)", looked for within _NAME_REACH characters of it
# (across one line end: a PDF wraps "the United Nations\nDevelopment Programme (UNDP)")
_FULL_NAME = re.compile(rf"(?<![\w'’&.-]){_NAME_WORD}(?:(?:[ \t]+|[ \t]*\n[ \t]*){_NAME_WORD})+[ \t]*$")
_NAME_REACH = 150
_LEADING_MINOR = re.compile(r"^(?:(?:of|the|for|and|on|in|de|des|du|la|le|to|The)\s+)+")


def organisations(text: str, index: ReferenceIndex) -> list[OrganisationMention]:
    """Organisations as ``Full Name (ACRONYM)``, by name, alias or acronym, matched to the
    reference data (rapidfuzz for a name spelt a little differently, flagged) or proposed as
    new with both names. A parenthesised name of a State, meeting, treaty or action plan is
    left to its own recogniser.

    >>> index = ReferenceIndex(orgs={"international committee of the red cross": URIRef("icrc")},
    ...                        acronyms={"ICRC": URIRef("icrc")})
    >>> [(m.iri, m.acronym) for m in organisations("with the ICRC and the United Nations "
    ...                                           "Development Programme (UNDP)", index)]
    [(rdflib.term.URIRef('icrc'), 'ICRC'), (None, 'UNDP')]
    """
    found: list[tuple[int, int, Mention]] = [(0, i, m) for i, m in enumerate(expansions(text, index))]
    for start, end, name in _find(text, _name_table(index.orgs)):
        mention = OrganisationMention(start=start, end=end, quote=text[start:end], iri=index.orgs[name], name=name)
        found.append((1, len(found), mention))
    for start, end, acronym in _find(text, _name_table(index.acronyms, lower=False)):
        iri = index.acronyms[acronym]
        mention = OrganisationMention(start=start, end=end, quote=text[start:end], iri=iri, acronym=acronym)
        found.append((2, len(found), mention))
    return [m for m in _without_overlaps(found) if isinstance(m, OrganisationMention)]


def expansions(text: str, index: ReferenceIndex) -> list[OrganisationMention]:
    """Organisations written ``Full Name (ACRONYM)`` alone (no pass over the known names: what
    the drafter needs to propose new ones), matched to the reference data or not."""
    other_names = _other_names(index)
    found: list[OrganisationMention] = []
    for m in _ACRONYM.finditer(text):
        run = _FULL_NAME.search(text, max(0, m.start() - _NAME_REACH), m.start())
        if run is None:
            continue
        acronym = m[1]
        written = run[0].rstrip()
        name = _name_before(written, acronym)
        tail = re.search(r"\s+".join(map(re.escape, name.split())) + "$", written)
        assert tail is not None  # the name is a tail of the run, its words apart by any blanks
        start = run.start() + tail.start()
        if len(name.split()) < 2 or name.lower() in other_names or acronym.lower() in other_names:
            continue
        if name.lower() in index.states or _meeting_like(name):
            continue
        iri, review = _match_org(name, acronym, index)
        quote = text[start : m.end()]
        mention = OrganisationMention(
            start=start, end=m.end(), quote=quote, iri=iri, name=name, acronym=acronym, review=review
        )
        found.append(mention)
    return found


def _name_before(run: str, acronym: str) -> str:
    """The name an acronym expands within the capitalised run before it: the longest tail
    whose capitalised words' initials spell the acronym, else the tail after the last
    lower-case "and", without leading minor words."""
    words = run.split()
    letters = "".join(c for c in acronym.upper() if c.isalpha())
    for i in range(len(words)):
        initials = "".join(w[0] for w in words[i:] if w[0].isupper())
        if words[i][0].isupper() and initials.upper() == letters:
            return " ".join(words[i:])
    tail = re.split(r"\s(?:and|&)\s", run)[-1]
    return _LEADING_MINOR.sub("", tail).strip()


def _meeting_like(name: str) -> bool:
    return _MEETINGS.search(name) is not None or "action plan" in name.lower()


def _other_names(index: ReferenceIndex) -> set[str]:
    orgs = set(index.orgs.values()) | set(index.acronyms.values())
    return {label.lower() for iri, label in index.labels.items() if iri not in orgs}


def _match_org(name: str, acronym: str, index: ReferenceIndex) -> tuple[URIRef | None, str | None]:
    if acronym in index.acronyms:
        iri = index.acronyms[acronym]
        known = {n for n, i in index.orgs.items() if i == iri}
        if not known or name.lower() in known:
            return iri, None
        return iri, f"matched by its acronym {acronym}; the reference data names it {sorted(known)[0]!r}."
    if name.lower() in index.orgs:
        return index.orgs[name.lower()], None
    best = process.extractOne(name.lower(), list(index.orgs), scorer=fuzz.token_sort_ratio, score_cutoff=90)
    if best is not None:
        return index.orgs[best[0]], f"matched by spelling to {best[0]!r} ({best[1]:.0f}%): check it."
    return None, f"not in data/reference/: add {name} ({acronym}) there with its source, or replace it."


def states(text: str, index: ReferenceIndex, guess: bool = False) -> list[StateMention]:
    """States by any name the reference data knows (labels, aliases, pycountry's names, short
    forms); with ``guess``, a capitalised word close to a one-word State name ("Irak"),
    flagged.

    >>> index = ReferenceIndex(states={"iraq": URIRef("IRQ"), "lao pdr": URIRef("LAO")})
    >>> [(m.quote, m.review is None) for m in states("Irak and Lao PDR", index, guess=True)]
    [('Irak', False), ('Lao PDR', True)]
    """
    found: list[tuple[int, int, Mention]] = [
        (0, 0, StateMention(start=s, end=e, quote=text[s:e], iri=index.states[name]))
        for s, e, name in _find(text, _name_table(index.states))
    ]
    if guess:
        single = [n for n in index.states if " " not in n and len(n) >= 4]
        for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text):
            if m[0].lower() in index.states:
                continue
            best = process.extractOne(m[0].lower(), single, scorer=fuzz.ratio, score_cutoff=75)
            if best is not None and best[0][0] == m[0][0].lower() and abs(len(best[0]) - len(m[0])) <= 1:
                review = f"read as {best[0].title()} by its spelling: check it."
                found.append(
                    (
                        1,
                        0,
                        StateMention(
                            start=m.start(), end=m.end(), quote=m[0], iri=index.states[best[0]], review=review
                        ),
                    )
                )
    return [m for m in _without_overlaps(found) if isinstance(m, StateMention)]
