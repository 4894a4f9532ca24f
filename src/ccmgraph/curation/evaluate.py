"""``ccmgraph draft --evaluate``: how close the drafter comes to the curated files.

Each source with a curated file is drafted as if unseen; both files are compiled the way the
build compiles them (quotes resolved to offsets), and the findings are compared per kind:
an element found by the drafter matches a curated element of the same class when their
quotes overlap in the text; a LAP action, timeline period or partner matches when the same
resource is stated (on overlapping elements where it belongs to an element); a structural link
(contributesTo, subActivityOf, carriesOut) matches one by the same property between overlapping
elements, and is counted again when its basis (by heading, by position...) is the same too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ccmgraph import paths
from ccmgraph.curation.draft_file import draft_text
from ccmgraph.namespaces import CCM, ID, OA
from ccmgraph.pipeline.authoring import AuthoringError, Source, compile_workplan

ELEMENTS = {
    "objectives": CCM.Objective,
    "activities": CCM.Activity,
    "expected outputs": CCM.ExpectedOutput,
    "outcomes": CCM.Outcome,
    "timeline entries": CCM.TimelineEntry,
}
PLAN_FACTS = {
    "coordinators": CCM.coordinator,
    "working group": CCM.workingGroup,
    "period": CCM.period,
    "leads up to": CCM.leadsUpTo,
}
Span = tuple[int, int]


@dataclass
class Score:
    drafted: int = 0
    curated: int = 0
    found: int = 0  # drafted findings that match a curated one
    recalled: int = 0  # curated findings that a drafted one matches

    def add(self, other: Score) -> None:
        self.drafted += other.drafted
        self.curated += other.curated
        self.found += other.found
        self.recalled += other.recalled

    @property
    def precision(self) -> float | None:
        return self.found / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.curated if self.curated else None


@dataclass
class Evaluation:
    per_document: dict[str, dict[str, Score]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def totals(self) -> dict[str, Score]:
        out: dict[str, Score] = {}
        for scores in self.per_document.values():
            for kind, score in scores.items():
                out.setdefault(kind, Score()).add(score)
        return out


def _compile(turtle: str, text_path: Path) -> Graph:
    g = Graph().parse(data=turtle, format="turtle")
    doc = next(g.subjects(RDF.type, CCM.SourceDocument))
    source = Source(URIRef(str(doc)), text_path, text_path.read_text(encoding="utf-8"))
    # quotes from other documents (continuations) are dropped: only this text is compared
    for ev in list(g.subjects(OA.hasSource, None)):
        if g.value(ev, OA.hasSource) != doc:
            for s, p in list(g.subject_predicates(ev)):
                g.remove((s, p, ev))
            g.remove((ev, None, None))
    return compile_workplan(g, Path(f"{text_path.stem}.ttl"), source, {source.iri: source})


def _spans(g: Graph, node: Node) -> list[Span]:
    own: list[Span] = []
    other: list[Span] = []
    for ev in g.objects(node, CCM.evidence):
        start, end = g.value(URIRef(f"{ev}/position"), OA.start), g.value(URIRef(f"{ev}/position"), OA.end)
        if start is not None and end is not None:
            (other if g.value(ev, CCM.forProperty) is not None else own).append((int(str(start)), int(str(end))))
    return own or other


def _overlap(a: Iterable[Span], b: Iterable[Span]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def _match(drafted: list, curated: list, same) -> Score:
    return Score(
        len(drafted),
        len(curated),
        sum(any(same(d, c) for c in curated) for d in drafted),
        sum(any(same(d, c) for d in drafted) for c in curated),
    )


def _plan(g: Graph) -> Node | None:
    return next(g.subjects(RDF.type, CCM.WorkPlan), None)


def _elements(g: Graph, cls: URIRef) -> list[tuple[Node, list[Span]]]:
    return [(e, _spans(g, e)) for e in g.subjects(RDF.type, cls)]


def _stated(g: Graph) -> list[tuple[bool, list[Span], Node | None]]:
    plan = _plan(g)
    out = []
    for owner, alignment in g.subject_objects(CCM.hasAlignment):
        if g.value(alignment, CCM.basis) == CCM.StatedInText:
            out.append((owner == plan, _spans(g, owner), g.value(alignment, CCM.action)))
    return out


def _anywhere(g: Graph, props: Iterable[URIRef], prefix: str) -> list[Node]:
    return sorted({o for p in props for o in g.objects(None, p) if str(o).startswith(str(ID) + prefix)}, key=str)


STRUCTURAL = (CCM.contributesTo, CCM.subActivityOf, CCM.carriesOut)


def _links(g: Graph) -> list[tuple[Node | None, list[Span], list[Span], Node | None]]:
    """(property, spans of the subject, spans of the target, basis) of each structural link."""
    out = []
    for link in g.subjects(RDF.type, CCM.QualifiedLink):
        prop, target = g.value(link, CCM.linkProperty), g.value(link, CCM.linkTarget)
        subject = next(g.subjects(CCM.hasQualifiedLink, link), None)
        if prop in STRUCTURAL and subject is not None and target is not None:
            out.append((prop, _spans(g, subject), _spans(g, target), g.value(link, CCM.basis)))
    return out


def compare(draft: Graph, curated: Graph) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    dp, cp = _plan(draft), _plan(curated)
    for kind, prop in PLAN_FACTS.items():
        a, b = sorted(set(draft.objects(dp, prop)), key=str), sorted(set(curated.objects(cp, prop)), key=str)
        scores[kind] = _match(a, b, lambda x, y: x == y)
    for kind, cls in ELEMENTS.items():
        scores[kind] = _match(_elements(draft, cls), _elements(curated, cls), lambda x, y: _overlap(x[1], y[1]))
    scores["LAP actions stated"] = _match(
        _stated(draft),
        _stated(curated),
        lambda x, y: x[2] == y[2] and ((x[0] and y[0]) or (not x[0] and not y[0] and _overlap(x[1], y[1]))),
    )
    # a structural link matches one between overlapping elements by the same property; its basis, the same basis too
    links, curated_links = _links(draft), _links(curated)
    same_link = lambda x, y: x[0] == y[0] and _overlap(x[1], y[1]) and _overlap(x[2], y[2])  # noqa: E731
    scores["structural links"] = _match(links, curated_links, same_link)
    scores["structural links with their basis"] = _match(
        links, curated_links, lambda x, y: same_link(x, y) and x[3] == y[3]
    )
    timeline = [(s, p) for e, s in _elements(draft, CCM.TimelineEntry) for p in draft.objects(e, CCM.scheduledIn)]
    curated_timeline = [
        (s, p) for e, s in _elements(curated, CCM.TimelineEntry) for p in curated.objects(e, CCM.scheduledIn)
    ]
    scores["timeline periods"] = _match(timeline, curated_timeline, lambda x, y: x[1] == y[1] and _overlap(x[0], y[0]))
    partners = (CCM.partner, CCM.implementer, CCM.coordinator)
    for kind, props, prefix in (
        ("partners (States)", partners, "state/"),
        ("partners (organisations)", partners, "org/"),
        ("meetings", (CCM.mentions, CCM.leadsUpTo), "meeting/"),
        ("Convention articles", (CCM.mentions, CCM.supportsArticle), "article/"),
    ):
        scores[kind] = _match(_anywhere(draft, props, prefix), _anywhere(curated, props, prefix), lambda x, y: x == y)
    return scores


def evaluate() -> Evaluation:
    result = Evaluation()
    for curated_path in sorted(paths.WORKPLANS.glob("*.ttl")):
        text_path = paths.SOURCES / f"{curated_path.stem}.txt"
        if not text_path.exists():
            continue
        try:
            drafted = _compile(draft_text(text_path), text_path)
            curated = _compile(curated_path.read_text(encoding="utf-8"), text_path)
        except (AuthoringError, ValueError, StopIteration) as exc:
            result.errors[curated_path.stem] = str(exc)
            continue
        result.per_document[curated_path.stem] = compare(drafted, curated)
    return result


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def table(evaluation: Evaluation) -> str:
    """A Markdown table: one row per kind of finding, summed over the documents."""
    rows = ["| finding | drafted | curated | precision | recall |", "|---|---:|---:|---:|---:|"]
    for kind, s in evaluation.totals().items():
        rows.append(f"| {kind} | {s.drafted} | {s.curated} | {_pct(s.precision)} | {_pct(s.recall)} |")
    rows += [
        "",
        "Per document (precision / recall of the elements and LAP actions):",
        "",
        "| document | objectives | activities | expected outputs | timeline entries | LAP actions stated |",
        "|---|---|---|---|---|---|",
    ]
    for doc, scores in evaluation.per_document.items():
        cells = [
            f"{_pct(scores[k].precision)} / {_pct(scores[k].recall)}"
            for k in ("objectives", "activities", "expected outputs", "timeline entries", "LAP actions stated")
        ]
        rows.append(f"| {doc} | " + " | ".join(cells) + " |")
    for doc, error in evaluation.errors.items():
        rows.append(f"\n{doc}: the draft did not compile: {error}")
    return "\n".join(rows) + "\n"
