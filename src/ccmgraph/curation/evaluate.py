"""``ccmgraph draft --evaluate [GOLD ...]``: how close the drafter comes to the facts a document states.

A gold file (``tests/data/drafting/<stem>.gold.toml``, format below) lists the facts of one
document, kind by kind; the document is ingested when it is a PDF or Word file (the text the
drafter reads is the text ``ccmgraph ingest`` writes), drafted as if unseen, the draft compiled
the way the build compiles it (quotes resolved to character offsets), and its facts are
read from the graph in the same form as the gold ones. A drafted fact matches at most one
gold fact (one-to-one, best overlap first):

- an element (objective, sub-objective, activity, output, timeline entry) when the drafted
  element's quotes and the gold quote cover the same place: their overlap is at least half
  of the shorter of the two (a drafted "objective" made of a table heading and five rows
  matches one row, not six);
- a timeline interval when the same place is given the same dates (a timeline gold fact's
  place is its quote and, with ``ref``, the element it times), or is left undated where the
  gold says ``review = true``;
- a parent link (``ccm:contributesTo``, ``ccm:subActivityOf``) when both ends match;
- a stated action (``ccm:StatedInText``) when the same action of the same action plan is
  stated on the work plan in both, or on elements at the same place (the drafter is given the
  action plans of the gold file's ``action_plans`` beside those of data/reference/);
- coordinators, working group, articles, meetings and partners as sets of resources;
- a new organisation (one the draft declares) when its names give both the gold name and
  acronym.

Per kind: precision (drafted facts that match), recall (gold facts matched) and the drafted
facts that match nothing and carry no ``REVIEW:`` note (on the element, or the resource): the
wrong facts a curator would not be told to check.

Gold files of the five curated sources are written from the curated files by
:func:`gold_from_curated` (``tools/gold_from_curated.py``), so both sides are read the same way.

The gold file format (TOML)::

    document = "plan.pdf"                 # beside the gold file, or a path relative to it
    layout = "PDF with a cover table"     # the table's row name
    copies = ["as-received/plan.docx"]    # the same plan received as other files: each scored
                                          # against these facts, as "<stem> (as .docx)"
    coordinators = ["state:DEU"]          # also working_group, articles, meetings, partners
    action_plans = ["plans.csv"]          # action plans the reference data lacks (a successor of the
                                          # LAP), in data/reference/csv/'s format: a row per plan as in
                                          # action-plans.csv, its actions in action-plan-<key>.csv beside it
    [[objectives]]                        # also sub_objectives, activities, outputs, timeline
    ref = "A"                             # how other facts name it (parent, element)
    quote = "..."                         # found in the text across any whitespace;
    at = [120, 180]                       # or its offsets (generated gold files)
    parent = "A"                          # sub-objectives, activities, outputs: what it serves (or a list)
    [[timeline]]                          # start/end (ISO dates), or review = true (undated)
    [[actions]]                           # element = a ref or "plan"; plan = "LAP" by default, or
                                          # another plan's key, label or acronym
    [[new_organisations]]                 # name, acronym
    [[indicators]]                        # a logframe's (ref, quote, baseline, target): kept, not
                                          # scored (the ontology has no indicator class yet)
"""

from __future__ import annotations

import calendar
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ccmgraph import errors, paths
from ccmgraph.curation import action_plans
from ccmgraph.curation.action_plans import ActionPlanError
from ccmgraph.curation.draft_file import draft_text
from ccmgraph.curation.ingest import IngestError, extract
from ccmgraph.curation.reference_index import ActionPlan, plans_of
from ccmgraph.curation.reference_index import load as load_reference
from ccmgraph.namespaces import CCM, ID, OA
from ccmgraph.pipeline.authoring import AuthoringError, Source, compile_workplan

