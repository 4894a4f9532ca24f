"""A source text's structure: blocks with character offsets into the text in data/sources/.

Between ``ingest`` and ``draft``: any work plan, whatever its layout, is read as a sequence of
blocks (headings, list items with their numbering scheme, key-value lines, table rows with
their cells, paragraphs) and page furniture (page numbers, running headers and footers) set
apart. Every block and cell keeps ``start``/``end`` offsets into the text it was read from, so
a quote taken from a block is exact: ``text[block.start:block.end] == block.text``.

One pass over the lines, one over the blocks: time and memory grow linearly with the text.

>>> text = "WORK PLAN 2025\\n\\nCoordinators:\\tChile and Iraq\\n1. Objective one\\na) First part\\n"
>>> [(b.kind, b.text) for b in blocks(text)]  # doctest: +NORMALIZE_WHITESPACE
[('heading', 'WORK PLAN 2025'), ('keyvalue', 'Coordinators:\\tChile and Iraq'),
 ('item', '1. Objective one'), ('item', 'a) First part')]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["heading", "item", "keyvalue", "row", "paragraph", "furniture"]
Scheme = Literal[
    "decimal",  # 1.  1)  (1)
    "letter",  # a)  a.  (a)  A.  A)
    "numbered-letter",  # 1a  1a)  1.a
    "outline",  # A.1  A.1.1  1.1  1.1.1
    "roman",  # i.  ii)  IV.
    "bullet",  # •  ▪  *  -  –
]

MARKER = re.compile(
    r"""^(?P<marker>
        (?P<outline>(?:[A-Z]|\d{1,2})(?:\.\d{1,2}){1,3}\.?)(?=\s)
      | (?P<numletter>\d{1,2}\.?[a-z])[.)]?(?=\s)
      | \(?(?P<roman>(?:x{0,3})(?:ix|iv|v?i{0,3})|(?:X{0,3})(?:IX|IV|V?I{0,3}))[.)](?=\s)
      | \(?(?P<decimal>\d{1,2})[.)](?=\s)
      | \(?(?P<letter>[a-zA-Z])[.)](?=\s)
      | (?P<bullet>[•▪◦●*\uf0b7]|[-–—](?=\s))
    )\s+""",
    re.VERBOSE,
)
_KEY_VALUE = re.compile(r"^(?P<key>[A-Z][\w ()/&'’-]{1,40}?)(?:\s*:\s*|\t+\s*| {3,})(?P<value>\S.*)$")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_PIPE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_ALIGNED_GAP = re.compile(r" {3,}")
# "Objective A - ...", "Output 1.1: ...": a labelled element opens a block of its own
_LABELLED = re.compile(
    r"^(?:Specific\s+)?(?:Objective|Outcome|Output|Goal|Indicator|Result|Track)\s+[A-Z0-9][\w.]*\s*[-–—:.]\s+\S",
    re.IGNORECASE,
)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_SECTION_NUMBER = re.compile(r"^(?:[IVX]{1,4}|\d{1,2}|[A-Z])[.)]?\s+\S")


@dataclass(frozen=True)
class Cell:
    """One cell of a table row, its offsets into the text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Block:
    """One unit of the text: ``text == source[start:end]``.

    ``marker`` is the numbering of an item or numbered heading as written (``A.1``, ``b)``),
    ``label`` the text after it; ``level`` is the heading level or the item's depth in its
    numbering (``A.1.1`` is 3); ``cells`` the cells of a table row or key-value line.
    """

    kind: Kind
    start: int
    end: int
    text: str
    marker: str | None = None
    scheme: Scheme | None = None
    level: int = 0
    label: str = ""
    cells: tuple[Cell, ...] = field(default_factory=tuple)
    table: int | None = None  # rows of one table share a number

    @property
    def key(self) -> str:
        """The key of a key-value line (its first cell)."""
        return self.cells[0].text.rstrip(":").strip() if self.cells else ""


def _lines(text: str) -> Iterator[tuple[int, int, str, int]]:
    """Each line's offsets without its line end or surrounding blanks, its text and page
    (pages are separated by form feeds)."""
    pos = page = 0
    for raw in re.split(r"(?<=\n)", text):
        if not raw:
            continue
        page += raw.count("\f")
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        lead = len(body) - len(body.lstrip())
        yield pos + lead, pos + lead + len(stripped), stripped, page
        pos += len(raw)


