"""Write the corpus's received files: a Word work plan (python-docx) and a PDF one (reportlab).

WRITTEN FOR THE TESTS: the documents are not real work plans and state no real fact.
Run it from the repository root after editing the content below; the generated files are
committed, and their gold files (``<stem>.gold.toml``) quote the text ``ccmgraph ingest`` reads
from them::

    .venv/bin/python tests/data/drafting/make_binaries.py
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

HERE = Path(__file__).parent
MARK = (
    "WRITTEN FOR THE TESTS: not a real work plan; {what} written for ccmgraph's drafting corpus. "
    "It states no real fact."
)

# ---------------------------------------------------------------- the Word file

DOCX_STEM = "word-stockpile-destruction-2026"
DOCX_COVER = [
    ("Coordinators", "Bulgaria and Spain"),
    ("Working group", "Stockpile Destruction and Retention"),
    ("Period", "2026"),
]
DOCX_OBJECTIVES = [
    (
        "1. Completion of stockpile destruction",
        "States Parties with stockpiles complete their destruction within their Article 3 deadlines.",
    ),
    (
        "2. Transparency on retained cluster munitions",
        "States Parties that retain cluster munitions for training report on their use every year.",
    ),
]
DOCX_ACTIVITIES = [
    ("Ref.", "Activity", "When", "With", "LAP actions"),
    ("1.1", "Visit the two States Parties still destroying stockpiles", "February 2026", "ISU", "Action 15"),
    ("1.2", "Share destruction technologies at a technical workshop", "Q2 2026", "GICHD", "Actions 16 and 17"),
    (
        "2.1",
        "Remind States Parties retaining cluster munitions to report under Article 7",
        "March 2026",
        "ISU",
        "Action 18",
    ),
    (
        "2.2",
        "Present an overview of retained cluster munitions to the Third Review Conference",
        "September 2026",
        "",
        "Action 18",
    ),
]
DOCX_OUTPUTS = [
    "A report on the status of stockpile destruction, presented to the Third Review Conference.",
    "An overview of retained cluster munitions and their use.",
]


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(MARK.format(what="a Word work plan"))
    document.add_heading("Work Plan of the Coordinators on Stockpile Destruction and Retention 2026", level=0)
    cover = document.add_table(rows=0, cols=2)
    cover.style = "Table Grid"
    for key, value in DOCX_COVER:
        cells = cover.add_row().cells
        cells[0].text, cells[1].text = key, value
    document.add_heading("Objectives", level=1)
    for heading, text in DOCX_OBJECTIVES:
        document.add_heading(heading, level=2)
        document.add_paragraph(text)
    document.add_heading("Activities", level=1)
    table = document.add_table(rows=0, cols=len(DOCX_ACTIVITIES[0]))
    table.style = "Table Grid"
    for row in DOCX_ACTIVITIES:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.add_heading("Expected outputs", level=1)
    for output in DOCX_OUTPUTS:
        document.add_paragraph(output, style="List Bullet")
    document.add_heading("Partners", level=1)
    document.add_paragraph(
        "The Coordinators will work with the Implementation Support Unit, the GICHD and "
        "Humanity & Inclusion (HI), which has supported stockpile destruction in the field."
    )
    document.core_properties.title = "WRITTEN FOR THE TESTS: not a real work plan"
    document.core_properties.created = document.core_properties.modified = datetime(2026, 1, 1)  # same bytes each run
    document.save(str(path))
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite the .docx (a zip) with one date on every member: the same bytes each run."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(info.filename, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members:
            zout.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------- the PDF

PDF_STEM = "pdf-transparency-2026"
PDF_HEADER = "CCM Coordinators on Transparency Measures - Work plan 2026"
PDF_FOOTER = "Test material, not a CCM document"
PDF_COVER = [
    ("Coordinators", "Mexico and Austria"),
    ("Working group", "Transparency Measures"),
    ("Period", "2026"),
    ("Reports to", "Third Review Conference"),
]
PDF_OBJECTIVES = [
    (
        "Objective A - Every State Party submits its Article 7 report on time",
        ["A.1 Initial reports are submitted by all new States Parties", "A.2 Annual updates are submitted by 30 April"],
    ),
    (
        "Objective B - Reports are used to follow the implementation of the Convention",
        ["B.1 The ISU's analysis of reports is presented at each formal meeting"],
    ),
]
PDF_ACTIVITIES = [
    ("Ref.", "Activity", "Timing", "Partners", "LAP"),
    ("A.1.1", "Contact the States Parties whose initial report is overdue", "Q1 2026", "ISU", "#47"),
    (
        "A.2.1",
        "Hold a reporting workshop for national focal points in Africa",
        "Q2 - Q3 2026",
        "UNDP, ISU",
        "#47 and #48",
    ),
    (
        "B.1.1",
        "Present a review of the reporting rate to the Third Review Conference",
        "By the Third Review Conference",
        "ISU",
        "#48",
    ),
]
PDF_TIMELINE = [
    ("When", "What"),
    ("January 2026", "Letters to States Parties with overdue reports"),
    ("30 April 2026", "Deadline for annual Article 7 reports"),
    ("June 2026", "Reporting workshop"),
]


def write_pdf(path: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1  # no creation date or random document id: the same bytes each run
    styles = getSampleStyleSheet()
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def furniture(canvas, doc) -> None:  # running header, footer and page number on every page
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(56, A4[1] - 36, PDF_HEADER)
        canvas.drawString(56, 30, PDF_FOOTER)
        canvas.drawRightString(A4[0] - 56, 30, f"Page {doc.page}")
        canvas.restoreState()

    story = [
        Paragraph(MARK.format(what="a PDF work plan"), styles["Normal"]),
        Paragraph("Work Plan of the Coordinators on Transparency Measures 2026", styles["Title"]),
        Table(PDF_COVER, colWidths=[120, 300], style=grid),
        Spacer(1, 12),
        Paragraph("Objectives", styles["Heading1"]),
    ]
    for objective, subs in PDF_OBJECTIVES:
        story.append(Paragraph(objective, styles["Heading2"]))
        story += [Paragraph(sub, styles["Normal"]) for sub in subs]
    story += [PageBreak(), Paragraph("Activities", styles["Heading1"])]
    cell = styles["BodyText"]
    rows = [[Paragraph(value, cell) for value in row] for row in PDF_ACTIVITIES]
    story += [Table(rows, colWidths=[40, 200, 90, 70, 60], style=grid), PageBreak()]
    story += [Paragraph("Timeline", styles["Heading1"]), Table(PDF_TIMELINE, colWidths=[120, 300], style=grid)]
    story += [
        Paragraph("Partners", styles["Heading1"]),
        Paragraph(
            "The Coordinators will work with the ISU and with the United Nations Development Programme (UNDP), "
            "which supports national focal points in preparing their reports.",
            styles["Normal"],
        ),
    ]
    doc = SimpleDocTemplate(str(path), pagesize=A4, title="WRITTEN FOR THE TESTS: not a real work plan")
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


# ---------------------------------------------------------------- every layout as each kind of file

AS_RECEIVED = HERE / "as-received"


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """A plan's text as ("table", rows) for consecutive lines with tab-separated cells,
    ("heading", [text]) for a ``#`` line (how ingest writes a Word heading style), ("bullet",
    [text]) for a ``- `` line, ("line", [text]) for any other and ("blank", [])."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        if "\t" in line:
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(line)
            else:
                blocks.append(("table", [line]))
        elif line.startswith("#"):
            blocks.append(("heading", [line]))
        elif line.startswith("- "):
            blocks.append(("bullet", [line[2:]]))
        else:
            blocks.append(("line" if line.strip() else "blank", [line]))
    return blocks


