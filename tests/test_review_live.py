"""The review loop as a curator runs it (docs/adding-a-workplan.md): a plan received as a PDF and
one received as a Word file are ingested and drafted, then ``ccmgraph build --watch`` and
``ccmgraph serve`` run side by side (subprocesses, on a copy of the project); an edit to a
drafted file and to a curated one shows on /review/<stem> without restarting the server, in
Debian's chromium at 1400 and 390 px, with no CSP error and no sideways scroll."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from _project import cli, copy_project
from support import browser_page, free_port, needs_chromium

CORPUS = Path(__file__).resolve().parent / "data" / "drafting"
RECEIVED = (CORPUS / "pdf-transparency-2026.pdf", CORPUS / "word-stockpile-destruction-2026.docx")
CURATED = "gso-concept-note-2023-2024"
STEMS = (CURATED, *(p.stem for p in RECEIVED))
NOTE = "REVIEW: written by the live review test"
# where the test adds its note: the curated file before one of its notes, a draft after the plan's type
ANCHORS = {CURATED: 'ccm:curationNote """The title says the concept note runs'}
DRAFTED_ANCHOR = "a ccm:WorkPlan ;"


def _start(root, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(root / "dist")}
    return subprocess.Popen(
        [sys.executable, "-m", "ccmgraph.cli", *args],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found = condition()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {seconds} s")


def _add_note(root: Path, stem: str) -> None:
    """Save the file with the test's note, as a curator's editor does."""
    plan = root / "data" / "workplans" / f"{stem}.ttl"
    text = plan.read_text(encoding="utf-8")
    if stem in ANCHORS:
        assert ANCHORS[stem] in text
        edited = text.replace(ANCHORS[stem], f'ccm:curationNote "{NOTE}"@en ;\n    {ANCHORS[stem]}', 1)
    else:
        assert DRAFTED_ANCHOR in text
        edited = text.replace(DRAFTED_ANCHOR, f'{DRAFTED_ANCHOR}\n    ccm:curationNote "{NOTE}"@en ;', 1)
    plan.write_text(edited, encoding="utf-8")


def _check_page(base: str, stem: str, width: int) -> list[str]:
    """Flagged notes shown on /review/<stem> at ``width`` px; the layout and policy asserted."""
    csp_errors: list[str] = []
    with browser_page(base, width, javascript=True, csp_errors=csp_errors) as page:
        page.goto(f"{base}/review/{stem}")
        flagged = page.locator("ol.flagged li").all_inner_texts()
        statements = page.locator("section.statements").bounding_box()
        source = page.locator(".source").bounding_box()
        assert statements and source
        if width >= 1000:  # side by side
            assert source["x"] > statements["x"] + statements["width"] - 1 and abs(source["y"] - statements["y"]) < 200
        else:  # stacked
            assert source["y"] > statements["y"] + statements["height"] - 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow} px of sideways scroll at {width} px"
    assert csp_errors == [], csp_errors
    return flagged


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_an_edit_shows_on_the_review_page_without_a_restart(tmp_path, monkeypatch):
    pytest.importorskip("playwright.sync_api")
    root = copy_project(tmp_path / "project", monkeypatch)
    for received in RECEIVED:  # steps 1 and 2 of the walk-through, as written
        for step in (
            ("ingest", str(received), "--stem", received.stem),
            ("draft", f"data/sources/{received.stem}.txt"),
        ):
            done = cli(root, *step)
            assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    watch = _start(root, "build", "--quiet", "--watch", "--interval", "0.3")
    server = None
    try:
        _wait(lambda: (root / "dist" / "manifest.json").exists(), 300, "the first build")
        server = _start(root, "serve", "--port", str(port))
        before = _wait(lambda: httpx.get(f"{base}/health").json()["version"], 120, "the server")
        for stem in STEMS:
            for width in (1400, 390):
                assert not any(NOTE in item for item in _check_page(base, stem, width))

        for stem in STEMS:
            _add_note(root, stem)
        for stem in STEMS:
            _wait(lambda stem=stem: NOTE in httpx.get(f"{base}/review/{stem}").text, 300, f"the edit on /review/{stem}")
        assert server.poll() is None, "the server was restarted"
        assert httpx.get(f"{base}/health").json()["version"] != before
        for stem in STEMS:
            for width in (1400, 390):
                flagged = _check_page(base, stem, width)
                assert any(NOTE in item for item in flagged), (stem, flagged)
        # the SPARQL endpoint's worker processes answer from the new build too
        ask = f'ASK {{ GRAPH ?g {{ ?s <https://w3id.org/ccmgraph/ontology#curationNote> "{NOTE}"@en }} }}'
        accept = {"Accept": "application/sparql-results+json"}
        answer = httpx.get(f"{base}/sparql", params={"query": ask}, headers=accept)
        assert answer.json()["boolean"] is True
    finally:
        for proc in (server, watch):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
