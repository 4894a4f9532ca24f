"""The LAP review (``analysis.review``) in its output formats: HTML (the page and the PDF's source),
PDF (WeasyPrint, from the same HTML with the print stylesheet), xlsx (XlsxWriter: one sheet per
section, frozen headers, evidence as hyperlinks) and CSV (the per-action rows)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from ccmgraph.analysis import service, views
from ccmgraph.analysis.review import Continuation, LapReview
from ccmgraph.namespaces import BASE
from ccmgraph.web import pages

FORMATS = ("html", "pdf", "xlsx", "csv")
SITE = BASE  # evidence links in files taken away point at the published IRIs
ROW_HEADERS = (
    "action",
    "label",
    "section",
    "cycle",
    "work plan",
    "element",
    "kind",
    "basis",
    "coordinators",
    "partners",
    "funders",
    "period",
    "timeline",
    "outputs",
    "quote",
    "evidence",
)


@dataclass
class Bar:
    """One bar of the summary chart (SVG units)."""

    x: float
    y: float
    height: float
    cycle: int
    value: int


# the per-agent sections of the review: (anchor, heading, role in lap-review-agents.rq), and what
# the role means, in words
AGENT_SECTIONS = (
    ("per-working-group", "Per working group", "working group"),
    ("per-coordinator", "Per coordinator", "coordinator"),
    ("per-partner", "Per partner", "partner"),
    ("per-funder", "Per funder", "funder"),
)
EXPLAIN = {
    "working group": "the working group whose work plan served the action",
    "coordinator": "the States coordinating a work plan that served the action",
    "partner": "the partners a work plan names for the element (or the whole plan) that served the action",
    "funder": "the funders a work plan names for the element (or the whole plan) that served the action",
}


def chart(review: LapReview) -> dict[str, Any]:
    """The geometry of the summary chart: per LAP section a group of bars, one per cycle."""
    width, height, top, bottom = 640, 220, 20, 30
    counts, sizes = review.served_counts(), review.section_sizes()
    peak = max([*sizes.values(), 1])
    group = width / max(len(counts), 1)
    bar = (group - 16) / max(len(review.cycles), 1)
    groups = []
    for i, (section, per_cycle) in enumerate(counts.items()):
        bars = []
        for j, cycle in enumerate(review.cycles):
            h = (height - top - bottom) * per_cycle[cycle] / peak
            bars.append(Bar(i * group + 8 + j * bar, height - bottom - h, h, j, per_cycle[cycle]))
        groups.append({"section": section, "x": i * group + group / 2, "bars": bars, "size": sizes[section]})
    return {"width": width, "height": height, "base": height - bottom, "bar": bar - 2, "groups": groups}


def rows(review: LapReview, base: str = SITE) -> list[dict[str, Any]]:
    """One row per action, cycle and serving element (an action served nowhere: one row saying so)."""
    out = []
    for a in review.actions:
        served = False
        for cycle, elements in a.cycles.items():
            for e in elements:
                served = True
                quote = e.quotes[0] if e.quotes else None
                out.append(
                    dict(
                        zip(
                            ROW_HEADERS,
                            (
                                a.number,
                                a.label,
                                a.section,
                                cycle,
                                e.workplanLabel,
                                e.label or e.identifier or e.element,
                                e.kind,
                                e.basisLabel,
                                "; ".join(e.coordinators),
                                "; ".join(e.partners),
                                "; ".join(e.funders),
                                e.period or "",
                                "; ".join(e.timeline),
                                "; ".join(e.outputs),
                                quote.exact if quote else "",
                                _link(quote.evidence, base) if quote else "",
                            ),
                            strict=True,
                        )
                    )
                )
        if not served:
            out.append(
                {
                    **dict.fromkeys(ROW_HEADERS, ""),
                    "action": a.number,
                    "label": a.label,
                    "section": a.section,
                    "element": "served by no work plan",
                }
            )
    return out


def _link(iri: str, base: str) -> str:
    return base + iri[len(BASE) :] if iri.startswith(BASE) else iri


def html(review: LapReview, *, standalone: bool = False) -> str:
    """The review page; ``standalone``: for a file (PDF, --format html), its links absolute."""
    return pages.render(
        "lap_review.html",
        review=review,
        chart=chart(review),
        bases=service.BASIS_LABELS,
        sections=AGENT_SECTIONS,
        explain=EXPLAIN,
        standalone=standalone,
        # a link's target: a function, not a template macro (a million quads' review makes 60,000
        # links, and a macro call took half of the page's second)
        href=str if standalone else views.local,
        title="Review of the Lausanne Action Plan by the work plans",
    )


def to_csv(review: LapReview) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_HEADERS)
    writer.writeheader()
    writer.writerows(rows(review))
    return buffer.getvalue().encode("utf-8")


def to_xlsx(review: LapReview) -> bytes:
    """The workbook, written by XlsxWriter (a million quads' review: 1.8 s, openpyxl 4.8 s). Every
    text is written as text, never as a formula, whatever it begins with."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    summary = _Sheet(book, "Summary", ["section", "actions", *review.cycles])
    sizes = review.section_sizes()
    for section, per_cycle in review.served_counts().items():
        summary.append([section, sizes[section], *per_cycle.values()])
    per_action = _Sheet(book, "Per action", list(ROW_HEADERS))
    for r in rows(review):
        per_action.append([r[k] for k in ROW_HEADERS if k != "evidence"], link=r["evidence"])
    continuity = _Sheet(
        book, "Continuity", ["action", "from", "to", "status", "element", "continues", "basis", "reason", "evidence"]
    )
    for a in review.actions:
        for c in a.changes:
            links: list[Continuation | None] = [*c.links] or [None]  # a change without links: one row
            for link in links:
                said = [link.laterLabel, link.earlierLabel, link.basisLabel, link.reason or ""] if link else [""] * 4
                continuity.append(
                    [a.number, c.source, c.target, c.status, *said], link=_link(link.link, SITE) if link else ""
                )
    for _, title, role in AGENT_SECTIONS:
        sheet = _Sheet(book, title, ["name", *review.cycles])
        for name, actions_in in review.by_role(role).items():
            sheet.append([name, *(", ".join(map(str, actions_in.get(c, []))) for c in review.cycles)])
    about = _Sheet(book, "About", ["release", review.release])
    about.append(["basis", review.basis])
    about.append(["counted", ", ".join(service.BASIS_LABELS[b] for b in review.counted_bases)])
    book.close()
    return out.getvalue()


class _Sheet:
    """A sheet of the workbook, its first row in bold and frozen, written a row at a time."""

    def __init__(self, book: Any, title: str, header: list[Any]) -> None:
        self._sheet = book.add_worksheet(title)
        self._sheet.freeze_panes(1, 0)
        self._sheet.write_row(0, 0, header, book.add_format({"bold": True}))
        self._next = 1

    def append(self, values: list[Any], link: str | None = None) -> None:
        """A row of ``values``; with ``link``, a last cell linking to it (empty if it is "")."""
        self._sheet.write_row(self._next, 0, values)
        # past Excel's 65,530 links a sheet, XlsxWriter writes no cell: the link as text, then
        if link and self._sheet.write_url(self._next, len(values), link, string=link) != 0:
            self._sheet.write_string(self._next, len(values), link)
        self._next += 1


def to_pdf(review: LapReview) -> bytes:
    from weasyprint import CSS, HTML

    static = Path(__file__).resolve().parent / "static"
    sheets = [CSS(filename=str(static / name)) for name in ("site.css", "print.css", "report.css")]
    return HTML(string=html(review, standalone=True), base_url=str(static)).write_pdf(stylesheets=sheets)


def render(review: LapReview, fmt: str) -> bytes:
    if fmt == "html":
        return html(review, standalone=True).encode("utf-8")
    return {"pdf": to_pdf, "xlsx": to_xlsx, "csv": to_csv}[fmt](review)
