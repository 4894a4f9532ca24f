"""Regenerate the tabular reference data (data/reference/*.ttl) from data/reference/csv/.

Run after editing a CSV: ``python tools/make_reference.py``. The CSVs are the public
reference facts gathered for the project (see data/reference/csv/README.md); every
resource written here keeps its source as ``dcterms:source``. Names and codes of States
are checked against ISO 3166 with pycountry.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from ccmgraph.curation.action_plans import PLANS_FILE, ActionPlanError, csv_rows
from ccmgraph.curation.action_plans import graph as plans_graph
from ccmgraph.curation.action_plans import sources as _sources
from ccmgraph.namespaces import CCM, ID, LAP, PREFIXES

REF = Path(__file__).resolve().parents[1] / "data" / "reference"
CSV = REF / "csv"
LAP_SCHEME = LAP
AS_OF = Literal("2025-07-01", datatype=XSD.date)
STATUS = {
    "state_party": CCM.StateParty,
    "signatory": CCM.Signatory,
    "withdrawn": CCM.Withdrawn,
    "not_party": CCM.NotParty,
}


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV of data/reference/csv/; lines starting with '#' are comments."""
    return csv_rows(CSV / name)


def add_aliases(g: Graph, kind: str) -> None:
    """The names the documents use for a resource (aliases.csv): ``alias`` -> ccm:alias (an
    skos:altLabel), ``hidden`` (a misspelling) -> skos:hiddenLabel."""
    for row in rows("aliases.csv"):
        if not row["resource"].startswith(kind + "/"):
            continue
        target = ID[row["resource"]]
        if (target, None, None) not in g:
            raise SystemExit(f"aliases.csv: {row['resource']} is not described by the {kind} table")
        prop = {"alias": CCM.alias, "hidden": SKOS.hiddenLabel}[row["kind"]]
        g.add((target, prop, Literal(row["label"], lang="en")))
        g.add(
            (
                target,
                SKOS.editorialNote,
                Literal(f"'{row['label']}' is how {row['document']} writes it: {row['note']}", lang="en"),
            )
        )


def _of_record(url: str) -> bool:
    """Whether data/reference/csv/sources-of-record.csv says the source at ``url`` is of record for
    the facts generated here (States' statuses, LAP actions): a source of record only for facts
    about one resource (its ``about``, an organisation's own site) is not."""
    known = sorted(rows("sources-of-record.csv"), key=lambda r: -len(r["prefix"]))
    kind = next((r for r in known if url.startswith(r["prefix"])), None)
    if kind is None:
        raise SystemExit(f"sources-of-record.csv: no kind for {url}; add its prefix first")
    return kind["of_record"] == "yes" and not kind["about"]