CORPUS = paths.ROOT / "tests" / "data" / "drafting"
ELEMENT_KINDS = {
    "objectives": "objectives",
    "sub-objectives": "sub_objectives",
    "activities": "activities",
    "outputs": "outputs",
    "timeline entries": "timeline",
}
SET_KINDS = {
    "coordinators": "coordinators",
    "working group": "working_group",
    "articles": "articles",
    "meetings": "meetings",
    "partners": "partners",
}
KINDS = [
    "coordinators",
    "working group",
    *ELEMENT_KINDS,
    "parent links",
    "timeline intervals",
    "stated actions",
    "articles",
    "meetings",
    "partners",
    "new organisations",
]
CURIES = {"state/": "state:", "org/": "orgid:", "working-group/": "wg:", "article/": "article:", "meeting/": "meeting:"}
REVIEW = "REVIEW:"
Span = tuple[int, int]


class GoldError(errors.DataError):
    """A gold file that cannot be read; the message names it."""


@dataclass(frozen=True)
class Fact:
    """One fact of one kind: ``value`` says what (a resource, dates, an action), ``spans``
    where (empty for the plan's sets), ``flagged`` whether the draft asks for its review."""

    value: Any = None
    spans: tuple[Span, ...] = ()
    flagged: bool = False
    ends: tuple[tuple[Span, ...], tuple[Span, ...]] | None = None  # a parent link's child and parent


@dataclass
class Score:
    drafted: int = 0
    gold: int = 0
    matched: int = 0
    wrong: int = 0  # drafted facts matching nothing, with no REVIEW note

    def add(self, other: Score) -> None:
        self.drafted += other.drafted
        self.gold += other.gold
        self.matched += other.matched
        self.wrong += other.wrong

    @property
    def precision(self) -> float | None:
        return self.matched / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None


@dataclass
class Result:
    """The scores of one document, and what stopped it or got lost on the way."""

    layout: str
    scores: dict[str, Score]
    error: str | None = None
    curated: bool = False  # a source of data/sources/ (its gold file written from its curated file)
    lost_quotes: list[str] = field(default_factory=list)  # gold quotes not in the text the drafter read
    received_as: str = ""  # the suffix of the file the drafter was given (.txt, .pdf, .docx)


@dataclass
class Evaluation:
    per_document: dict[str, Result] = field(default_factory=dict)

    def totals(self, curated: bool | None = None, received_as: str | None = None) -> dict[str, Score]:
        """Summed over the documents (``curated``: only the curated sources, or only the others;
        ``received_as``: only those the drafter was given as that kind of file)."""
        out = {kind: Score() for kind in KINDS}
        for result in self.per_document.values():
            if curated is not None and result.curated != curated:
                continue
            if received_as is not None and result.received_as != received_as:
                continue
            for kind, score in result.scores.items():
                out[kind].add(score)
        return out


# ---------------------------------------------------------------- places and dates


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def same_place(a: Iterable[Span], b: Iterable[Span]) -> float:
    """How well two sets of spans cover the same place: the best overlap over the shorter span,
    0 when it is under a half."""
    best = 0.0
    for x in a:
        for y in b:
            shorter = min(x[1] - x[0], y[1] - y[0])
            if shorter > 0 and (ratio := _overlap(x, y) / shorter) >= 0.5:
                best = max(best, ratio)
    return best


