"""The source record ``data/sources/<stem>.json`` that ``ccmgraph ingest`` writes beside a text.

It keeps the text's sha256 (the one the curated file states and the build checks) and the
received file's name and sha256 (the one the work plan's source document carries as
``ccm:originalSha256``, so that a reader can check the PDF they hold). ``ingest`` writes it; the
drafter copies it into the draft; the build checks the draft against it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ccmgraph import errors, paths


class RecordError(errors.DataError):
    """A source record that cannot be read; the message names it."""


@dataclass(frozen=True)
class SourceRecord:
    fileName: str
    sha256: str
    originalFileName: str
    originalSha256: str
    extractedWith: str


def record_path(stem: str) -> Path:
    return paths.SOURCES / f"{stem}.json"


def write(record: SourceRecord, stem: str) -> None:
    record_path(stem).write_text(json.dumps(asdict(record), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read(text_path: Path) -> SourceRecord | None:
    """The record ingest wrote beside a source text, if any."""
    path = text_path.with_suffix(".json")
    if not path.exists():
        return None
    try:
        return SourceRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise RecordError(f"{path}: not a source record ({exc})") from None