def render_docx(text: str, path: Path) -> None:
    """The plan as a Word file: a paragraph a line, tables as real tables, ``- `` items as a
    bulleted list, ``#`` lines in heading styles."""
    import docx

    document = docx.Document()
    for kind, lines in _blocks(text):
        if kind == "table":
            rows = [line.split("\t") for line in lines]
            table = document.add_table(rows=0, cols=max(map(len, rows)))
            table.style = "Table Grid"
            for row in rows:
                for cell, value in zip(table.add_row().cells, row, strict=False):
                    cell.text = value
        elif kind == "heading":
            marks = len(lines[0]) - len(lines[0].lstrip("#"))
            document.add_heading(lines[0][marks:].strip(), level=min(marks, 9))
        elif kind == "bullet":
            document.add_paragraph(lines[0], style="List Bullet")
        elif kind == "line":
            document.add_paragraph(lines[0])
    document.core_properties.title = "WRITTEN FOR THE TESTS: not a real work plan"
    document.core_properties.created = document.core_properties.modified = datetime(2026, 1, 1)
    document.save(str(path))
    _fix_zip_times(path)


def render_pdf(text: str, path: Path) -> None:
    """The plan as a PDF: a paragraph a line (wrapped at the page's width), tables as real
    tables whose cells wrap, ``- `` items as bullets, ``#`` lines as headings; page numbers in
    the footer (the text's first line stays the mark of test material)."""
    from xml.sax.saxutils import escape

    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1
    styles = getSampleStyleSheet()
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    width = A4[0] - 2 * 72

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 72, 30, f"Page {doc.page}")
        canvas.restoreState()

    story: list = []
    for kind, lines in _blocks(text):
        if kind == "table":
            rows = [line.split("\t") for line in lines]
            columns = max(map(len, rows))
            widths = _column_widths([[r[c] if c < len(r) else "" for r in rows] for c in range(columns)], width)
            cells = [[Paragraph(escape(v), styles["BodyText"]) for v in r + [""] * (columns - len(r))] for r in rows]
            story.append(Table(cells, colWidths=widths, style=grid))
        elif kind == "heading":
            marks = len(lines[0]) - len(lines[0].lstrip("#"))
            story.append(Paragraph(escape(lines[0][marks:].strip()), styles[f"Heading{min(marks, 3)}"]))
        elif kind == "bullet":
            story.append(Paragraph(escape(lines[0]), styles["Normal"], bulletText="-"))
        elif kind == "line":
            story.append(Paragraph(escape(lines[0]), styles["Normal"]))
        else:
            story.append(Spacer(1, 6))
    doc = SimpleDocTemplate(str(path), pagesize=A4, title="WRITTEN FOR THE TESTS: not a real work plan")
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