def _side(key: str, last: bool) -> date:
    """One end of a period key (``2025``, ``2025-Q3``, ``2025-H1``, ``2025-02``, ``2025-02-14``)."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", key):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{4})(?:-(Q|H)(\d)|-(\d{2}))?", key):
        year = int(m[1])
        if m[2]:
            size = 3 if m[2] == "Q" else 6
            first, final = (int(m[3]) - 1) * size + 1, int(m[3]) * size
        elif m[4]:
            first = final = int(m[4])
        else:
            first, final = 1, 12
        month = final if last else first
        return date(year, month, calendar.monthrange(year, month)[1] if last else 1)
    raise ValueError(f"not a period key: {key}")


def interval(period: str) -> tuple[str, str] | None:
    """The first and last day of ``period:<key>`` (``2024-12--2025-09`` is a range), or None."""
    key = period.rsplit("/", 1)[-1]
    start, _, end = key.partition("--")
    try:
        return _side(start, False).isoformat(), _side(end or start, True).isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------- facts of a compiled graph


def _curie(node: Node) -> str:
    iri = str(node)
    for path, prefix in CURIES.items():
        if iri.startswith(str(ID) + path):
            return prefix + iri.removeprefix(str(ID) + path)
    return iri


def _spans(g: Graph, node: Node) -> tuple[Span, ...]:
    own: list[Span] = []
    other: list[Span] = []
    for ev in g.objects(node, CCM.evidence):
        start, end = g.value(URIRef(f"{ev}/position"), OA.start), g.value(URIRef(f"{ev}/position"), OA.end)
        if start is not None and end is not None:
            (other if g.value(ev, CCM.forProperty) is not None else own).append((int(str(start)), int(str(end))))
    return tuple(own or other)


def _flagged(g: Graph, *nodes: Node | None) -> bool:
    return any(str(note).startswith(REVIEW) for n in nodes if n is not None for note in g.objects(n, CCM.curationNote))


def _action(node: Node) -> tuple[str, str]:
    """(action plan, number) of an action IRI: ``LAP`` for the LAP's ``lap-action/N``, the key of
    another plan's ``action-plan/<key>/action/N``."""
    iri = str(node)
    if m := re.search(r"/action-plan/([^/]+)/action/([^/]+)$", iri):
        return m[1], m[2]
    return ("LAP" if "/lap-action/" in iri else "other", iri.rstrip("/").rsplit("/", 1)[-1])


def _plan_key(written: str, plans: Iterable[ActionPlan]) -> str:
    """A gold file's ``plan``: ``LAP``, or the key of the plan it names (by key, label or acronym)."""
    for plan in plans:
        key = str(plan.iri).rsplit("/", 1)[-1]
        if written == key or written in plan.names:
            return key
    return written


def facts_of(g: Graph) -> dict[str, list[Fact]]:
    """Every fact of the kinds scored, read from a compiled work plan graph."""
    plan = next(g.subjects(RDF.type, CCM.WorkPlan), None)
    out: dict[str, list[Fact]] = {kind: [] for kind in KINDS}
    objectives = set(g.subjects(RDF.type, CCM.Objective))
    for kind, cls in (
        ("activities", CCM.Activity),
        ("outputs", CCM.ExpectedOutput),
        ("timeline entries", CCM.TimelineEntry),
    ):
        out[kind] = [Fact(spans=_spans(g, e), flagged=_flagged(g, e)) for e in g.subjects(RDF.type, cls)]
    for e in objectives:
        sub = any(t in objectives for t in g.objects(e, CCM.contributesTo))
        out["sub-objectives" if sub else "objectives"].append(Fact(spans=_spans(g, e), flagged=_flagged(g, e)))
    for prop in (CCM.contributesTo, CCM.subActivityOf):
        for child, parent in g.subject_objects(prop):
            if (child, RDF.type, CCM.TimelineEntry) in g:
                continue  # a timeline entry's link is to what it schedules, not to a parent
            ends = (_spans(g, child), _spans(g, parent))
            out["parent links"].append(Fact(ends=ends, flagged=_flagged(g, child)))
    for e, period in g.subject_objects(CCM.scheduledIn):
        out["timeline intervals"].append(Fact(interval(str(period)), _spans(g, e), _flagged(g, e)))
    for e in g.subjects(RDF.type, CCM.TimelineEntry):
        if g.value(e, CCM.scheduledIn) is None:
            out["timeline intervals"].append(Fact(None, _spans(g, e), _flagged(g, e)))
    for owner, alignment in g.subject_objects(CCM.hasAlignment):
        if g.value(alignment, CCM.basis) != CCM.StatedInText:
            continue
        for action in g.objects(alignment, CCM.action):
            place = () if owner == plan else _spans(g, owner)
            out["stated actions"].append(Fact(_action(action), place, _flagged(g, owner, alignment)))
    declared = set(g.subjects(RDF.type, CCM.Organization))
    coordinators = set(g.objects(plan, CCM.coordinator))
    sets: dict[str, set[Node]] = {
        "coordinators": coordinators,
        "working group": set(g.objects(plan, CCM.workingGroup)),
        "articles": {o for p in (CCM.mentions, CCM.supportsArticle) for o in g.objects(None, p)},
        "meetings": {o for p in (CCM.mentions, CCM.leadsUpTo) for o in g.objects(None, p)},
        "partners": {o for p in (CCM.partner, CCM.implementer) for o in g.objects(None, p)} - coordinators - declared,
    }
    wanted: dict[str, str | tuple[str, ...]] = {
        "articles": "article:",
        "meetings": "meeting:",
        "partners": ("state:", "orgid:"),
    }
    for kind, nodes in sets.items():
        for node in nodes:
            curie = _curie(node)
            if kind not in wanted or curie.startswith(wanted[kind]):
                out[kind].append(Fact(curie, flagged=_flagged(g, node)))
    for org in declared:
        names = frozenset(str(o) for o in g.objects(org) if isinstance(o, Literal) and not _is_note(g, org, o))
        out["new organisations"].append(Fact(names, flagged=_flagged(g, org)))
    return out


