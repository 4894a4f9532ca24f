"""The answers of the analyst service: pydantic models, so that the JSON API documents their schema
(``/docs``) and the pages read the same fields.

Field names are the JSON keys (camelCase, as the views' SPARQL variables). ``table()`` gives the
rows of an answer for CSV: one flat dict per row, lists joined by the CSV writer.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T", bound=BaseModel)
Cell = str | int | float | bool | None
Row = dict[str, Cell | list[str]]


class Tabular(Protocol):
    def table(self) -> list[Row]:
        """The answer's rows, for CSV."""
        ...


class Page(BaseModel, Generic[T]):
    """A list answer; the service gives every item, the API a window of them."""

    total: int = Field(description="number of items before limit and offset")
    limit: int | None = Field(default=None, description="at most this many items (none: all)")
    offset: int = 0
    items: list[T]

    def window(self, limit: int, offset: int) -> Page[T]:
        return self.model_copy(update={"limit": limit, "offset": offset, "items": self.items[offset : offset + limit]})

    def table(self) -> list[Row]:
        return [item.model_dump(mode="json") for item in self.items]


class Counted(BaseModel):
    """What an analysis counted: the links of ``basis`` or a stronger one (see ``service.BASES``)."""

    basis: str = Field(description="the weakest basis of a link counted")
    countedBases: list[str] = Field(description="every basis counted, strongest first")


class ActionPlanRef(BaseModel):
    """An action plan: the LAP (key ``lap``) or a successor (``id/action-plan/<key>``)."""

    key: str
    iri: str
    label: str
    acronym: str | None = None


# ------------------------------------------------------------------ named queries


class QueryParameter(BaseModel):
    name: str
    type: str
    example: str
    description: str
    required: bool
    allowed: list[str] | None = Field(default=None, description="the only values allowed, if they are few")
    default: str | None = Field(default=None, description="the value used when the parameter is not given")


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    parameters: list[QueryParameter]
    url: str = Field(description="the query run with its example parameters")


# ------------------------------------------------------------------ LAP actions


class WorkPlanCount(BaseModel):
    workplan: str = Field(description="the work plan's key")
    label: str
    objectives: int
    activities: int
    elements: int


class LapActionSummary(BaseModel):
    number: int
    iri: str
    label: str
    section: str | None
    workplans: int = Field(description="work plans serving the action")
    objectives: int
    activities: int
    elements: int
    byWorkplan: list[WorkPlanCount]


class LapActionPage(Page[LapActionSummary], Counted):
    served: bool | None = Field(description="only actions served (true) or not (false); none: all")
    actionPlan: ActionPlanRef = Field(description="the action plan whose actions these are")

    def table(self) -> list[Row]:
        return [
            {**item.model_dump(exclude={"byWorkplan"}), "basis": self.basis, "countedBases": self.countedBases}
            for item in self.items
        ]


class Quote(BaseModel):
    evidence: str
    document: str
    documentTitle: str | None
    exact: str
    prefix: str | None
    suffix: str | None
    start: int
    end: int


class ServingElement(BaseModel):
    element: str
    kind: str
    identifier: str | None
    label: str | None
    workplan: str = Field(description="the work plan's key")
    workplanLabel: str
    coordinators: list[str]
    period: str | None
    basis: str = Field(description="the basis of this link (StatedInText, InheritedFromObjective, ...)")
    basisLabel: str
    quotes: list[Quote]


class LapActionDetail(Counted):
    number: int
    iri: str
    label: str
    section: str | None
    workplan: str | None = Field(description="only elements of this work plan (its key)")
    workingGroup: str | None
    total: int
    elements: list[ServingElement]

    def table(self) -> list[Row]:
        return [
            {
                "number": self.number,
                **e.model_dump(exclude={"quotes"}),
                "quotes": [q.exact for q in e.quotes],
                "countedBases": self.countedBases,
            }
            for e in self.elements
        ]


# ------------------------------------------------------------------ coverage


class CoverageCell(BaseModel):
    count: int = Field(description="elements of the work plan serving the action")
    strongest: str | None = Field(description="the strongest basis of those links")


class CoverageRow(BaseModel):
    number: int
    iri: str
    label: str
    cells: dict[str, CoverageCell] = Field(description="by work plan key; no cell: not served")


class CoveragePlan(BaseModel):
    id: str
    iri: str
    label: str
    begin: str | None
    end: str | None


class Coverage(Counted):
    actionPlan: ActionPlanRef = Field(description="the action plan whose actions are rows")
    cycle: int | None
    workingGroup: str | None
    workplans: list[CoveragePlan]
    actions: list[CoverageRow]
    unserved: list[int] = Field(description="actions no work plan shown serves")

    def table(self) -> list[Row]:
        rows: list[Row] = []
        for a in self.actions:
            row: Row = {"number": a.number, "label": a.label}
            for p in self.workplans:
                cell = a.cells.get(p.id)
                row[p.id] = cell.count if cell else 0
                row[f"{p.id} strongest basis"] = cell.strongest if cell else None
            rows.append({**row, "countedBases": self.countedBases})
        return rows


# ------------------------------------------------------------------ work plans


