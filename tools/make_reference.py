"""Regenerate the tabular reference data (data/reference/*.ttl) from data/reference/csv/.

Run after editing a CSV: ``python tools/make_reference.py``. The CSVs are the public
reference facts gathered for the project (see data/reference/csv/README.md); every
resource written here keeps its source as ``dcterms:source``. Names and codes of States
are checked against ISO 3166 with pycountry.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from ccmgraph.namespaces import CCM, ID, PREFIXES

REF = Path(__file__).resolve().parents[1] / "data" / "reference"
CSV = REF / "csv"
LAP_SCHEME = ID["lap"]
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
    with open(CSV / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


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
    w = json.loads((CSV / "ccm-withdrawal-lithuania.json").read_text(encoding="utf-8"))
    st = ID[f"state/{w['state']}/status/2025-07-01"]
    g.add((st, CCM.withdrawalEffectiveDate, Literal(w["effective_date"], datatype=XSD.date)))
    for url in w["sources"]:
        g.add((st, DCTERMS.source, URIRef(url)))
    return g


def lap() -> Graph:
    g = new_graph()
    g.add((LAP_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((LAP_SCHEME, RDFS.label, Literal("Lausanne Action Plan 2021-2026", lang="en")))
    g.add((LAP_SCHEME, CCM.acronym, Literal("LAP")))
    g.add((LAP_SCHEME, DCTERMS.source, URIRef("http://www.clusterconvention.org/lausanne-action-plan/")))
    described = {int(r["action"]): r for r in rows("lap-actions-described.csv")}
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
        row["iri"] = str(sec)
    for n in range(1, 51):
        a = ID[f"lap-action/{n}"]
        g.add((a, RDF.type, CCM.LAPAction))
        g.add((a, RDFS.label, Literal(f"LAP Action {n}", lang="en")))
        g.add((a, SKOS.prefLabel, Literal(f"LAP Action {n}", lang="en")))
        g.add((a, SKOS.notation, Literal(str(n))))
        g.add((a, CCM.actionNumber, Literal(n)))
        g.add((a, SKOS.inScheme, LAP_SCHEME))
        g.add((a, DCTERMS.source, URIRef("http://www.clusterconvention.org/lausanne-action-plan/")))
        row = section_of.get(n)
        if row and "iri" in row:
            g.add((a, CCM.section, URIRef(row["iri"])))
            g.add((a, CCM.sectionBasis, Literal(row["basis"])))
        else:
            g.add((a, CCM.curationNote, Literal("No verified section for this action; left without one.", lang="en")))
        if n in described:
            d = described[n]
            g.add((a, SKOS.definition, Literal(d["paraphrase"], lang="en")))
            note = f"Paraphrase, not the official wording (confidence {d['confidence']}); source {d['source']}"
            g.add((a, SKOS.scopeNote, Literal(note, lang="en")))
    return g


_MEETING_CLASS = {"MSP": CCM.MeetingOfStatesParties, "RC": CCM.ReviewConference}
_STATE_BY_NAME = {"Switzerland": "CHE", "United Kingdom": "GBR", "Iraq": "IRQ", "Mexico": "MEX",
                  "Philippines": "PHL", "Lao PDR": "LAO"}


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


def main() -> None:
    for name, build in (("states", states), ("lap-actions", lap), ("meetings", meetings), ("articles", articles)):
        path = REF / f"{name}.ttl"
        build().serialize(path, format="turtle")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
