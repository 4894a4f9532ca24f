"""The LAP review: what the work plans did for each LAP action, cycle by cycle, on what evidence.

Each section is one named query of queries/ run through the analysis service
(``service.run_named_query``, the same rows as /api/queries/<name>; of ``lap-review-links`` only
the columns read, COLUMNS): ``lap-review-links`` (per action, and the summary that counts it; each
link's first quote from its evidence's, ``service.evidence_quotes``: what ``lap-review-actions``
gives in one table) with
``lap-review-details`` (who, when, which outputs), ``lap-review-continuity`` (what carried forward
between cycles, and why), ``lap-review-agents`` (per working group, coordinator, partner and
funder); with ``service.workplans`` for the cycles (a cycle is the span of years of a work plan's
period: 2024-2025) and each plan's label and period, ``service.alignment_bases`` for the bases in
words. The review, the API and the pages give the same numbers. Nothing here knows about HTTP or
about an output format (see ``ccmgraph.web.report_formats`` for HTML, PDF, xlsx and CSV).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from ccmgraph import errors
from ccmgraph.analysis import models as m
from ccmgraph.analysis import service
from ccmgraph.store import Store

CONTINUITY = ("started", "continued", "stopped")
# the named queries the review runs (at once), one per section
QUERIES = ("lap-review-links", "lap-review-details", "lap-review-continuity", "lap-review-agents")
WITH_BASIS = {"lap-review-links", "lap-review-agents"}  # the others answer for every basis
# read into sets and sorted here: asked without the query's ORDER BY, the engine's sort spared
UNORDERED = {"lap-review-agents"}
# the columns read of a query's rows where the review has the others: a work plan's label and period
# (service.workplans), a basis's words (service.alignment_bases), once each instead of on each of
# 16,100 rows at a million quads (Virtuoso writes every term: 7.1 s for lap-review-actions' 22
# columns, 4.0-4.9 s for 17)
COLUMNS = {
    "lap-review-links": (
        *("n", "action", "actionLabel", "sectionLabel", "element", "kind", "identifier", "label", "workplan"),
        *("linkBasis", "counted", "evidence"),
    )
}
ROLES = ("working group", "coordinator", "partner", "funder")


@dataclass
class Continuation:
    """An element of a later cycle carrying forward one of an earlier cycle, with the basis in words
    (``link``: the qualified continuation, whose page shows the quotes backing it)."""

    link: str
    later: str
    laterLabel: str
    laterWorkplan: str
    earlier: str
    earlierLabel: str
    earlierWorkplan: str
    basisLabel: str
    reason: str | None


@dataclass
class Change:
    """What happened to an action's support from one cycle to the next, and the links that say how."""

    source: str
    target: str
    status: str  # one of CONTINUITY
    links: list[Continuation] = field(default_factory=list)


@dataclass
class ActionReview:
    """One LAP action: the elements serving it per cycle, and what changed between cycles."""

    number: int
    iri: str
    label: str
    section: str
    cycles: dict[str, list[m.ReviewElement]]
    curator_only: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def served(self) -> bool:
        return any(self.cycles.values())

    def stopped_after(self) -> list[str]:
        return [c.source for c in self.changes if c.status == "stopped"]


@dataclass
class LapReview:
    """The review's sections as data: summary counts, per action, per working group, coordinator,
    partner and funder."""

    basis: str
    counted_bases: list[str]
    release: str
    cycles: list[str]
    workplans: list[m.WorkPlanSummary]
    actions: list[ActionReview]
    # role -> name -> cycle -> the actions it served (lap-review-agents)
    agents: dict[str, dict[str, dict[str, list[int]]]] = field(default_factory=dict)
    agent_iris: dict[str, str] = field(default_factory=dict)

    def sections(self) -> list[str]:
        return list(dict.fromkeys(a.section for a in self.actions))

    def served_counts(self) -> dict[str, dict[str, int]]:
        """LAP section → cycle → number of its actions served in that cycle (the chart's figures)."""
        return {
            s: {c: sum(1 for a in self.actions if a.section == s and a.cycles.get(c)) for c in self.cycles}
            for s in self.sections()
        }

    def section_sizes(self) -> dict[str, int]:
        return {s: sum(1 for a in self.actions if a.section == s) for s in self.sections()}

    def listed(self) -> int:
        """The elements listed, over every action and cycle (what the review's length grows with)."""
        return sum(len(elements) for a in self.actions for elements in a.cycles.values())

    def unserved(self) -> list[ActionReview]:
        return [a for a in self.actions if not a.served]

    def curator_only(self) -> list[ActionReview]:
        return [a for a in self.actions if a.curator_only]

    def stopped(self) -> list[ActionReview]:
        return [a for a in self.actions if a.stopped_after()]

    def by_role(self, role: str) -> dict[str, dict[str, list[int]]]:
        """Name → cycle → the actions served where it held ``role`` (one of ROLES)."""
        return self.agents.get(role, {})

    def by_working_group(self) -> dict[str, dict[str, list[int]]]:
        return self.by_role("working group")

    def by_coordinator(self) -> dict[str, dict[str, list[int]]]:
        return self.by_role("coordinator")

    def by_partner(self) -> dict[str, dict[str, list[int]]]:
        return self.by_role("partner")


