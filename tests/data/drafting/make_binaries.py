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


if __name__ == "__main__":
    write_docx(HERE / f"{DOCX_STEM}.docx")
    write_pdf(HERE / f"{PDF_STEM}.pdf")