def _is_note(g: Graph, node: Node, value: Literal) -> bool:
    return (node, CCM.curationNote, value) in g


# ---------------------------------------------------------------- gold files


@dataclass
class Gold:
    path: Path
    document: Path
    layout: str
    facts: dict[str, list[Fact]]
    lost_quotes: list[str]
    plans: list[ActionPlan] = field(default_factory=list)  # its ``action_plans``


def _gold_plans(path: Path, data: dict[str, Any]) -> list[ActionPlan]:
    """The action plans a gold file adds to the reference data (``action_plans``, CSV files
    beside it in data/reference/csv/'s format)."""
    g = Graph()
    for name in data.get("action_plans", []):
        g += action_plans.graph((path.parent / str(name)).resolve())
    return plans_of(g)


def _locate(text: str, entry: dict, near: int = 0) -> Span | None:
    """The quote's span: its first occurrence, or the one nearest to ``near`` (a timing's element)."""
    if "at" in entry:
        return int(entry["at"][0]), int(entry["at"][1])
    words = str(entry["quote"]).split()
    found = [m.span() for m in re.finditer(r"\s+".join(map(re.escape, words)), text)] if words else []
    return min(found, key=lambda span: abs(span[0] - near)) if found and near else (found[0] if found else None)


def read_gold(path: Path, text: str | None = None) -> Gold:
    """A gold file's facts, their quotes located in ``text`` (by default, the text the drafter
    reads of its document)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise GoldError(f"{path}: not a gold file ({exc})") from None
    if "document" not in data:
        raise GoldError(f"{path}: no `document = ...` line naming the document it scores")
    document = (path.parent / data["document"]).resolve()
    if text is None:
        text = document_text(document)
    facts: dict[str, list[Fact]] = {kind: [] for kind in KINDS}
    lost: list[str] = []
    places: dict[str, tuple[Span, ...]] = {}
    plans = _gold_plans(path, data)

    def place(entry: dict, near: int = 0) -> tuple[Span, ...]:
        span = _locate(text, entry, near)
        if span is None:
            lost.append(str(entry.get("quote")))
        return (span,) if span else ()

    for kind, key in ELEMENT_KINDS.items():
        for entry in data.get(key, []):
            if kind == "timeline entries":
                continue
            spans = place(entry)
            if "ref" in entry:
                if str(entry["ref"]) in places:
                    raise GoldError(f"{path}: ref {entry['ref']!r} names two elements (refs are unique in a file)")
                places[str(entry["ref"])] = spans
            facts[kind].append(Fact(spans=spans))
    for entry in data.get("timeline", []):
        ref = places.get(str(entry.get("ref")), ())
        spans = place(entry, ref[0][0] if ref else 0) + ref
        facts["timeline entries"].append(Fact(spans=spans))
        dates = None if entry.get("review") else (str(entry["start"]), str(entry["end"]))
        facts["timeline intervals"].append(Fact(dates, spans))
    for key in ("sub_objectives", "activities", "outputs"):
        for entry in data.get(key, []):
            parents = entry.get("parent", [])
            for parent in [parents] if isinstance(parents, str) else parents:
                ends = (places.get(str(entry.get("ref")), ()), places.get(str(parent), ()))
                facts["parent links"].append(Fact(ends=ends))
    for entry in data.get("actions", []):
        where = str(entry.get("element", "plan"))
        spans = () if where == "plan" else places.get(where, ())
        plan = _plan_key(str(entry.get("plan", "LAP")), plans)
        facts["stated actions"] += [Fact((plan, str(n)), spans) for n in entry["actions"]]
    for kind, key in SET_KINDS.items():
        facts[kind] = [Fact(str(v)) for v in dict.fromkeys(data.get(key, []))]
    for entry in data.get("new_organisations", []):
        facts["new organisations"].append(Fact(frozenset({str(entry["name"]), str(entry["acronym"])})))
    return Gold(path, document, str(data.get("layout", path.stem)), facts, lost, plans)


def document_text(document: Path) -> str:
    """The text the drafter reads of a document: ``ccmgraph ingest``'s for PDF and Word files."""
    if document.suffix.lower() == ".txt":
        return document.read_text(encoding="utf-8")
    return extract(document)[0]


