"""``ccmgraph ingest FILE``: a received work plan (.txt, .pdf, .docx) -> data/sources/<stem>.txt.

The text is extracted with pdfplumber (from word positions: table rows as lines, cells
separated by tabs) or python-docx (real tables a row a line, cells separated by tabs, heading
styles as ``#`` markers), so the curator and the drafter (``curation.structure``) read the same
tables; then normalised so that quotes can be copied from it: one kind of line end, words
hyphenated across a line end joined again, running headers and footers and page numbers of
PDF pages dropped, no trailing blanks.
The source record ``data/sources/<stem>.json`` keeps the text's sha256 (the one the curated
file states and the build checks) and the received file's name and sha256.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path

from ccmgraph import errors, paths, source_records
from ccmgraph.curation.structure import furniture
from ccmgraph.source_records import SourceRecord

SUFFIXES = (".txt", ".pdf", ".docx")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\u00ad": ""}
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_HYPHENATED = re.compile(r"([a-z])-\n(?=[a-z])")


class IngestError(errors.DataError):
    """A file that cannot be ingested; the message names it."""


def slug(stem: str) -> str:
    """A file stem as the project writes them: lower case, words joined by hyphens."""
    ascii_ = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "source"


# ---------------------------------------------------------------- extraction


def _pdf_pages(path: Path) -> list[str]:
    """Each page's text read from its words' positions: a line per baseline, and a tab where
    the gap between two words is wider than an em (table cells, a two-column cover table),
    so that the text keeps a table's rows and cells."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            return [_page_text(page.extract_words(use_text_flow=False, keep_blank_chars=False)) for page in pdf.pages]
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, OSError) as exc:
        raise IngestError(f"{path}: not a readable PDF ({exc})") from None


def _page_text(words: list[dict]) -> str:
    """Words (pdfplumber's dicts: text, x0, x1, top, bottom) as lines, cells apart by tabs; a
    line just below a table row that starts right of its first cell is that row's cells
    wrapped, and is joined to them column by column (so a row stays one line). A gap above a
    line wider than the page's gap between the lines of a paragraph by half a line (between
    paragraphs, after a heading) is an empty line, as a text file has between paragraphs;
    never between two rows of a table.

    >>> w = lambda t, x0, top: {"text": t, "x0": x0, "x1": x0 + 6 * len(t), "top": top, "bottom": top + 10}
    >>> _page_text([w("Ref.", 72, 100), w("Activity", 150, 100.8), w("A.1", 72, 120), w("Train", 150, 120)])
    'Ref.\\tActivity\\nA.1\\tTrain'
    >>> row = [w("A.1", 72, 120), w("Train", 150, 120), w("#4", 300, 120)]
    >>> _page_text([*row, w("staff", 150, 131), w("#5", 300, 131)])
    'A.1\\tTrain staff\\t#4 #5'
    >>> _page_text([*row, w("A.2", 72, 140), w("#6", 300, 140)])
    'A.1\\tTrain\\t#4\\nA.2\\t\\t#6'
    >>> _page_text([w("Our", 72, 100), w("aim", 72, 112), w("Next", 72, 130)])
    'Our\\naim\\n\\nNext'
    """
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    split = [_cells(line) for line in lines]
    # the gap between two lines of one paragraph: the narrowest between two lines of prose
    usual = min(
        (
            gap
            for (a, (sa, _)), (b, (sb, _)) in pairwise(zip(lines, split, strict=True))
            if len(sa) == len(sb) == 1 and (gap := b[0]["top"] - max(w["bottom"] for w in a)) >= 0
        ),
        default=0.0,
    )
    rows: list[tuple[list[float], list[list[str]], float]] = []  # cells' x0, cells' words, bottom
    paragraph_starts: set[int] = set()  # rows with an empty line above them
    for line, (starts, cells) in zip(lines, split, strict=True):
        em = max(line[0]["bottom"] - line[0]["top"], 1.0)
        above = rows[-1] if rows else None
        if above and len(above[0]) > 1 and starts[0] > above[0][0] + em and line[0]["top"] - above[2] < em:
            for x0, texts in zip(starts, cells, strict=True):
                above[1][_column(above[0], x0, em)].extend(texts)
            rows[-1] = (above[0], above[1], max(w["bottom"] for w in line))
            continue
        gap = line[0]["top"] - above[2] if above else 0.0
        in_table = above is not None and len(above[0]) > 1 and len(starts) > 1 and gap < 2 * em
        if above and gap > usual + em / 2 and not in_table:
            paragraph_starts.add(len(rows))
        if above and in_table and len(starts) < len(above[0]):
            # a row with empty cells: each cell under the column it starts in, the others empty
            placed: list[list[str]] = [[] for _ in above[0]]
            for x0, texts in zip(starts, cells, strict=True):
                placed[_column(above[0], x0, em)].extend(texts)
            starts, cells = list(above[0]), placed
        rows.append((starts, cells, max(w["bottom"] for w in line)))
    return "".join(
        ("\n\n" if i in paragraph_starts else "\n" if i else "") + "\t".join(" ".join(texts) for texts in cells)
        for i, (_, cells, _) in enumerate(rows)
    )


