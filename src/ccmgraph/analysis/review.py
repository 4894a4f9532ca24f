"""The LAP review: what the work plans did for each LAP action, cycle by cycle, on what evidence.

Built from the analysis service's own answers (``service.lap_action`` for every action,
``service.workplans`` for the cycles), so the review, the API and the pages give the same numbers:
a cycle is the span of years of a work plan's period (2024-2025). Nothing here knows about HTTP or
about an output format (see ``ccmgraph.web.report_formats`` for HTML, PDF, xlsx and CSV).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from ccmgraph import errors
from ccmgraph.analysis import models as m
from ccmgraph.analysis import service
from ccmgraph.store import Store

ACTIONS = range(1, 51)
CONTINUITY = ("started", "continued", "stopped")


@dataclass
class ActionReview:
    """One LAP action: the elements serving it per cycle, and what changed between cycles."""

    number: int
    iri: str
    label: str
    section: str
    cycles: dict[str, list[m.ServingElement]]
    curator_only: bool = False
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (from cycle, to cycle, status)

    @property
    def served(self) -> bool:
        return any(self.cycles.values())

    def stopped_after(self) -> list[str]:
        return [a for a, _, status in self.changes if status == "stopped"]


@dataclass
class LapReview:
    """The review's sections as data: summary counts, per action, per working group and per coordinator."""

    basis: str
    counted_bases: list[str]
    release: str
    cycles: list[str]
    workplans: list[m.WorkPlanSummary]
    actions: list[ActionReview]

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

    def unserved(self) -> list[ActionReview]:
        return [a for a in self.actions if not a.served]

    def curator_only(self) -> list[ActionReview]:
        return [a for a in self.actions if a.curator_only]

    def stopped(self) -> list[ActionReview]:
        return [a for a in self.actions if a.stopped_after()]

    def coverage_by(self, who: Callable[[m.ServingElement], list[str]]) -> dict[str, dict[str, list[int]]]:
        """Name → cycle → the actions its elements served: per working group, per coordinator."""
        out: dict[str, dict[str, set[int]]] = {}
        for a in self.actions:
            for cycle, elements in a.cycles.items():
                for e in elements:
                    for name in who(e):
                        out.setdefault(name, {}).setdefault(cycle, set()).add(a.number)
        return {k: {c: sorted(v[c]) for c in self.cycles if c in v} for k, v in sorted(out.items())}

    def by_working_group(self) -> dict[str, dict[str, list[int]]]:
        group = {p.id: p.workingGroupLabel for p in self.workplans}
        return self.coverage_by(lambda e: [g] if (g := group.get(e.workplan)) else [])

    def by_coordinator(self) -> dict[str, dict[str, list[int]]]:
        return self.coverage_by(lambda e: list(e.coordinators))


def cycle_of(plan: m.WorkPlanSummary) -> str | None:
    """2024-2025 for a plan running from 2024-09-01 to 2025-09-30, 2025 for one within 2025
    (None: no period recorded)."""
    if not (plan.begin and plan.end):
        return None
    return plan.begin[:4] if plan.begin[:4] == plan.end[:4] else f"{plan.begin[:4]}-{plan.end[:4]}"


def _in_range(cycle: str, first: str | None, last: str | None) -> bool:
    return (first is None or cycle >= first) and (last is None or cycle <= last)


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
    work plans ``workplans`` (their keys; None: all). ``progress(done, total)`` is called per action."""
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
    actions = []
    for n in ACTIONS:
        detail = service.lap_action(store, n, basis=counted.basis)
        per_cycle: dict[str, list[m.ServingElement]] = {c: [] for c in cycles}
        for e in detail.elements:
            if e.workplan in ids:
                per_cycle[cycle[e.workplan]].append(e)
        a = ActionReview(detail.number, detail.iri, detail.label, detail.section or "no section", per_cycle)
        if not a.served and counted.basis != "curator":
            judged = service.lap_action(store, n, basis="curator")
            a.curator_only = any(e.workplan in ids for e in judged.elements)
        a.changes = [
            (x, y, "continued" if per_cycle[x] and per_cycle[y] else "started" if per_cycle[y] else "stopped")
            for x, y in itertools.pairwise(cycles)
            if per_cycle[x] or per_cycle[y]
        ]
        actions.append(a)
        if progress is not None:
            progress(n, len(ACTIONS))
    return LapReview(counted.basis, counted.countedBases, store.version, cycles, chosen, actions)