def cycle_of(plan: m.WorkPlanSummary) -> str | None:
    """2024-2025 for a plan running from 2024-09-01 to 2025-09-30, 2025 for one within 2025
    (None: no period recorded)."""
    if not (plan.begin and plan.end):
        return None
    return plan.begin[:4] if plan.begin[:4] == plan.end[:4] else f"{plan.begin[:4]}-{plan.end[:4]}"


def _in_range(cycle: str, first: str | None, last: str | None) -> bool:
    return (first is None or cycle >= first) and (last is None or cycle <= last)


def _first_quotes(store: Store, links: list[dict[str, Any]]) -> dict[tuple[str, str, str], m.Quote]:
    """(action, element, basis) → the first quote of the link's evidence in the rows of
    lap-review-links given: the smallest (start, end, evidence, document, title, text), as
    lap-review-actions chooses it. Asked once per evidence, here, not once per link by the engine:
    at a million quads 600 quotes back 16,100 links, and the review's queries take 3.1-4.1 s
    instead of 5.2-7.1 s, on disk in process, over Virtuoso and over Oxigraph server (bench/README.md)."""
    quotes: dict[str, list[m.Quote]] = {}
    for q in service.evidence_quotes(store, sorted({r["evidence"] for r in links})):
        quotes.setdefault(q.evidence, []).append(q)
    first: dict[tuple[str, str, str], m.Quote] = {}
    for r in links:
        link = (r["action"], r["element"], r["linkBasis"])
        for q in quotes.get(r["evidence"], []):
            if link not in first or _quote_order(q) < _quote_order(first[link]):
                first[link] = q
    return first


def _quote_order(q: m.Quote) -> tuple[int, int, str, str, str, str]:
    return (q.start, q.end, q.evidence, q.document, q.documentTitle or "", q.exact)


def _element(
    r: dict[str, Any],
    plan: m.WorkPlanSummary,
    basis_labels: dict[str, str],
    details: dict[str, list[str]],
    quote: m.Quote | None,
) -> m.ReviewElement:
    return m.ReviewElement(
        element=r["element"],
        kind=r["kind"],
        identifier=r["identifier"],
        label=r["label"],
        workplan=plan.id,
        workplanLabel=plan.label,
        coordinators=sorted(plan.coordinators),
        period=plan.periodLabel,
        basis=(basis := service.basis_name(r["linkBasis"])),
        basisLabel=basis_labels[basis],
        quotes=[quote] if quote else [],
        partners=details.get("partners", []),
        funders=details.get("funders", []),
        timeline=details.get("timeline", []),
        outputs=details.get("outputs", []),
    )


def _continuations(rows: list[dict[str, Any]]) -> dict[tuple[str, str], Continuation]:
    """(later, earlier) → the continuation."""
    out: dict[tuple[str, str], Continuation] = {}
    for r in rows:
        out.setdefault(
            (r["later"], r["earlier"]),
            Continuation(
                link=r["link"],
                later=r["later"],
                laterLabel=r["laterLabel"] or r["laterIdentifier"] or r["later"],
                laterWorkplan=service.key_of(r["laterWorkplan"]),
                earlier=r["earlier"],
                earlierLabel=r["earlierLabel"] or r["earlierIdentifier"] or r["earlier"],
                earlierWorkplan=service.key_of(r["earlierWorkplan"]),
                basisLabel=r["basisLabel"],
                reason=r["reason"],
            ),
        )
    return out


def _changes(per_cycle: dict[str, list[m.ReviewElement]], links: dict[tuple[str, str], Continuation]) -> list[Change]:
    """Started, continued or stopped between consecutive cycles, with the continuations from an
    element serving the action in the earlier cycle or to one serving it in the later."""
    out = []
    for x, y in itertools.pairwise(per_cycle):
        if not (per_cycle[x] or per_cycle[y]):
            continue
        status = "continued" if per_cycle[x] and per_cycle[y] else "started" if per_cycle[y] else "stopped"
        before, after = {e.element for e in per_cycle[x]}, {e.element for e in per_cycle[y]}
        found = [c for (later, earlier), c in links.items() if later in after or earlier in before]
        out.append(Change(x, y, status, found))
    return out