def _column(starts: list[float], x0: float, em: float) -> int:
    """The column (of a row whose cells start at ``starts``) that a word starting at ``x0`` is in."""
    return max((k for k, start in enumerate(starts) if start <= x0 + em), default=0)


def _cells(line: list[dict]) -> tuple[list[float], list[list[str]]]:
    """A line's words (sorted left to right here) as cells: a gap wider than an em starts one."""
    line.sort(key=lambda w: w["x0"])
    em = max(line[0]["bottom"] - line[0]["top"], 1.0)
    starts: list[float] = [line[0]["x0"]]
    cells: list[list[str]] = [[line[0]["text"]]]
    for before, word in pairwise(line):
        if word["x0"] - before["x1"] > em:
            starts.append(word["x0"])
            cells.append([])
        cells[-1].append(word["text"])
    return starts, cells


def _docx_text(path: Path) -> str:
    """Body paragraphs and table rows in document order (headers and footers are other parts)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"{path}: not a readable Word (.docx) file ({exc})") from None
    blocks = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            paragraph = Paragraph(child, document)
            level = _heading_level(paragraph.style.name if paragraph.style is not None else "")
            # a heading style is kept as the text's own heading marker, so structure reads it
            blocks.append(f"{'#' * level} {paragraph.text}" if level and paragraph.text.strip() else paragraph.text)
        elif child.tag.endswith("}tbl"):
            rows = []
            for row in Table(child, document).rows:
                cells: list[str] = []
                seen: list[object] = []
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):  # a merged cell is listed once per grid column
                        continue
                    seen.append(cell._tc)
                    cells.append(" ".join(cell.text.split()))  # an empty cell keeps its place
                rows.append("\t".join(cells))
            blocks.append("\n".join(rows))  # a table's rows line after line: one table
    return "\n\n".join(blocks)


def _heading_level(style: str) -> int:
    """The level of a Word heading style ("Heading 2" is 2, "Title" 1), 0 for any other.

    >>> _heading_level("Heading 2"), _heading_level("Title"), _heading_level("Normal")
    (2, 1, 0)
    """
    if style == "Title":
        return 1
    m = re.fullmatch(r"Heading (\d)", style)
    return int(m[1]) if m else 0


def _strip_pages(pages: list[str]) -> str:
    split = [page.split("\n") for page in pages]
    repeated = furniture(split)
    kept = []
    for lines in split:
        body = [line for line in lines if re.sub(r"\d+", "#", line.strip()) not in repeated]
        while body and (not body[0].strip() or _PAGE_NUMBER.match(body[0])):
            body.pop(0)
        while body and (not body[-1].strip() or _PAGE_NUMBER.match(body[-1])):
            body.pop()
        kept.append("\n".join(body))
    return "\n\n".join(kept)


def normalise(text: str) -> str:
    """One line end, ligatures spelled out, hyphenation across line ends undone, no trailing
    blanks, at most one empty line in a row, one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char, spelled in _LIGATURES.items():
        text = text.replace(char, spelled)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _HYPHENATED.sub(r"\1", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def extract(path: Path) -> tuple[str, str]:
    """The normalised text of ``path`` and the library that read it."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pages = _pdf_pages(path)
        text, tool = _strip_pages(pages), f"pdfplumber {version('pdfplumber')}"
    elif suffix == ".docx":
        text, tool = _docx_text(path), f"python-docx {version('python-docx')}"
    elif suffix == ".txt":
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise IngestError(f"{path}: not UTF-8 text ({exc})") from None
        text, tool = _strip_pages(raw.split("\f")) if "\f" in raw else raw, "text"
    else:
        raise IngestError(f"{path}: cannot ingest {suffix or 'a file without suffix'} (use {', '.join(SUFFIXES)})")
    text = normalise(text)
    if len(text.split()) < 20:
        raise IngestError(
            f"{path}: almost no text could be extracted ({len(text.split())} words); a scanned PDF needs OCR first"
        )
    return text, tool


def ingest(path: Path, stem: str | None = None, force: bool = False) -> tuple[Path, SourceRecord]:
    """Write data/sources/<stem>.txt and its record; refuse to replace a different text unless ``force``."""
    text, tool = extract(path)
    stem = slug(stem or path.stem)
    target = paths.SOURCES / f"{stem}.txt"
    data = text.encode("utf-8")
    if target.exists() and target.read_bytes() != data and not force:
        raise IngestError(f"{target}: exists with a different text (ingest --stem NAME, or --force to replace it)")
    record = SourceRecord(
        fileName=target.name,
        sha256=hashlib.sha256(data).hexdigest(),
        originalFileName=path.name,
        originalSha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        extractedWith=tool,
    )
    paths.SOURCES.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    source_records.write(record, stem)
    return target, record