def _split_cells(text: str, start: int) -> tuple[Cell, ...]:
    """Cells separated by tabs, pipes or runs of three or more spaces, with their offsets.

    >>> [c.text for c in _split_cells("| A.1 | Train deminers |  Q3 2025 |", 0)]
    ['A.1', 'Train deminers', 'Q3 2025']
    >>> _split_cells("Ref.\\tActivity", 10)[1]
    Cell(start=15, end=23, text='Activity')
    >>> [c.text for c in _split_cells("2.2\\tPresent\\t\\tAction 18", 0)]
    ['2.2', 'Present', '', 'Action 18']
    """
    keep_empty = "\t" in text  # one tab, one cell: an empty cell keeps its column
    if keep_empty:
        separator = re.compile(r"\t")
    elif text.count("|") >= 2:
        separator = re.compile(r"\s*\|\s*")
    else:
        separator = _ALIGNED_GAP
    cells = []
    pos = 0
    for match in [*separator.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        content = piece.strip()
        if content or keep_empty:
            cells.append(Cell(start + pos + lead, start + pos + lead + len(content), content))
        pos = match.end() if match else len(text)
    return tuple(cells)


def numbering(text: str) -> tuple[str, Scheme, int, str] | None:
    """The numbering that opens ``text``: marker, scheme, depth and the label after it.

    >>> numbering("A.1.1 Train the trainers")
    ('A.1.1', 'outline', 3, 'Train the trainers')
    >>> numbering("1a) Survey")
    ('1a)', 'numbered-letter', 2, 'Survey')
    >>> numbering("iv. Report")
    ('iv.', 'roman', 1, 'Report')
    >>> numbering("(b) Second")
    ('(b)', 'letter', 1, 'Second')
    >>> numbering("– a dash item")
    ('–', 'bullet', 1, 'a dash item')
    >>> numbering("2025 was a year") is None
    True
    """
    match = MARKER.match(text)
    if not match or not match.group("marker").strip():
        return None
    marker = match.group("marker").strip()
    label = text[match.end() :].strip()
    if not label:
        return None
    if match.group("outline"):
        return marker, "outline", marker.rstrip(".").count(".") + 1, label
    if match.group("numletter"):
        return marker, "numbered-letter", 2, label
    if match.group("roman"):
        return marker, "roman", 1, label
    if match.group("decimal"):
        return marker, "decimal", 1, label
    if match.group("letter"):
        return marker, "letter", 1, label
    return marker, "bullet", 1, label


def _is_heading(text: str) -> int:
    """The heading level of a line that reads as one (0 if it does not).

    >>> _is_heading("## Key activities"), _is_heading("II. OBJECTIVES"), _is_heading("TIMELINE")
    (2, 1, 1)
    >>> _is_heading("Objectives"), _is_heading("This is a sentence.")
    (2, 0)
    """
    if _MARKDOWN_HEADING.match(text):
        return len(text) - len(text.lstrip("#"))
    words = re.sub(r"^(?:[IVX]{1,4}|\d{1,2}|[A-Z])[.)]\s+", "", text)
    letters = [c for c in words if c.isalpha()]
    if len(text) > 120 or not letters or (text.endswith((".", ";", ",")) and not text.isupper()):
        return 0
    if all(c.isupper() for c in letters) and len(letters) >= 3:
        return 1
    if len(words.split()) <= 8 and words[:1].isupper() and not text.endswith((".", ";", ",", ":")) and "\t" not in text:
        return 2 if not _SECTION_NUMBER.match(text) else 1
    return 0


def _is_row(text: str) -> bool:
    return "\t" in text or text.count("|") >= 2 or len(_ALIGNED_GAP.findall(text)) >= 2


def furniture(pages: list[list[str]]) -> set[str]:
    """Lines that open or close most pages (running headers and footers), digits ignored.

    >>> pages = [["Work plan 2025", "", "body", f"ends on {w}", f"Page {n}"] for n, w in enumerate("abcd")]
    >>> sorted(furniture(pages))
    ['Page #', 'Work plan #']
    """
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({re.sub(r"\d+", "#", line.strip()) for line in lines[:2] + lines[-2:] if line.strip()})
    return {line for line, n in counts.items() if n >= max(3, len(pages) // 2 + 1)}


def blocks(text: str) -> list[Block]:
    """The blocks of ``text`` in order; lines of a paragraph are joined into one block.

    Page breaks (form feeds) let running headers and footers be recognised and set apart
    as ``furniture``, as are lone page numbers.

    >>> src = "Ref.\\tActivity\\tTiming\\nA.1\\tTrain\\tQ3 2025\\nThe plan runs\\nto 2026.\\n"
    >>> for b in blocks(src):
    ...     print(b.kind, b.table, [c.text for c in b.cells] or b.text)
    row 0 ['Ref.', 'Activity', 'Timing']
    row 0 ['A.1', 'Train', 'Q3 2025']
    paragraph None The plan runs
    to 2026.
    """
    lines = list(_lines(text))
    pages: list[list[str]] = [[] for _ in range(lines[-1][3] + 1)] if lines else []
    for _start, _end, line, page in lines:
        pages[page].append(line)
    repeated = furniture(pages)
    out: list[Block] = []
    table = -1
    in_table = False
    joined = False  # the line before continues the last block (no blank line or furniture between)
    paragraph: list[tuple[int, int]] = []

    def flush() -> None:
        if paragraph:
            start, end = paragraph[0][0], paragraph[-1][1]
            out.append(Block("paragraph", start, end, text[start:end]))
            paragraph.clear()

    for index, (start, end, line, _page) in enumerate(lines):
        if not line:
            flush()
            in_table = False
            joined = False
            continue
        if _PAGE_NUMBER.match(line) or re.sub(r"\d+", "#", line) in repeated:
            flush()
            out.append(Block("furniture", start, end, text[start:end]))
            joined = False
            continue
        if _PIPE_RULE.match(line):
            continue
        block = _classify(text, start, end, line)
        following = lines[index + 1][2] if index + 1 < len(lines) else ""
        if block is not None and block.kind == "heading" and block.level == 2 and following[:1].islower():
            block = None  # the first line of a paragraph, not a heading
        if joined and out and _wrapped_heading(out[-1]):
            block = None  # the rest of a heading a PDF wrapped
        if block is None:  # a continuation line
            if paragraph:
                paragraph.append((start, end))
                continue
            if (
                joined
                and out
                and not in_table
                and (out[-1].kind in ("item", "paragraph", "keyvalue") or _wrapped_heading(out[-1]))
            ):
                previous = out.pop()
                out.append(_extend(text, previous, end))
                continue
            paragraph.append((start, end))
            continue
        flush()
        if block.kind == "row":
            if not in_table:
                table += 1
                in_table = True
            block = Block("row", block.start, block.end, block.text, cells=block.cells, table=table)
        elif block.kind != "keyvalue":
            in_table = False
        out.append(block)
        joined = True
    flush()
    return out


def _wrapped_heading(block: Block) -> bool:
    """A heading whose parenthesis is still open: a PDF wrapped it (``OUTCOME 1: ... (LAP`` /
    ``Actions 32 to 34)``), and its next line is its rest, whatever it looks like."""
    return block.kind == "heading" and block.text.count("(") > block.text.count(")")


def _extend(text: str, block: Block, end: int) -> Block:
    """``block`` with the line ending at ``end`` joined to it (a key-value's value grows)."""
    cells = block.cells
    if cells:
        cells = (*cells[:-1], Cell(cells[-1].start, end, text[cells[-1].start : end]))
    return Block(
        block.kind,
        block.start,
        end,
        text[block.start : end],
        block.marker,
        block.scheme,
        block.level,
        " ".join(text[block.start : end].split())[len(block.marker or "") :].strip(),
        cells,
    )


def _classify(text: str, start: int, end: int, line: str) -> Block | None:
    """The block a line opens, or None for a line continuing the one before."""
    if _LABELLED.match(line):
        return Block("heading", start, end, text[start:end], level=3, label=line)
    numbered = numbering(line)
    if _is_row(line) and not (numbered and numbered[1] == "bullet"):
        cells = _split_cells(line, start)
        if (len(cells) == 2 and cells[0].text.endswith(":")) or (len(cells) == 2 and _KEY_VALUE.match(line)):
            return Block("keyvalue", start, end, text[start:end], cells=cells)
        if len(cells) >= 2:
            return Block("row", start, end, text[start:end], cells=cells)
    if numbered:
        marker, scheme, level, label = numbered
        heading = _is_heading(line)
        if heading == 1 and scheme != "bullet" and label.isupper():
            return Block("heading", start, end, text[start:end], marker, scheme, 1, label)
        return Block("item", start, end, text[start:end], marker, scheme, level, label)
    kv = _KEY_VALUE.match(line)
    if kv and ":" in line[: kv.end("key") + 3] and len(kv.group("key").split()) <= 5:
        colon = line.index(":", kv.end("key"))
        value_start = start + kv.start("value")
        return Block(
            "keyvalue",
            start,
            end,
            text[start:end],
            cells=(
                Cell(start, start + colon, line[:colon].strip()),
                Cell(value_start, end, text[value_start:end]),
            ),
        )
    heading = _is_heading(line)
    if heading:
        return Block("heading", start, end, text[start:end], level=heading, label=line.lstrip("#").strip())
    return None


def tables(items: list[Block]) -> dict[int, list[Block]]:
    """The rows of each table by its number, header first.

    >>> rows = tables(blocks("Ref.\\tActivity\\nA.1\\tTrain\\n\\nX\\tY\\nZ\\tW\\n"))
    >>> {k: [r.cells[0].text for r in v] for k, v in rows.items()}
    {0: ['Ref.', 'A.1'], 1: ['X', 'Z']}
    """
    out: dict[int, list[Block]] = {}
    for block in items:
        if block.kind == "row" and block.table is not None:
            out.setdefault(block.table, []).append(block)
    return out


def parent_marker(marker: str) -> str | None:
    """The marker of the element an outline-numbered one sits under.

    >>> parent_marker("A.1.1"), parent_marker("A.1"), parent_marker("2.3."), parent_marker("1")
    ('A.1', 'A', '2', None)
    """
    parts = marker.rstrip(".").split(".")
    return ".".join(parts[:-1]) if len(parts) > 1 else None