def _answers(store: Store, basis: str, progress: Callable[[int, int], None] | None) -> list[list[dict[str, Any]]]:
    """The rows of QUERIES, in their order. They run at once, a thread each: the engines answer
    them in parallel (pyoxigraph releases the GIL while it evaluates; a remote store answers
    requests side by side), which halves the review's time on two cores at a million quads."""
    with ThreadPoolExecutor(max_workers=len(QUERIES), thread_name_prefix="lap-review") as pool:
        running = {
            pool.submit(
                service.run_named_query,
                store,
                name,
                {"basis": basis} if name in WITH_BASIS else {},
                ordered=name not in UNORDERED,
                columns=COLUMNS.get(name),
            ): name
            for name in QUERIES
        }
        for done, future in enumerate(as_completed(running), 1):
            future.result()  # the first failure, raised as it is
            if progress is not None:
                progress(done, len(QUERIES))
        return [future.result() for future in running]


def lap_review(
    store: Store,
    *,
    basis: str | None = None,
    first: str | None = None,
    last: str | None = None,
    workplans: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LapReview:
    """The review at ``basis`` over the cycles ``first``..``last`` (2024-2025; None: open) and the
    work plans ``workplans`` (their keys; None: all). ``progress(done, total)`` is called per named
    query (QUERIES)."""
    counted = service.counted(basis)
    plans = service.workplans(store).items
    known = [p.id for p in plans]
    for key in workplans or []:
        if key not in known:
            raise errors.InvalidParameter("workplan", f"no work plan {key!r}", known)
    cycle = {p.id: c for p in plans if (c := cycle_of(p))}
    for name, value in (("from", first), ("to", last)):
        if value is not None and value not in cycle.values():
            raise errors.InvalidParameter(name, f"no cycle {value!r}", sorted(set(cycle.values())))
    chosen = [
        p
        for p in plans
        if p.id in cycle and _in_range(cycle[p.id], first, last) and (workplans is None or p.id in workplans)
    ]
    cycles = sorted({cycle[p.id] for p in chosen})
    ids = {p.id for p in chosen}
    link_rows, detail_rows, continuity_rows, agent_rows = _answers(store, counted.basis, progress)
    counted_rows = [
        r for r in link_rows if r["element"] and r["counted"] == "yes" and service.key_of(r["workplan"]) in ids
    ]
    quotes = _first_quotes(store, counted_rows)
    details: dict[str, dict[str, list[str]]] = {}
    for r in detail_rows:
        details.setdefault(r["element"], {}).setdefault(r["aspect"], []).append(r["value"])
    by_key = {p.id: p for p in plans}
    basis_labels = {b.name: b.label for b in service.alignment_bases(store)}
    links = {
        k: c for k, c in _continuations(continuity_rows).items() if c.laterWorkplan in ids and c.earlierWorkplan in ids
    }
    actions: dict[int, ActionReview] = {}
    judged: set[int] = set()
    listed: set[tuple[int, str, str, str]] = set()  # (action, cycle, element, basis) already listed
    for r in link_rows:
        a = actions.setdefault(
            r["n"],
            ActionReview(
                r["n"], r["action"], r["actionLabel"], r["sectionLabel"] or "no section", {c: [] for c in cycles}
            ),
        )
        if not r["element"] or (key := service.key_of(r["workplan"])) not in ids:
            continue
        if r["counted"] != "yes":
            judged.add(a.number)
            continue
        seen = (a.number, cycle[key], r["element"], service.basis_name(r["linkBasis"]))
        if seen not in listed:
            listed.add(seen)
            quote = quotes.get((r["action"], r["element"], r["linkBasis"]))
            a.cycles[cycle[key]].append(_element(r, by_key[key], basis_labels, details.get(r["element"], {}), quote))
    for a in actions.values():
        a.curator_only = not a.served and a.number in judged
        a.changes = _changes(a.cycles, links)
    agents: dict[str, dict[str, dict[str, set[int]]]] = {}
    # the rows come in the engine's order (UNORDERED); the IRI shown for a name is the same whatever
    # that order: the one of its greatest (role, agent), as the sorted rows gave
    named: dict[str, tuple[str, str]] = {}
    for r in agent_rows:
        key = service.key_of(r["workplan"])
        if key in ids:
            named[r["agentLabel"]] = max(named.get(r["agentLabel"], ("", "")), (r["role"], r["agent"]))
            per = agents.setdefault(r["role"], {}).setdefault(r["agentLabel"], {})
            per.setdefault(cycle[key], set()).add(r["n"])
    return LapReview(
        counted.basis,
        counted.countedBases,
        store.version,
        cycles,
        chosen,
        sorted(actions.values(), key=lambda a: a.number),
        {
            role: {name: {c: sorted(v[c]) for c in cycles if c in v} for name, v in sorted(agents[role].items())}
            for role in ROLES
            if role in agents
        },
        {name: agent for name, (_, agent) in sorted(named.items())},
    )