def states() -> Graph:
    g = new_graph()
    for row in rows("ccm-states.csv"):
        code = row["iso3"]
        country = pycountry.countries.get(alpha_3=code)
        if country is None:
            raise SystemExit(f"ccm-states.csv: {code} is not an ISO 3166 alpha-3 code")
        s = ID[f"state/{code}"]
        g.add((s, RDF.type, CCM.State))
        g.add((s, RDFS.label, Literal(row["name"], lang="en")))
        g.add((s, CCM.iso3166Alpha3, Literal(code)))
        g.add((s, SKOS.notation, Literal(code)))
        iso_name = getattr(country, "common_name", None) or country.name
        if iso_name != row["name"]:
            g.add((s, SKOS.altLabel, Literal(iso_name, lang="en")))
        g.add((s, DCTERMS.source, URIRef("https://www.iso.org/iso-3166-country-codes.html")))
        st = ID[f"state/{code}/status/2025-07-01"]
        g.add((s, CCM.hasTreatyStatus, st))
        g.add((st, RDF.type, CCM.TreatyStatus))
        raw = row["status_on_2025_07_01"]
        g.add((st, CCM.status, STATUS[raw.split(" ")[0]]))
        g.add((st, CCM.asOf, AS_OF))
        g.add((st, RDFS.label, Literal(f"{row['name']}: {raw.replace('_', ' ')} on 2025-07-01", lang="en")))
        if row["consent_type"]:
            g.add((st, CCM.consentType, Literal(row["consent_type"])))
        if row["signature_date"]:
            g.add((st, CCM.signatureDate, Literal(row["signature_date"], datatype=XSD.date)))
        if row["consent_date"]:
            g.add((st, CCM.consentDate, Literal(row["consent_date"], datatype=XSD.date)))
        if not row["dates_verified"].startswith("yes"):
            g.add((st, SKOS.scopeNote, Literal(f"Dates left out: {row['dates_verified']}", lang="en")))
        if "(" in raw:
            g.add((st, CCM.curationNote, Literal(f"Reference data says: {raw}", lang="en")))
        g.add((st, DCTERMS.source, URIRef(row["source"])))
        if not _of_record(row["source"]):
            note = f"Source of record still to be found: the depositary's record of {row['name']}'s status."
            g.add((st, CCM.curationNote, Literal(note, lang="en")))
    w = json.loads((CSV / "ccm-withdrawal-lithuania.json").read_text(encoding="utf-8"))
    st = ID[f"state/{w['state']}/status/2025-07-01"]
    g.add((st, CCM.withdrawalEffectiveDate, Literal(w["effective_date"], datatype=XSD.date)))
    # 2025-07-01 is the date of the status table, not of the withdrawal: the label says both
    name = g.value(ID[f"state/{w['state']}"], RDFS.label)
    label = f"{name}: withdrawn (status as of 2025-07-01; the withdrawal took effect on {w['effective_date']})"
    g.set((st, RDFS.label, Literal(label, lang="en")))
    _withdrawal_sources(g, st, w)
    add_aliases(g, "state")
    return g


def events() -> Graph:
    """The first withdrawal from the Convention, which two work plans speak of without naming the
    State: which State it was is this reference fact (ccm-withdrawal-lithuania.json), not theirs."""
    g = new_graph()
    w = json.loads((CSV / "ccm-withdrawal-lithuania.json").read_text(encoding="utf-8"))
    if not w["first_withdrawal_from_the_convention"]:
        raise SystemExit("ccm-withdrawal-lithuania.json: no longer the first withdrawal; re-key the event")
    e = ID["event/first-withdrawal"]
    name = pycountry.countries.get(alpha_3=w["state"]).name
    g.add((e, RDF.type, CCM.Withdrawal))
    g.add((e, RDFS.label, Literal("First withdrawal of a State Party from the Convention", lang="en")))
    g.add((e, CCM.withdrawingState, ID[f"state/{w['state']}"]))
    g.add((e, CCM.parliamentaryApprovalDate, Literal(w["parliament_approval"], datatype=XSD.date)))
    g.add((e, CCM.withdrawalEffectiveDate, Literal(w["effective_date"], datatype=XSD.date)))
    g.add(
        (
            e,
            SKOS.scopeNote,
            Literal(
                "Reference data (ccm-withdrawal-lithuania.json): the first withdrawal from the "
                f"Convention was {name}'s. The work plans that speak of this withdrawal do not name the State; "
                "their graphs only refer to the event.",
                lang="en",
            ),
        )
    )
    if w["notification_date"] == "not found":
        g.add(
            (
                e,
                CCM.curationNote,
                Literal("The reference sources give no date of the notification of withdrawal.", lang="en"),
            )
        )
    _withdrawal_sources(g, e, w)
    return g


def _withdrawal_sources(g: Graph, subject: URIRef, w: dict) -> None:
    """The withdrawal's sources (each of a kind data/reference/csv/sources-of-record.csv knows), and
    the source of record still to be found, said in a curation note."""
    for source in w["sources"]:
        g.add((subject, DCTERMS.source, URIRef(source["url"])))
    if w.get("source_of_record_to_find"):
        note = f"Source of record still to be found: {w['source_of_record_to_find']}."
        g.add((subject, CCM.curationNote, Literal(note, lang="en")))