def gold_files() -> list[Path]:
    return sorted(CORPUS.glob("*.gold.toml"))


# ---------------------------------------------------------------- matching


def _names_match(drafted: frozenset[str], gold: frozenset[str]) -> float:
    said = " ".join(drafted).casefold()
    return 1.0 if all(re.search(rf"\b{re.escape(n.casefold())}\b", said) for n in gold) else 0.0


def _same_ends(d: Fact, g: Fact) -> float:
    """How well a drafted parent link matches a gold one: its worse end."""
    if d.ends is None or g.ends is None:
        return 0.0
    return min(same_place(d.ends[0], g.ends[0]), same_place(d.ends[1], g.ends[1]))


def _similarity(kind: str) -> Callable[[Fact, Fact], float]:
    if kind in ELEMENT_KINDS:
        return lambda d, g: same_place(d.spans, g.spans)
    if kind == "parent links":
        return _same_ends
    if kind in ("timeline intervals", "stated actions"):
        return lambda d, g: (
            0.0 if d.value != g.value else 1.0 if not d.spans and not g.spans else same_place(d.spans, g.spans)
        )
    if kind == "new organisations":
        return lambda d, g: _names_match(d.value, g.value)
    return lambda d, g: float(d.value == g.value)


def score(kind: str, drafted: list[Fact], gold: list[Fact]) -> Score:
    """Match drafted facts to gold facts one-to-one, the most similar pairs first."""
    similar = _similarity(kind)
    pairs = sorted(
        ((s, i, j) for i, d in enumerate(drafted) for j, g in enumerate(gold) if (s := similar(d, g)) > 0),
        reverse=True,
    )
    used_d: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in pairs:
        if i not in used_d and j not in used_g:
            used_d.add(i)
            used_g.add(j)
    wrong = sum(1 for i, d in enumerate(drafted) if i not in used_d and not d.flagged)
    return Score(len(drafted), len(gold), len(used_d), wrong)


def compare(drafted: dict[str, list[Fact]], gold: dict[str, list[Fact]]) -> dict[str, Score]:
    return {kind: score(kind, drafted.get(kind, []), gold.get(kind, [])) for kind in KINDS}