def _column_widths(columns: list[list[str]], width: float) -> list[float]:
    """Widths as a word processor sets them: each column at least as wide as its longest word,
    the rest of the page shared by how much more its longest cell would take."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def wide(text: str) -> float:
        return stringWidth(text, "Helvetica", 10) + 14  # the cell's padding and a margin

    least = [max((wide(word) for cell in column for word in cell.split()), default=20) for column in columns]
    most = [max(wide(cell) for cell in column) for column in columns]
    spare = max(width - sum(least), 0)
    extra = [m - n for m, n in zip(most, least, strict=True)]
    share = min(spare / sum(extra), 1) if sum(extra) else 0
    return [n + e * share for n, e in zip(least, extra, strict=True)]


def _unwrapped(text: str) -> str:
    """A PDF's text with the lines it wrapped joined again (a long line not ending a sentence,
    and not a table row), for a Word file to hold each paragraph as one."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        before = out[-1] if out else ""
        wrapped = len(before) >= 75 and not before.rstrip().endswith((".", ":", ";")) and "\t" not in before
        if wrapped and line.strip() and "\t" not in line:
            out[-1] = f"{before} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def write_as_received(directory: Path = AS_RECEIVED) -> list[Path]:
    """Every layout of the corpus as each kind of file it was not received as: a text plan as a
    Word file and a PDF; the Word and PDF plans as the text ingest reads from them (what a
    curator pastes) and as the other kind of file."""
    from ccmgraph.curation.ingest import extract

    directory.mkdir(exist_ok=True)
    written = []
    for source in sorted(HERE.iterdir()):
        if source.suffix not in (".txt", ".docx", ".pdf") or not source.with_suffix(".gold.toml").exists():
            continue
        text = source.read_text(encoding="utf-8") if source.suffix == ".txt" else extract(source)[0]
        if source.suffix == ".pdf":
            text = _unwrapped(text)
        for suffix, render in ((".txt", None), (".docx", render_docx), (".pdf", render_pdf)):
            if suffix == source.suffix:
                continue
            target = directory / f"{source.stem}{suffix}"
            if render is None:
                target.write_text(text, encoding="utf-8")
            else:
                render(text, target)
            written.append(target)
    return written


if __name__ == "__main__":
    write_docx(HERE / f"{DOCX_STEM}.docx")
    write_pdf(HERE / f"{PDF_STEM}.pdf")
    write_as_received()