def lap() -> Graph:
    g = new_graph()
    section_of: dict[int, dict[str, str]] = {}
    for row in rows("lap-sections.csv"):
        lo, _, hi = row["actions"].partition("-")
        for n in range(int(lo), int(hi or lo) + 1):
            section_of[n] = row
        if row["section"] == "unknown":
            continue
        sec = ID["lap-section/" + re.sub(r"[^a-z0-9]+", "-", row["section"].lower()).strip("-")]
        g.add((sec, RDF.type, CCM.LAPSection))
        g.add((sec, RDFS.label, Literal(row["section"], lang="en")))
        g.add((sec, SKOS.prefLabel, Literal(row["section"], lang="en")))
        g.add((sec, SKOS.inScheme, LAP_SCHEME))
        g.add((sec, SKOS.notation, Literal(row["actions"])))
        g.add((sec, DCTERMS.source, URIRef(row["source"])))
        if row["note"]:
            g.add((sec, CCM.curationNote, Literal(row["note"], lang="en")))
        if not _of_record(row["source"]):
            note = (
                "Source of record still to be found: the Lausanne Action Plan's own text (its section headings), "
                f"for the section and its actions {row['actions']}; "
                "cited meanwhile: a site that is not the Convention's."
            )
            g.add((sec, CCM.curationNote, Literal(note, lang="en")))
        row["iri"] = str(sec)
    titles = {int(r["action"]): r for r in rows("lap-action-titles.csv")}
    for n in range(1, 51):
        a = ID[f"lap-action/{n}"]
        g.add((a, RDF.type, CCM.LAPAction))
        label = _action_label(n, titles[n])
        g.add((a, RDFS.label, Literal(label, lang="en")))
        g.add((a, SKOS.prefLabel, Literal(label, lang="en")))
        _action_title(g, a, titles[n])
        g.add((a, SKOS.notation, Literal(str(n))))
        g.add((a, CCM.actionNumber, Literal(n)))
        g.add((a, SKOS.inScheme, LAP_SCHEME))
        g.add((a, CCM.actionPlan, LAP_SCHEME))
        g.add((a, DCTERMS.source, URIRef("http://www.clusterconvention.org/lausanne-action-plan/")))
        row = section_of.get(n)
        if row and "iri" in row:
            g.add((a, CCM.section, URIRef(row["iri"])))
            g.add((a, CCM.sectionBasis, Literal(row["basis"])))
        else:
            g.add((a, CCM.curationNote, Literal("No verified section for this action; left without one.", lang="en")))
        # lap-actions-described.csv's paraphrases are not definitions: the title's note says what they are
    return g


def _action_label(n: int, row: dict[str, str]) -> str:
    """'LAP Action 13: <title>' where a source gives a title (official, or a short paraphrase), else
    'LAP Action N'; a paraphrase says so in the label ('LAP Action 13 (paraphrase): ...') and,
    with its source, in the scope note; a topic without a title (e.g. universalization) goes in
    dcterms:subject."""
    if row["official_title"]:
        return f"LAP Action {n}: {row['official_title']}"
    if row["short_title"] and row["basis"].startswith("paraphrase"):
        return f"LAP Action {n} (paraphrase): {row['short_title']}"
    return f"LAP Action {n}: {row['short_title']}" if row["short_title"] else f"LAP Action {n}"


def _action_title(g: Graph, action: URIRef, row: dict[str, str]) -> None:
    """What lap-action-titles.csv says of the action's title: the official one (to be completed by a
    curator), the short one a source gives (with its basis and source), or plainly that it is unknown."""
    if row["official_title"]:
        g.add((action, DCTERMS.title, Literal(row["official_title"], lang="en")))
    if row["short_title"]:
        g.add((action, DCTERMS.alternative, Literal(row["short_title"], lang="en")))
    if row["topic"]:
        g.add((action, DCTERMS.subject, Literal(row["topic"], lang="en")))
    for src in _sources(row["source"]):
        g.add((action, DCTERMS.source, src))
    note = f"Basis: {row['basis']}. {row['note']}"
    if row["basis"].startswith("paraphrase"):
        note += (
            f" The title is a paraphrase from {row['source']}, a third-party site, not the Lausanne Action Plan's"
            " words; source of record still to be found: the Plan's official text."
        )
    g.add((action, SKOS.scopeNote, Literal(note, lang="en")))