class WorkPlanSummary(BaseModel):
    id: str
    workplan: str
    label: str
    title: str | None
    periodLabel: str | None
    begin: str | None
    end: str | None
    workingGroupLabel: str | None
    document: str | None
    documentTitle: str | None
    symbol: str | None
    coordinators: list[str]
    objectives: int | None
    activities: int | None
    outputs: int | None
    timelineEntries: int | None


class PlanElement(BaseModel):
    element: str
    kind: str
    identifier: str | None
    label: str | None
    description: str | None
    position: int | None
    contributesTo: str | None
    periodLabel: str | None
    begin: str | None
    end: str | None


class WorkPlanDetail(WorkPlanSummary):
    elements: dict[str, list[PlanElement]] = Field(description="by kind, in document order")

    def table(self) -> list[Row]:
        return [e.model_dump() for kind in self.elements.values() for e in kind]


# ------------------------------------------------------------------ States and partners


class Role(BaseModel):
    role: str
    subject: str | None
    subjectLabel: str | None
    workplan: str | None = Field(description="the work plan's key")
    workplanLabel: str | None
    periodLabel: str | None


class AgentRoles(BaseModel):
    iri: str
    id: str
    label: str
    kind: str
    total: int
    roles: list[Role]

    def table(self) -> list[Row]:
        return [{"agent": self.id, **r.model_dump()} for r in self.roles]


class Partner(BaseModel):
    id: str
    agent: str
    label: str
    kind: str
    workplans: int
    elements: int


# ------------------------------------------------------------------ timeline, compare, search


class TimelineEntry(BaseModel):
    entry: str
    label: str | None
    description: str | None
    workplan: str
    workplanId: str
    workplanLabel: str
    period: str
    periodLabel: str | None
    begin: str
    end: str


class TimelinePage(Page[TimelineEntry]):
    match: str = Field(description="how the entries' intervals met the range: containment or overlap")

    def table(self) -> list[Row]:
        return [{**row, "match": self.match} for row in super().table()]


class ComparedElement(BaseModel):
    status: str
    kind: str
    element: str
    label: str | None
    counterpart: str | None
    counterpartLabel: str | None


class PlanPartner(BaseModel):
    partner: str
    label: str | None
    elements: int = Field(description="the plan's elements (or the plan itself) naming the partner")


class ComparedPartner(BaseModel):
    status: str
    partner: str
    label: str | None


class Comparison(BaseModel):
    earlier: str = Field(serialization_alias="from", description="the earlier work plan's key")
    later: str = Field(serialization_alias="to", description="the later work plan's key")
    elements: dict[str, list[ComparedElement]] = Field(description="by status: continued, new, dropped")
    partners: dict[str, list[ComparedPartner]] = Field(description="by status: continued, new, dropped")

    def table(self) -> list[Row]:
        rows: list[Row] = [{"what": "element", **e.model_dump()} for group in self.elements.values() for e in group]
        rows += [{"what": "partner", **p.model_dump()} for group in self.partners.values() for p in group]
        return rows


class SearchHit(BaseModel):
    resource: str
    label: str
    type: str | None
    rank: float = Field(description="higher: a better match")
    snippet: str | None = Field(
        default=None, description="HTML: where the words matched, each in <mark> (none without the full-text index)"
    )


class SearchPage(Page[SearchHit]):
    matched: str = Field(description='"all" words matched, "any" word (none had them all), "none" (no word to find)')


# ------------------------------------------------------------------ what the pages read besides the API's answers


class AlignmentBasis(BaseModel):
    name: str = Field(description="StatedInText, InheritedFromObjective, ...")
    notation: str | None = Field(description="the value of a basis parameter: stated, objective, ...")
    label: str = Field(description="the basis in words")
    strength: int | None


class LapActionText(BaseModel):
    label: str
    prefLabel: str | None
    title: str | None
    definition: str | None = Field(description="the action's text")
    section: str | None = Field(description="the section's IRI")
    sectionLabel: str | None


class ElementAction(BaseModel):
    """A LAP action an element of a work plan (or the plan itself) serves."""

    element: str
    action: str
    number: int
    basis: str
    basisLabel: str


class ResourceAlignment(BaseModel):
    """A link from a resource to a LAP action, with one quote backing it (none: no evidence)."""

    action: str
    number: int
    actionLabel: str
    basis: str
    basisLabel: str | None
    strength: int | None
    evidence: str | None
    exact: str | None
    start: int | None
    end: int | None
    document: str | None
    documentTitle: str | None


class DocumentSpan(BaseModel):
    """A quoted span of a source document and one resource it backs."""

    evidence: str
    start: int
    end: int
    subject: str
    subjectLabel: str | None
    actionLabel: str | None = Field(description="the LAP action, when the span backs a link to one")


class SourceText(BaseModel):
    text: str
    verified: bool = Field(description="the text's sha256 is the one the data records")


class ReviewElement(ServingElement):
    """An element serving a LAP action in the LAP review (queries/lap-review-actions.rq): the
    API's answer, with who (partners, funders named for it), when (its timeline) and its outputs."""

    partners: list[str]
    funders: list[str]
    timeline: list[str]
    outputs: list[str]
