"""The analyst service: what the JSON API and the HTML pages answer, from the SPARQL views.

Each function takes a Store and plain parameters and returns a model of ``analysis.models``;
bad input raises ``ccmgraph.errors`` (InvalidParameter naming the parameter and its allowed
values, NotFound), which every interface shows in its own way. Nothing here knows about HTTP.

Coverage, gap and trace analyses count the links of one basis or a stronger one: ``basis``
is the weakest basis counted, by its ``skos:notation`` in the ontology (``BASES``, strongest
first). The default counts what the text states or what an element inherits from its objective
or work plan, not curator judgement.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ccmgraph import catalog, errors, paths, search_index
from ccmgraph.analysis import models as m
from ccmgraph.analysis import views
from ccmgraph.analysis.views import ID
from ccmgraph.store import Store

# the skos:notation and rdfs:label of each ccm:AlignmentBasis in ontology/ccm.ttl, strongest first
BASIS_LABELS = {
    "stated": "stated in the text",
    "objective": "inherited from the objective",
    "workplan": "inherited from the work plan",
    "curator": "curator judgement",
}
BASES = tuple(BASIS_LABELS)
DEFAULT_BASIS = "workplan"
BASIS_DOC = (
    "the weakest basis of a link to count: stated (only what the text states for the element), "
    "objective (also what it inherits from its objective), workplan (also what it inherits from its "
    "work plan; the default), curator (also curator judgement)"
)
KEY = r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}"
WORKPLAN = ID + "workplan/"
WORKING_GROUP = ID + "working-group/"

Rows = list[dict[str, Any]]
EVIDENCE_PER_REQUEST = 1000  # a query's text under 100 KB


# ------------------------------------------------------------------ parameters


def counted(basis: str | None) -> m.Counted:
    """The bases counted for ``basis`` (None: the default); InvalidParameter for an unknown one."""
    basis = DEFAULT_BASIS if basis is None else basis
    if basis not in BASES:
        raise errors.InvalidParameter("basis", f"unknown basis {basis!r}", BASES)
    return m.Counted(basis=basis, countedBases=list(BASES[: BASES.index(basis) + 1]))


def key_of(iri: str) -> str:
    """gso-2024-2025 for id/workplan/gso-2024-2025."""
    return iri.rsplit("/", 1)[-1]


def basis_name(iri: str) -> str:
    """StatedInText for ccm:StatedInText."""
    return iri.rsplit("#", 1)[-1]


def coordinators(store: Store, workplan: str | None = None) -> dict[str, list[str]]:
    """The labels of each work plan's coordinators (of ``workplan`` only, its IRI, when given), in the
    order its document names them; those no quote names after them, by label."""
    by_plan: dict[str, list[tuple[bool, int, str, str]]] = {}
    for r in views.run(store, "coordinators", workplan=workplan):
        at = r["namedAt"]
        by_plan.setdefault(r["workplan"], []).append((at is None, at or 0, r["label"], r["coordinator"]))
    return {plan: [label for _, _, label, _ in sorted(found)] for plan, found in by_plan.items()}


def workplan_keys(store: Store) -> list[str]:
    return [key_of(r["workplan"]) for r in views.run(store, "workplans")]


def known_workplan(store: Store, name: str, key: str) -> str:
    """The IRI of work plan ``key``, given as parameter ``name``; InvalidParameter when there is none."""
    keys = workplan_keys(store)
    if key not in keys:
        raise errors.InvalidParameter(name, f"no work plan {key!r}", keys)
    return WORKPLAN + key


def action_plans(store: Store) -> list[m.ActionPlanRef]:
    """The action plans of the reference data, oldest first: the LAP (key ``lap``) and its successors."""
    return [
        m.ActionPlanRef(key=key_of(r["plan"]), iri=r["plan"], label=r["label"], acronym=r["acronym"])
        for r in views.run(store, "action-plans")
    ]


def action_plan(store: Store, key: str | None) -> m.ActionPlanRef:
    """Action plan ``key`` (None: the LAP); InvalidParameter when there is none."""
    plans = {p.key: p for p in action_plans(store)}
    key = "lap" if key is None else key
    if key not in plans:
        raise errors.InvalidParameter("plan", f"no action plan {key!r}", sorted(plans))
    return plans[key]


def group_plans(store: Store, value: str | None) -> set[str] | None:
    """The IRIs of the work plans of a working group, by key or IRI (None: no filter)."""
    if value is None:
        return None
    key = value.removeprefix(WORKING_GROUP)
    rows = views.run(store, "working-groups", workingGroup=WORKING_GROUP + key) if re.fullmatch(KEY, key) else []
    if not rows:
        known = sorted({key_of(r["workingGroup"]) for r in views.run(store, "working-groups")})
        raise errors.InvalidParameter("working_group", f"no working group {value!r} (give its key or its IRI)", known)
    return {r["workplan"] for r in rows if r["workplan"]}


# ------------------------------------------------------------------ named queries


def named_queries(directory: Path | None = None) -> list[m.QueryInfo]:
    out = []
    for q in catalog.load(directory or paths.QUERIES).values():
        example = "&".join(f"{p.name}={p.example}" for p in q.parameters)
        out.append(
            m.QueryInfo(
                name=q.name,
                title=q.title,
                description=q.description,
                parameters=[
                    m.QueryParameter(
                        name=p.name,
                        type=p.type,
                        example=p.example,
                        description=p.description,
                        required=p.required,
                        allowed=list(p.allowed) or None,
                        default=p.default,
                    )
                    for p in q.parameters
                ],
                url=f"/api/queries/{q.name}" + (f"?{example}" if example else ""),
            )
        )
    return out


def run_named_query(
    store: Store,
    name: str,
    values: Mapping[str, str],
    directory: Path | None = None,
    *,
    ordered: bool = True,
    columns: Sequence[str] | None = None,
) -> Rows:
    """The rows of a named query, its parameters bound from ``values`` (every key must be one of them);
    ``ordered=False``: the same rows in the engine's order, ``columns``: only those of each row
    (``NamedQuery.text``)."""
    queries = catalog.load(directory or paths.QUERIES)
    if name not in queries:
        raise errors.NotFound(f"no named query {name!r}; GET /api/queries lists them")
    q = queries[name]
    try:
        rows = store.select(q.text(ordered=ordered, columns=columns), q.bindings(dict(values)))
    except errors.QueryEvaluationError as exc:
        raise errors.QueryEvaluationError(f"query {name}: {exc}") from None
    lists = q.concatenations
    return [{k: _in_order(v, lists[k]) if k in lists else v for k, v in r.items()} for r in rows] if lists else rows


def _in_order(value: object, separator: str) -> object:
    """A GROUP_CONCAT's parts in one order whatever the engine's: basis notations strongest first,
    anything else sorted; an empty one is None (Virtuoso concatenates nothing to "", Oxigraph leaves
    the variable unbound)."""
    if not isinstance(value, str) or value == "":
        return None if value == "" else value
    rank = {b: i for i, b in enumerate(BASES)}
    return separator.join(sorted(value.split(separator), key=lambda part: (rank.get(part, len(rank)), part)))


# ------------------------------------------------------------------ LAP actions


def lap_actions(
    store: Store, *, basis: str | None = None, served: bool | None = None, plan: str | None = None
) -> m.LapActionPage:
    """Every action of an action plan (the LAP by default) with the work plans, objectives and
    activities serving it."""
    c = counted(basis)
    of = action_plan(store, plan)
    actions: dict[int, m.LapActionSummary] = {}
    kinds = {
        (r["action"], r["workplan"], r["kind"]): r["count"]
        for r in views.run(store, "lap-action-kinds", basis=c.basis, plan=of.iri)
    }
    for r in views.run(store, "lap-actions", basis=c.basis, plan=of.iri):
        a = actions.setdefault(
            r["n"],
            m.LapActionSummary(
                number=r["n"],
                iri=r["action"],
                label=r["label"],
                section=r["sectionLabel"],
                workplans=0,
                objectives=0,
                activities=0,
                elements=0,
                byWorkplan=[],
            ),
        )
        if r["workplan"]:
            objectives = kinds.get((r["action"], r["workplan"], "objective"), 0)
            activities = kinds.get((r["action"], r["workplan"], "activity"), 0)
            a.workplans += 1
            a.objectives += objectives
            a.activities += activities
            a.elements += r["elements"]
            a.byWorkplan.append(
                m.WorkPlanCount(
                    workplan=key_of(r["workplan"]),
                    label=r["workplanLabel"],
                    objectives=objectives,
                    activities=activities,
                    elements=r["elements"],
                )
            )
    items = [a for a in actions.values() if served is None or (a.workplans > 0) == served]
    return m.LapActionPage(total=len(items), items=items, served=served, actionPlan=of, **c.model_dump())


def lap_action(
    store: Store, n: int, *, basis: str | None = None, workplan: str | None = None, working_group: str | None = None
) -> m.LapActionDetail:
    """A LAP action and every element serving it, with the basis of each link and its quotes."""
    c = counted(basis)
    group = group_plans(store, working_group)
    plan = known_workplan(store, "workplan", workplan) if workplan is not None else None
    rows = views.run(store, "lap-action", n=str(n), basis=c.basis)
    if not rows:
        raise errors.NotFound(f"no LAP action {n}; actions are numbered 1 to 50")
    coordinated = coordinators(store, plan)
    elements: dict[tuple[str, str], m.ServingElement] = {}
    for r in rows:
        if (
            not r["element"]
            or (group is not None and r["workplan"] not in group)
            or (plan is not None and r["workplan"] != plan)
        ):
            continue
        elements.setdefault(
            (r["element"], r["linkBasis"]),
            m.ServingElement(
                element=r["element"],
                kind=r["kind"],
                identifier=r["identifier"],
                label=r["label"],
                workplan=key_of(r["workplan"]),
                workplanLabel=r["workplanLabel"],
                coordinators=coordinated.get(r["workplan"], []),
                period=r["periodLabel"],
                basis=basis_name(r["linkBasis"]),
                basisLabel=r["basisLabel"],
                quotes=[],
            ),
        )
    for q in views.run(store, "lap-action-evidence", n=str(n), basis=c.basis):
        e = elements.get((q["element"], q["linkBasis"]))
        if e is not None:
            e.quotes.append(m.Quote(**{k: q[k] for k in m.Quote.model_fields}))
    first = rows[0]
    items = list(elements.values())
    return m.LapActionDetail(
        number=first["n"],
        iri=first["action"],
        label=first["actionLabel"],
        section=first["sectionLabel"],
        workplan=workplan,
        workingGroup=working_group,
        total=len(items),
        elements=items,
        **c.model_dump(),
    )


# ------------------------------------------------------------------ coverage


def coverage(
    store: Store,
    *,
    cycle: int | None = None,
    working_group: str | None = None,
    basis: str | None = None,
    plan: str | None = None,
) -> m.Coverage:
    """The actions of an action plan (the LAP by default) x work plans: how many elements serve each
    action, the strongest basis, the gaps."""
    c = counted(basis)
    of = action_plan(store, plan)
    group = group_plans(store, working_group)
    plans = views.run(store, "workplans")
    if cycle is not None:
        plans = [p for p in plans if p["begin"] and p["begin"][:4] <= str(cycle) <= p["end"][:4]]
    if group is not None:
        plans = [p for p in plans if p["workplan"] in group]
    shown = {p["workplan"] for p in plans}
    actions: dict[int, m.CoverageRow] = {}
    for r in views.run(store, "coverage", basis=c.basis, plan=of.iri):
        a = actions.setdefault(r["n"], m.CoverageRow(number=r["n"], iri=r["action"], label=r["label"], cells={}))
        if r["workplan"] in shown:
            a.cells[key_of(r["workplan"])] = m.CoverageCell(count=r["count"], strongest=basis_name(r["strongest"]))
    return m.Coverage(
        actionPlan=of,
        cycle=cycle,
        workingGroup=working_group,
        workplans=[
            m.CoveragePlan(
                id=key_of(p["workplan"]), iri=p["workplan"], label=p["label"], begin=p["begin"], end=p["end"]
            )
            for p in plans
        ],
        actions=list(actions.values()),
        unserved=[a.number for a in actions.values() if not a.cells],
        **c.model_dump(),
    )


# ------------------------------------------------------------------ work plans


def _plan(r: dict[str, Any], coordinated: dict[str, list[str]]) -> dict[str, Any]:
    return {**r, "id": key_of(r["workplan"]), "coordinators": coordinated.get(r["workplan"], [])}


def workplans(store: Store, *, working_group: str | None = None) -> m.Page[m.WorkPlanSummary]:
    group = group_plans(store, working_group)
    coordinated = coordinators(store)
    items = [
        m.WorkPlanSummary(**_plan(r, coordinated))
        for r in views.run(store, "workplans")
        if group is None or r["workplan"] in group
    ]
    return m.Page[m.WorkPlanSummary](total=len(items), items=items)


def workplan(store: Store, key: str) -> m.WorkPlanDetail:
    """A work plan with its objectives, activities, outputs and timeline in document order."""
    if not re.fullmatch(KEY, key):
        raise errors.InvalidParameter("id", f"{key!r} is not a work plan key such as gso-2024-2025")
    head = views.run(store, "workplans", workplan=WORKPLAN + key)
    if not head:
        raise errors.NotFound(f"no work plan {key!r}; GET /api/workplans lists them")
    groups: dict[str, list[m.PlanElement]] = {}
    seen: set[str] = set()
    for e in views.run(store, "workplan-elements", workplan=WORKPLAN + key):
        if e["element"] not in seen:
            seen.add(e["element"])
            groups.setdefault(e["kind"], []).append(m.PlanElement(**e))
    return m.WorkPlanDetail(**_plan(head[0], coordinators(store, WORKPLAN + key)), elements=groups)


# ------------------------------------------------------------------ States and partners


def _roles(rows: Rows) -> m.AgentRoles:
    first = rows[0]
    roles = [m.Role(**{**r, "workplan": key_of(r["workplan"]) if r["workplan"] else None}) for r in rows if r["role"]]
    return m.AgentRoles(
        iri=first["agent"],
        id=first["key"],
        label=first["agentLabel"],
        kind=first["agentKind"],
        total=len(roles),
        roles=roles,
    )


def state(store: Store, iso3: str) -> m.AgentRoles:
    """Every role a State holds."""
    if not re.fullmatch(r"[A-Za-z]{3}", iso3):
        raise errors.InvalidParameter("iso3", f"{iso3!r} is not an ISO 3166 alpha-3 code such as DEU")
    rows = [r for r in views.run(store, "agent-roles", key=iso3.upper()) if r["agentKind"] == "state"]
    if not rows:
        raise errors.NotFound(f"no State {iso3.upper()}")
    return _roles(rows)


def partner(store: Store, key: str) -> m.AgentRoles:
    """Every role an organisation, working group or State holds."""
    if not re.fullmatch(KEY, key):
        raise errors.InvalidParameter("id", f"{key!r} is not a key such as unidir")
    rows = views.run(store, "agent-roles", key=key)
    if not rows:
        raise errors.NotFound(f"no organisation, working group or State {key!r}")
    return _roles(rows)


def partners(store: Store) -> m.Page[m.Partner]:
    items = [m.Partner(id=key_of(r["agent"]), **r) for r in views.run(store, "partners")]
    return m.Page[m.Partner](total=len(items), items=items)


# ------------------------------------------------------------------ timeline, compare, search


# how an entry's scheduled interval meets the date range: the ``match`` parameter of
# queries/views/timeline.rq (and of queries/scheduled-in-period.rq), the default first
MATCHES = ("containment", "overlap")
MATCH_DOC = (
    "containment (the default): only entries whose scheduled interval lies within the range, i.e. what "
    "the documents schedule in it; overlap: also entries whose interval only overlaps the range (an item "
    "running over a whole cycle overlaps every quarter of it)"
)


def timeline(
    store: Store,
    *,
    start: date,
    end: date,
    match: str | None = None,
    workplan: str | None = None,
    working_group: str | None = None,
) -> m.TimelinePage:
    """Timeline entries scheduled within [start, end] (``match="overlap"``: overlapping it)."""
    match = MATCHES[0] if match is None else match
    if match not in MATCHES:
        raise errors.InvalidParameter("match", f"unknown matching {match!r}", MATCHES)
    if start > end:
        raise errors.InvalidParameter("from", f"{start} is after 'to' ({end})")
    group = group_plans(store, working_group)
    plan = known_workplan(store, "workplan", workplan) if workplan is not None else None
    rows = views.run(store, "timeline", **{"from": start.isoformat(), "to": end.isoformat(), "match": match})
    items = [
        m.TimelineEntry(workplanId=key_of(r["workplan"]), **r)
        for r in rows
        if (group is None or r["workplan"] in group) and (plan is None or r["workplan"] == plan)
    ]
    return m.TimelinePage(total=len(items), items=items, match=match)


STATUSES = ("continued", "new", "dropped")


def compare(store: Store, earlier: str, later: str) -> m.Comparison:
    """Objectives, activities and partners continued, new and dropped from one work plan to another."""
    a, b = known_workplan(store, "from", earlier), known_workplan(store, "to", later)
    if a == b:
        raise errors.InvalidParameter(
            "to",
            f"is the same work plan as 'from' ({earlier}): compare two different ones",
            [k for k in workplan_keys(store) if k != earlier],
        )
    elements = [m.ComparedElement(**r) for r in views.run(store, "compare-elements", **{"from": a, "to": b})]
    found = [m.ComparedPartner(**r) for r in views.run(store, "compare-partners", **{"from": a, "to": b})]
    return m.Comparison(
        earlier=earlier,
        later=later,
        elements={s: [e for e in elements if e.status == s] for s in STATUSES},
        partners={s: [p for p in found if p.status == s] for s in STATUSES},
    )


def search(store: Store, q: str, *, index: Path | None = None, limit: int = 100, offset: int = 0) -> m.SearchPage:
    """A window of the resources matching ``q``: from the full-text ``index`` the build writes
    (ccmgraph.search_index), or, without one (a store with no dist/), the SPARQL view ``search``."""
    if index is not None and index.exists():
        hits = search_index.search(index, q, limit, offset)
        items = [m.SearchHit.model_validate(h) for h in hits.items]
        return m.SearchPage(total=hits.total, limit=limit, offset=offset, items=items, matched=hits.matched)
    rows = views.run(store, "search", q=q)
    items = [m.SearchHit(**r) for r in rows[offset : offset + limit]]
    return m.SearchPage(total=len(rows), limit=limit, offset=offset, items=items, matched="all")


# ------------------------------------------------------------------ what the pages read besides the API's answers


def evidence_quotes(store: Store, evidence: Sequence[str]) -> list[m.Quote]:
    """The quotes of the ``evidence`` given (their IRIs), with their documents and offsets, asked
    EVIDENCE_PER_REQUEST at a time (a VALUES block each)."""
    out = []
    for i in range(0, len(evidence), EVIDENCE_PER_REQUEST):
        chunk = [ox.NamedNode(iri) for iri in evidence[i : i + EVIDENCE_PER_REQUEST]]
        out += [
            m.Quote(**r, prefix=None, suffix=None) for r in views.select(store, "evidence-quotes", {"evidence": chunk})
        ]
    return out


def alignment_bases(store: Store) -> list[m.AlignmentBasis]:
    """Every basis of a link to a LAP action, strongest first, with its words."""
    return [m.AlignmentBasis(**{**r, "name": basis_name(r["basis"])}) for r in views.run(store, "alignment-bases")]


def lap_action_text(store: Store, n: int) -> m.LapActionText:
    """The names, text and section of a LAP action, as the data has them."""
    rows = views.run(store, "lap-action-text", n=str(n))
    if not rows:
        raise errors.NotFound(f"no LAP action {n}; actions are numbered 1 to 50")
    return m.LapActionText(**rows[0])


def workplan_actions(store: Store, key: str) -> list[m.ElementAction]:
    """The LAP actions each element of a work plan (and the plan itself) serves, strongest basis first."""
    return [m.ElementAction(**r) for r in views.run(store, "workplan-actions", workplan=WORKPLAN + key)]


def workplan_partners(store: Store, key: str) -> list[m.PlanPartner]:
    """The partners a work plan names, for itself or its parts, most often named first."""
    return [m.PlanPartner(**r) for r in views.run(store, "workplan-partners", workplan=WORKPLAN + key)]


def resource_alignments(store: Store, iri: str) -> list[m.ResourceAlignment]:
    """The links of a resource to LAP actions, one per quote, in action number order."""
    return [m.ResourceAlignment(**r) for r in views.run(store, "resource-alignments", resource=iri)]


def document_spans(store: Store, iri: str) -> list[m.DocumentSpan]:
    """The quoted spans of a source document, each with what it backs, in text order."""
    return [m.DocumentSpan(**r) for r in views.run(store, "document-spans", document=iri)]


def source_text(file_name: str, sha256: str | None) -> m.SourceText | None:
    """The text of a source document (data/sources/), and whether it matches its recorded sha256;
    None when the project has no such file (a server over a remote store may not)."""
    path = paths.SOURCES / file_name
    if path.name != file_name or not path.is_file():
        return None
    raw = path.read_bytes()
    return m.SourceText(text=raw.decode("utf-8"), verified=hashlib.sha256(raw).hexdigest() == sha256)