_MEETING_CLASS = {"MSP": CCM.MeetingOfStatesParties, "RC": CCM.ReviewConference}
_STATE_BY_NAME = {
    "Switzerland": "CHE",
    "United Kingdom": "GBR",
    "Iraq": "IRQ",
    "Mexico": "MEX",
    "Philippines": "PHL",
    "Lao PDR": "LAO",
}


def meetings() -> Graph:
    g = new_graph()
    for row in rows("ccm-meetings.csv"):
        short = row["meeting"].split(" ")[0]
        m = ID[f"meeting/{short.lower()}"]
        kind = "RC" if short.endswith("RC") else "MSP"
        g.add((m, RDF.type, _MEETING_CLASS[kind]))
        g.add((m, RDFS.label, Literal(row["meeting"] if "(" in row["meeting"] else short, lang="en")))
        g.add((m, SKOS.notation, Literal(short)))
        g.add((m, CCM.presidency, ID[f"state/{_STATE_BY_NAME[row['presidency_state']]}"]))
        g.add((m, CCM.datesAsStated, Literal(row["dates"])))
        g.add((m, CCM.venue, Literal(row["venue"])))
        g.add((m, CCM.confidence, Literal(row["confidence"])))
        g.add((m, DCTERMS.source, URIRef(row["source"])))
        p = ID[f"presidency/{short.lower()}"]
        g.add((p, RDF.type, CCM.Presidency))
        g.add((p, RDFS.label, Literal(f"{short} Presidency", lang="en")))
        g.add((p, SKOS.altLabel, Literal(f"Presidency of the {short}", lang="en")))
        g.add((p, CCM.presidencyOf, m))
        g.add((p, ORG.heldBy, ID[f"state/{_STATE_BY_NAME[row['presidency_state']]}"]))
        g.add((p, DCTERMS.source, URIRef(row["source"])))
    add_aliases(g, "meeting")
    return g


def articles() -> Graph:
    g = new_graph()
    ccm = ID["treaty/ccm"]
    for n in range(1, 24):
        a = ID[f"article/{n}"]
        g.add((a, RDF.type, CCM.ConventionArticle))
        g.add((a, RDFS.label, Literal(f"CCM Article {n}", lang="en")))
        g.add((a, CCM.articleNumber, Literal(n)))
        g.add((a, DCTERMS.isPartOf, ccm))
        g.add((a, DCTERMS.source, URIRef("https://www.clusterconvention.org/the-convention/")))
    return g


def action_plans() -> Graph:
    """The action plans of action-plans.csv (the LAP, id:lap, and its successors with their
    actions from action-plan-<key>.csv): read by ccmgraph.curation.action_plans, which
    ``ccmgraph draft --evaluate`` shares. The LAP's actions are lap()'s."""
    try:
        return plans_graph(CSV / PLANS_FILE)
    except ActionPlanError as exc:
        raise SystemExit(str(exc)) from None


def main(argv: list[str]) -> None:
    """``make_reference.py [REFERENCE_DIR]``: data/reference/ unless another folder is given."""
    global REF, CSV
    if argv:
        REF = Path(argv[0])
        CSV = REF / "csv"
    for name, build in (
        ("states", states),
        ("lap-actions", lap),
        ("action-plans", action_plans),
        ("meetings", meetings),
        ("articles", articles),
        ("events", events),
    ):
        path = REF / f"{name}.ttl"
        build().serialize(path, format="turtle")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