# ---------------------------------------------------------------- drafting and compiling


def compile_turtle(turtle_path: Path, text_path: Path) -> Graph:
    """A draft or curated file compiled as the build does, against one source text."""
    g = Graph().parse(turtle_path, format="turtle")
    doc = next(g.subjects(RDF.type, CCM.SourceDocument))
    source = Source(URIRef(str(doc)), text_path, text_path.read_text(encoding="utf-8"))
    # quotes from other documents (continuations) are dropped: only this text is compared
    for ev in list(g.subjects(OA.hasSource, None)):
        if g.value(ev, OA.hasSource) != doc:
            for s, p in list(g.subject_predicates(ev)):
                g.remove((s, p, ev))
            g.remove((ev, None, None))
    return compile_workplan(g, turtle_path, source, {source.iri: source})


def copies_of(path: Path) -> list[Path]:
    """The other files a gold file's plan was received as (its ``copies``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []  # evaluate_gold says why
    return [(path.parent / str(name)).resolve() for name in data.get("copies", [])]


def evaluate_gold(path: Path, copy: Path | None = None) -> Result:
    """Draft the document of one gold file (or ``copy``, the same plan as another file) and
    score the draft against it."""
    try:
        document = copy or (path.parent / tomllib.loads(path.read_text(encoding="utf-8"))["document"]).resolve()
        text = document_text(document)
        gold = read_gold(path, text)
    except (OSError, KeyError, tomllib.TOMLDecodeError, IngestError, GoldError, ActionPlanError) as exc:
        return Result(path.name, {}, f"{path}: {exc}")
    reference = load_reference()
    if gold.plans:
        reference = replace(reference, plans=[*reference.plans, *gold.plans])
    curated = document.is_relative_to(paths.SOURCES.resolve())
    empty: dict[str, list[Fact]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        text_path = Path(tmp) / f"{document.stem}.txt"
        text_path.write_text(text, encoding="utf-8")
        turtle_path = text_path.with_suffix(".ttl")
        try:
            turtle_path.write_text(draft_text(text_path, reference), encoding="utf-8")
            drafted = facts_of(compile_turtle(turtle_path, text_path))
            error = None
        except (AuthoringError, ValueError, StopIteration) as exc:
            drafted, error = empty, f"the draft did not compile: {str(exc).replace(tmp + '/', '')}"
    layout = f"{gold.layout}, as {document.suffix}" if copy else gold.layout
    scores = compare(drafted, gold.facts)
    return Result(layout, scores, error, curated, gold.lost_quotes, document.suffix.lower())


def evaluate(golds: Iterable[Path] | None = None) -> Evaluation:
    result = Evaluation()
    for path in golds if golds is not None else gold_files():
        stem = path.name.removesuffix(".gold.toml")
        result.per_document[stem] = evaluate_gold(path)
        for copy in copies_of(path):
            result.per_document[f"{stem} (as {copy.suffix})"] = evaluate_gold(path, copy)
    return result


# ---------------------------------------------------------------- gold files from the curated files


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "[" + ", ".join(_toml(v) for v in value) + "]"


def gold_from_curated(stem: str) -> str:
    """The gold file of a curated source, read from ``data/workplans/<stem>.ttl`` (not typed by hand)."""
    text_path = paths.SOURCES / f"{stem}.txt"
    g = compile_turtle(paths.WORKPLANS / f"{stem}.ttl", text_path)
    text = text_path.read_text(encoding="utf-8")
    plan = next(g.subjects(RDF.type, CCM.WorkPlan))
    facts = facts_of(g)
    relative = Path("../../..") / text_path.relative_to(paths.ROOT)
    lines = [
        f"# Gold facts of data/sources/{stem}.txt, written by tools/gold_from_curated.py from",
        f"# data/workplans/{stem}.ttl: regenerate it there, do not edit it by hand.",
        f"document = {_toml(str(relative))}",
        f'layout = "curated source: {stem}"',
    ]
    for kind, key in SET_KINDS.items():
        lines.append(f"{key} = {_toml(sorted(str(f.value) for f in facts[kind]))}")
    refs: dict[Node, str] = {}
    prefix = str(plan) + "/"
    classes = {
        "objectives": CCM.Objective,
        "activities": CCM.Activity,
        "outputs": CCM.ExpectedOutput,
        "timeline": CCM.TimelineEntry,
    }
    objectives = set(g.subjects(RDF.type, CCM.Objective))
    for key, cls in classes.items():
        for e in sorted(g.subjects(RDF.type, cls), key=lambda n: (_spans(g, n) or ((0, 0),))[0]):
            spans = _spans(g, e)
            if not spans:
                continue
            refs[e] = str(e).removeprefix(prefix)
            sub = key == "objectives" and any(t in objectives for t in g.objects(e, CCM.contributesTo))
            lines += ["", f"[[{'sub_objectives' if sub else key}]]", f"ref = {_toml(refs[e])}"]
            lines.append(f"quote = {_toml(' '.join(text[spans[0][0] : spans[0][1]].split()))}")
            lines.append(f"at = [{spans[0][0]}, {spans[0][1]}]")
            parents = [t for p in (CCM.contributesTo, CCM.subActivityOf) for t in g.objects(e, p)]
            if parents and key != "timeline":
                lines.append(f"parent = {_toml(sorted(str(t).removeprefix(prefix) for t in parents))}")
            if key == "timeline":
                period = g.value(e, CCM.scheduledIn)
                dates = interval(str(period)) if period is not None else None
                lines += [f"start = {_toml(dates[0])}", f"end = {_toml(dates[1])}"] if dates else ["review = true"]
    stated: dict[tuple[str, str], list[str]] = {}
    for owner, alignment in g.subject_objects(CCM.hasAlignment):
        if g.value(alignment, CCM.basis) == CCM.StatedInText:
            where = "plan" if owner == plan else refs.get(owner)
            for action in g.objects(alignment, CCM.action):
                action_plan, number = _action(action)
                if where is not None:
                    stated.setdefault((where, action_plan), []).append(number)
    for (where, action_plan), numbers in sorted(stated.items()):
        lines += ["", "[[actions]]", f"element = {_toml(where)}", f"plan = {_toml(action_plan)}"]
        lines.append(f"actions = {_toml(sorted(set(numbers), key=int))}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the tables


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def table(evaluation: Evaluation) -> str:
    """Markdown: one table per layout (a row per kind of fact), then the sums."""
    header = ["| fact | drafted | gold | precision | recall | wrong, unflagged |", "|---|---:|---:|---:|---:|---:|"]

    def rows(scores: dict[str, Score]) -> list[str]:
        return [
            f"| {kind} | {s.drafted} | {s.gold} | {_pct(s.precision)} | {_pct(s.recall)} | {s.wrong} |"
            for kind, s in scores.items()
            if s.drafted or s.gold
        ]

    out: list[str] = []
    for stem, result in evaluation.per_document.items():
        out += [f"### {stem} ({result.layout})", ""]
        if result.error:
            out += [f"{result.error}", ""]
        if result.lost_quotes:
            out += [f"{len(result.lost_quotes)} gold quote(s) not in the text the drafter read.", ""]
        out += [*header, *rows(result.scores), ""]
    for title, curated in (("The corpus of layouts", False), ("The five curated sources", True), ("All", None)):
        out += [f"### {title}, summed", "", *header, *rows(evaluation.totals(curated)), ""]
    kinds = sorted({r.received_as for r in evaluation.per_document.values() if not r.curated and r.received_as})
    for suffix in kinds if len(kinds) > 1 else []:
        title = f"The corpus of layouts received as {suffix}"
        out += [f"### {title}, summed", "", *header, *rows(evaluation.totals(False, suffix)), ""]
    return "\n".join(out) + "\n"
