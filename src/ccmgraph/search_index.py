"""The full-text index of the dataset: SQLite FTS5 (Python's standard library), written into dist/
by the build and read by /api/search and the /search page.

One document per resource a person looks for, with its label, other names, descriptions, the
quotes that back its statements, and its notes (the texts of queries/views/search-documents.rq).
A resource named exactly by the search text (label or another name: ``UNIDIR``) comes first;
then BM25 ranks, the label weighing most; words are stemmed (Porter) and matched on their
beginning, so ``gender UNIDIR`` finds what mentions both, and ``partner`` finds "partnership".
All words must match; when no resource has them all, resources with any of them are ranked.
Common words alone (``a``, ``the``) find nothing rather than everything.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ccmgraph import catalog, paths

FILE = "search.sqlite"
COLUMNS = ("label", "names", "descriptions", "quotes", "notes")
WEIGHTS = "10.0, 6.0, 3.0, 2.0, 1.0"  # bm25() weights, in the order of COLUMNS
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    }
)
MARK, END = "\x02", "\x03"
SEP = " · "  # between the texts of one column


def write(quads: Iterable[ox.Quad], target: Path) -> int:
    """Index the dataset (its quads) into the SQLite file ``target``; the number of documents."""
    store = ox.Store()
    store.extend(quads)
    view = catalog.read_query(paths.VIEWS / "search-documents.rq")
    rows = store.query(view.sparql, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)  # the view is a SELECT
    docs: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        texts = docs.setdefault(row["resource"].value, {})
        texts.setdefault(row["field"].value, []).append(row["text"].value)
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(target)) as db, db:
        db.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5({', '.join(COLUMNS)}, resource UNINDEXED, "
            "type UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        db.executemany(
            f"INSERT INTO docs VALUES ({', '.join('?' * (len(COLUMNS) + 2))})",
            [
                (
                    min(t.get("label", [iri])),
                    *(SEP.join(sorted(set(t.get(c, [])))) for c in COLUMNS[1:]),
                    iri,
                    min(t.get("type", [""])),
                )
                for iri, t in sorted(docs.items())
            ],
        )
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    return len(docs)


def words(text: str) -> list[str]:
    """The words of a search text that can find something (no stop words, no FTS5 syntax)."""
    return [w for w in re.findall(r"\w+", text.casefold()) if w not in STOP_WORDS]


def match_expression(terms: list[str], operator: str) -> str:
    """An FTS5 query: each word a quoted string, matched as a prefix when it has 3 letters or more."""
    return f" {operator} ".join(f'"{w}"' + ("*" if len(w) >= 3 else "") for w in terms)


def snippet_html(snippet: str) -> str:
    """The snippet escaped for HTML with the matched words in <mark>."""
    return html.escape(snippet).replace(MARK, "<mark>").replace(END, "</mark>")


@dataclass(frozen=True)
class Hits:
    total: int
    items: list[dict[str, object]]
    matched: str  # "all" words, "any" word, or "none" (no word to search for)


def search(index: Path, text: str, limit: int, offset: int) -> Hits:
    terms = words(text)
    if not terms:
        return Hits(0, [], "none")
    with closing(sqlite3.connect(f"file:{index}?mode=ro", uri=True)) as db:
        for operator in ("AND", "OR") if len(terms) > 1 else ("AND",):
            expr = match_expression(terms, operator)
            total = db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (expr,)).fetchone()[0]
            if total:
                rows = db.execute(
                    f"SELECT resource, label, type, -bm25(docs, {WEIGHTS}) AS rank, "
                    f"snippet(docs, -1, '{MARK}', '{END}', '…', 14), "
                    f"lower(label) = :name OR instr(lower('{SEP}' || names || '{SEP}'), '{SEP}' || :name || '{SEP}') "
                    "AS named FROM docs WHERE docs MATCH :expr "
                    "ORDER BY named DESC, rank DESC, label LIMIT :limit OFFSET :offset",
                    {"expr": expr, "name": " ".join(text.split()).lower(), "limit": limit, "offset": offset},
                ).fetchall()
                items = [
                    {
                        "resource": r[0],
                        "label": r[1],
                        "type": r[2] or None,
                        "rank": round(r[3], 3),
                        "snippet": snippet_html(r[4]),
                    }
                    for r in rows
                ]
                return Hits(total, items, "all" if operator == "AND" else "any")
    return Hits(0, [], "all")
