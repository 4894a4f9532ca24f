"""curation.structure: any source text -> blocks whose offsets quote the text exactly."""

import doctest
from pathlib import Path

import pytest

from ccmgraph.curation import structure
from ccmgraph.curation.structure import blocks, numbering, tables

SOURCES = sorted((Path(__file__).parent.parent / "data" / "sources").glob("*.txt"))

# Written for the tests: a results-based plan's layout (cover table, outline numbering,
# an activity table with pipes, a timeline of inline dates, page furniture on three pages).
PLAN = (
    "Written for the tests: a results-based work plan.\n"
    "WORK PLAN 2025-2026\n"
    "\n"
    "Coordinators\tChile and Iraq\n"
    "Working group: Cooperation and Assistance\n"
    "\n"
    "Objective A - Stronger national capacity\n"
    "A.1 Train deminers in survey\n"
    "A.1.1 Hold a regional workshop\n"
    "ii) Report to the 13th Meeting of States Parties\n"
    "\n"
    "| Ref. | Activity | Timing | Partners | LAP |\n"
    "|------|----------|--------|----------|-----|\n"
    "| A.1 | Train deminers | Q3 2025 | UNDP | #27 and #30 |\n"
    "\n"
    "February 2025: first consultation with\n"
    "affected States.\n"
    "Page 1 of 3\n"
    "\fWORK PLAN 2025-2026\n"
    "\n"
    "Body of page two, with a sentence.\n"
    "Page 2 of 3\n"
    "\fWORK PLAN 2025-2026\n"
    "\n"
    "Body of page three, another sentence.\n"
    "Page 3 of 3\n"
)


def test_doctests():
    failures, tried = doctest.testmod(structure, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 10 and failures == 0


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_offsets_quote_the_sources_exactly(path):
    text = path.read_text(encoding="utf-8")
    found = blocks(text)
    assert found, path
    for block in found:
        assert text[block.start : block.end] == block.text
        for cell in block.cells:
            assert text[cell.start : cell.end] == cell.text
    assert [b.start for b in found] == sorted(b.start for b in found)


def test_isu_budget_table_rows_keep_their_cells():
    text = (Path(__file__).parent.parent / "data" / "sources" / "isu-workplan-budget-2025.txt").read_text()
    rows = [b for b in blocks(text) if b.kind == "row"]
    assert rows and all(len(r.cells) >= 2 for r in rows)


def test_a_results_based_layout():
    found = blocks(PLAN)
    kinds = {b.text: b for b in found}
    cover = kinds["Coordinators\tChile and Iraq"]
    assert cover.kind == "keyvalue" and cover.key == "Coordinators" and cover.cells[1].text == "Chile and Iraq"
    assert kinds["Working group: Cooperation and Assistance"].key == "Working group"
    outline = kinds["A.1.1 Hold a regional workshop"]
    assert (outline.kind, outline.scheme, outline.level, outline.marker) == ("item", "outline", 3, "A.1.1")
    assert structure.parent_marker(outline.marker) == "A.1"
    assert kinds["ii) Report to the 13th Meeting of States Parties"].scheme == "roman"
    (table,) = tables(found).values()
    assert [c.text for c in table[0].cells] == ["Ref.", "Activity", "Timing", "Partners", "LAP"]
    assert [c.text for c in table[1].cells] == ["A.1", "Train deminers", "Q3 2025", "UNDP", "#27 and #30"]
    inline = next(b for b in found if b.text.startswith("February 2025"))
    assert inline.text == "February 2025: first consultation with\naffected States."
    assert (inline.kind, inline.key, inline.cells[1].text) == (
        "keyvalue",
        "February 2025",
        "first consultation with\naffected States.",
    )
    furniture = [b.text for b in found if b.kind == "furniture"]
    # the running title opens every page: furniture, each time
    assert furniture.count("WORK PLAN 2025-2026") == 3 and "Page 2 of 3" in furniture
    assert all(PLAN[b.start : b.end] == b.text for b in found)


@pytest.mark.parametrize(
    ("line", "scheme", "level"),
    [
        ("1. One", "decimal", 1),
        ("1) One", "decimal", 1),
        ("a) One", "letter", 1),
        ("B. One", "letter", 1),
        ("1a One", "numbered-letter", 2),
        ("A.1 One", "outline", 2),
        ("A.1.1 One", "outline", 3),
        ("2.3. One", "outline", 2),
        ("iv. One", "roman", 1),
        ("• One", "bullet", 1),
        ("- One", "bullet", 1),
    ],
)
def test_numbering_schemes(line, scheme, level):
    marker, found_scheme, found_level, label = numbering(line)
    assert (found_scheme, found_level, label) == (scheme, level, "One")
    assert line.startswith(marker)


def test_linear_in_the_text():
    """Structure, not a timing: the same text repeated gives the blocks repeated, no more."""
    once = blocks(PLAN.split("\f")[0])
    many = blocks("\n".join([PLAN.split("\f")[0]] * 50))
    assert len(many) == 50 * len(once)


def test_a_labelled_element_opens_its_own_block():
    """As the PDF export of a plan lays it out (written for the tests): no blank line between."""
    text = "A.2 Annual updates are submitted by 30 April\nObjective B - Reports are used to follow the\nConvention\n"
    found = blocks(text)
    assert [b.text for b in found][:2] == [
        "A.2 Annual updates are submitted by 30 April",
        "Objective B - Reports are used to follow the",
    ]
    assert found[1].kind == "heading"
