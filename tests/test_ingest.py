"""ccmgraph ingest: text out of PDF and Word files the tests write themselves, and back."""

import hashlib
import json

import docx
import pytest
from rdflib import Graph
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from _project import FIXTURE, cli, copy_project
from ccmgraph.curation import draft_file, ingest, structure
from ccmgraph.namespaces import CCM
from ccmgraph.pipeline import build

BODY = [
    "CCM Thematic Working Group on Victim Assistance",
    "WORK PLAN 2026",
    "The Coordinators will support the imple-",
    "mentation of the Lausanne Action Plan across thematic areas.",
    "a) Hold consultations with affected States Parties on national action plans.",
    "b) Prepare a guidance note on disaggregated data with UNIDIR.",
] * 12  # long enough to fill three pages


def _pdf(path, lines, per_page=25):
    c = canvas.Canvas(str(path), pagesize=A4)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    for number, page in enumerate(pages, 1):
        c.drawString(72, 800, "CCM/MSP/2026/TEST")  # running header
        for row, text in enumerate(page):
            c.drawString(72, 760 - 24 * row, text)
        c.drawString(290, 40, f"Page {number} of {len(pages)}")  # footer with the page number
        c.showPage()
    c.save()


def test_pdf_round_trip_drops_headers_footers_and_hyphenation(tmp_path):
    pdf = tmp_path / "Victim Assistance 2026.pdf"
    _pdf(pdf, BODY)
    text, tool = ingest.extract(pdf)
    assert tool.startswith("pdfplumber ")
    assert "CCM/MSP/2026/TEST" not in text and "Page 1 of" not in text
    assert "support the implementation of the Lausanne" in " ".join(text.split())
    expected = " ".join(" ".join(BODY).replace("imple- mentation", "implementation").split())
    assert " ".join(text.split()) == expected
    assert "\r" not in text and text.endswith("\n") and "\n\n\n" not in text


def test_pdf_tables_keep_their_rows_and_cells(tmp_path):
    """A two-column cover table and an activity table drawn at column positions, as Word's
    PDF export draws them, come out a row a line with tab-separated cells, read by structure."""
    pdf = tmp_path / "results.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4)
    c.drawString(72, 800, "Written for the tests: a results-based plan received as a PDF.")
    rows = [
        ("Coordinators", "Chile and Iraq", "", ""),
        ("Ref.", "Activity", "Timing", "LAP"),
        ("A.1", "Train national deminers", "Q3 2025", "#27 and #30"),
        ("A.2", "Hold a regional workshop", "Q4 2025 - Q1 2026", "Action 24"),
    ]
    for n, row in enumerate(rows):
        for x, value in zip((72, 160, 330, 450), row, strict=True):
            c.drawString(x, 760 - 20 * n, value)
    for n in range(12):
        c.drawString(72, 600 - 20 * n, "The coordinators report to the Meeting of States Parties every year.")
    c.save()
    text, _ = ingest.extract(pdf)
    assert "Coordinators\tChile and Iraq\n" in text
    assert "Ref.\tActivity\tTiming\tLAP\n" in text
    assert "A.2\tHold a regional workshop\tQ4 2025 - Q1 2026\tAction 24\n" in text
    found = structure.blocks(text)
    cover = next(b for b in found if b.text.startswith("Coordinators"))
    assert (cover.kind, cover.key, cover.cells[1].text) == ("keyvalue", "Coordinators", "Chile and Iraq")
    (table,) = structure.tables(found).values()
    assert [len(row.cells) for row in table] == [4, 4, 4]


def test_docx_heading_styles_are_kept_as_headings(tmp_path):
    path = tmp_path / "styled.docx"
    document = docx.Document()
    document.add_paragraph("Written for the tests: a Word plan with heading styles.")
    document.add_heading("Objectives", level=2)
    for line in BODY[:6]:
        document.add_paragraph(line)
    document.save(path)
    text, _ = ingest.extract(path)
    assert "\n## Objectives\n" in text
    heading = next(b for b in structure.blocks(text) if b.kind == "heading" and "Objectives" in b.text)
    assert (heading.level, heading.label) == (2, "Objectives")


def test_docx_round_trip_keeps_paragraphs_and_tables_not_headers(tmp_path):
    path = tmp_path / "plan.docx"
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "RUNNING HEADER"
    document.sections[0].footer.paragraphs[0].text = "Page footer"
    for line in BODY[:6]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ("Outcomes", "Outputs", "Activities"), strict=True):
        cell.text = value
    for cell, value in zip(
        table.rows[1].cells, ("Services are inclusive.", "- A compilation.", "Hold a workshop."), strict=True
    ):
        cell.text = value
    document.save(path)
    text, tool = ingest.extract(path)
    assert tool.startswith("python-docx ")
    assert "RUNNING HEADER" not in text and "Page footer" not in text
    assert "Outcomes\tOutputs\tActivities\n" in text
    assert "Services are inclusive.\t- A compilation.\tHold a workshop." in text
    for line in BODY[:2] + BODY[4:6]:
        assert f"\n{line}\n" in f"\n{text}"


def test_ingest_writes_text_and_record(tmp_path, monkeypatch):
    copy_project(tmp_path / "project", monkeypatch)
    pdf = tmp_path / "VA Work Plan 2026.pdf"
    _pdf(pdf, BODY)
    target, record = ingest.ingest(pdf)
    assert target.name == "va-work-plan-2026.txt"
    saved = json.loads(target.with_suffix(".json").read_text())
    assert saved["originalFileName"] == "VA Work Plan 2026.pdf"
    assert saved["originalSha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert saved["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest() == record.sha256
    with pytest.raises(ingest.IngestError, match="exists with a different text"):
        ingest.ingest(FIXTURE, stem="va-work-plan-2026")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not a PDF", "not a readable PDF"),
        ("broken.docx", b"PK not a zip", "not a readable Word"),
        ("plan.odt", b"whatever", "cannot ingest .odt"),
        ("empty.txt", b"two words", "almost no text"),
    ],
)
def test_bad_input_is_a_clear_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ingest.IngestError, match=message) as info:
        ingest.extract(path)
    assert str(path) in str(info.value)


def test_cli_names_the_file_and_shows_no_traceback(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project", monkeypatch)
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"not a pdf at all")
    run = cli(root, "ingest", str(bad))
    assert run.returncode == 1
    assert f"error: {bad}: not a readable PDF" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_build_checks_the_received_files_sha256_against_the_record(tmp_path, monkeypatch):
    """The draft's source document carries the received file's sha256 (ccm:originalSha256) from the
    record ingest wrote; the build refuses a file whose sha256 the record contradicts."""
    copy_project(tmp_path / "project", monkeypatch)
    pdf = tmp_path / "VA Work Plan 2026.pdf"
    _pdf(pdf, BODY)
    target, record = ingest.ingest(pdf)
    drafted = target.parent.parent / "workplans" / f"{target.stem}.ttl"
    drafted.write_text(draft_file.draft_text(target), encoding="utf-8")
    g = Graph().parse(drafted)
    assert {str(s) for s in g.objects(None, CCM.originalSha256)} == {hashlib.sha256(pdf.read_bytes()).hexdigest()}
    assert build._sources({drafted: g})  # as recorded: accepted

    saved = json.loads(target.with_suffix(".json").read_text())
    target.with_suffix(".json").write_text(json.dumps({**saved, "originalSha256": "0" * 64}))
    with pytest.raises(build.BuildError, match=r"ccm:originalSha256 \S+ is not the received file.s sha256") as info:
        build._sources({drafted: g})
    assert str(drafted) in str(info.value) and record.originalSha256 in str(info.value)
