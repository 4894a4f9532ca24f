"""Action plans from CSV files: the LAP and its successors, as a curator adds them when their
text is published (data/reference/csv/README.md).

``action-plans.csv`` has a row per plan (key, label, acronym, begin, end, adopted_at, source,
note); key ``lap`` is the Lausanne Action Plan (``id:lap``, its actions ``id:lap-action/N`` from
the LAP's own tables), any other key becomes ``id:action-plan/<key>`` with its actions
``id:action-plan/<key>/action/<n>`` read from ``action-plan-<key>.csv`` beside it
(``number,title,source``: the title as the published plan gives it, or empty; never invented).
Lines starting with ``#`` are comments. ``tools/make_reference.py`` writes the graph to
``data/reference/action-plans.ttl``; ``ccmgraph draft --evaluate`` reads a gold file's plans
the same way.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ccmgraph import errors
from ccmgraph.namespaces import CCM, ID, LAP, PREFIXES, plan_action

PLANS_FILE = "action-plans.csv"


class ActionPlanError(errors.DataError):
    """An action plan CSV that cannot be read; the message names the file and line."""


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a reference CSV; lines starting with '#' are comments."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(line for line in fh if not line.startswith("#")))
    except (OSError, UnicodeDecodeError) as exc:
        raise ActionPlanError(f"{path}: cannot be read ({exc})") from None


def sources(cell: str) -> list[URIRef]:
    """A source cell: URLs and ``source:<stem>`` (a document of the corpus), space-separated."""
    return [ID[f"source/{s.removeprefix('source:')}"] if s.startswith("source:") else URIRef(s) for s in cell.split()]


def plan_iri(key: str) -> URIRef:
    return LAP if key == "lap" else ID[f"action-plan/{key}"]


def graph(plans_csv: Path) -> Graph:
    """The action plans of ``plans_csv`` (an ``action-plans.csv``) and, for each plan but the
    LAP, its actions from ``action-plan-<key>.csv`` in the same folder."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for line, row in enumerate(csv_rows(plans_csv), 2):
        key = row.get("key") or ""
        if not re.fullmatch(r"[a-z0-9-]+", key):
            raise ActionPlanError(f"{plans_csv}:{line}: key {key!r} is not lower-case letters, digits, -")
        plan = plan_iri(key)
        g.add((plan, RDF.type, CCM.ActionPlan))
        g.add((plan, RDF.type, SKOS.ConceptScheme))
        g.add((plan, RDFS.label, Literal(row["label"], lang="en")))
        if row["acronym"]:
            g.add((plan, CCM.acronym, Literal(row["acronym"])))
        if row["begin"] and row["end"]:
            g.add((plan, CCM.period, ID[f"period/{row['begin']}--{row['end']}"]))
        if row["adopted_at"]:
            g.add((plan, CCM.adoptedAt, ID[f"meeting/{row['adopted_at']}"]))
        if not (row["source"] or "").strip():
            raise ActionPlanError(f"{plans_csv}:{line}: {key} has no source")
        for src in sources(row["source"]):
            g.add((plan, DCTERMS.source, src))
        if row["note"]:
            g.add((plan, SKOS.scopeNote, Literal(row["note"], lang="en")))
        if key != "lap":
            _actions(g, plan, key, plans_csv.parent, row["acronym"] or row["label"])
    return g


def _actions(g: Graph, plan: URIRef, key: str, folder: Path, short: str) -> None:
    path = folder / f"action-plan-{key}.csv"
    if not path.exists():
        raise ActionPlanError(f"{path}: missing: the actions of action plan {key} (number,title,source)")
    for line, row in enumerate(csv_rows(path), 2):
        number = row.get("number") or ""
        if not number.isdigit() or int(number) < 1:
            raise ActionPlanError(f"{path}:{line}: number {number!r} is not a positive integer")
        if not (row.get("source") or "").strip():
            raise ActionPlanError(f"{path}:{line}: action {number} has no source")
        n = int(number)
        a = plan_action(plan, n)
        label = f"{short} Action {n}: {row['title']}" if row["title"] else f"{short} Action {n}"
        g.add((a, RDF.type, CCM.PlanAction))
        g.add((a, RDFS.label, Literal(label, lang="en")))
        g.add((a, SKOS.prefLabel, Literal(label, lang="en")))
        if row["title"]:
            g.add((a, DCTERMS.title, Literal(row["title"], lang="en")))
        g.add((a, SKOS.notation, Literal(str(n))))
        g.add((a, CCM.actionNumber, Literal(n)))
        g.add((a, SKOS.inScheme, plan))
        g.add((a, CCM.actionPlan, plan))
        for src in sources(row["source"]):
            g.add((a, DCTERMS.source, src))
