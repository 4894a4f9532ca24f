"""One-line errors from ``ccmgraph build`` on a broken curated file: the file and line named, exit
status 1, no traceback, the last good dist/ kept. Run as a user runs it, in a copy of the project
without $CCMGRAPH_ROOT (the copy finds itself from the working directory)."""

from __future__ import annotations

import shutil

import pytest

from _project import cli, copy_project

WORKPLAN = "data/workplans/gso-workplan-2024-2025.ttl"
# a quote of that file, as it stands in the source text (data/sources/gso-workplan-2024-2025.txt)
QUOTE = '"CCM Thematic Working Group on General Status and Operation"'


@pytest.fixture(scope="module")
def project(tmp_path_factory, dist):
    """A copy of the project with the session's build as its dist/."""
    with pytest.MonkeyPatch.context() as mp:
        root = copy_project(tmp_path_factory.mktemp("broken") / "project", mp)
    shutil.copytree(dist, root / "dist")
    return root


def _snapshot(dist):
    return {p.relative_to(dist): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


def _broken(project, change):
    """``ccmgraph build`` with the work plan changed by ``change`` (bytes to bytes), then restored."""
    path = project / WORKPLAN
    original = path.read_bytes()
    before = _snapshot(project / "dist")
    path.write_bytes(change(original))
    try:
        done = cli(project, "build", "--quiet")
    finally:
        path.write_bytes(original)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert _snapshot(project / "dist") == before, "dist/ changed"
    return done.stderr.strip()


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def test_bad_turtle_names_file_and_line_without_byte_fragments(project):
    original = (project / WORKPLAN).read_bytes()
    line = _line_of(original, QUOTE.encode())
    unquoted = QUOTE.strip('"').encode()  # a literal without its quotes
    error = _broken(project, lambda b: b.replace(QUOTE.encode(), unquoted, 1))
    # the copy's own file, found without $CCMGRAPH_ROOT, not the checkout's
    assert error.startswith(f"error: {project.resolve() / WORKPLAN}:{line}: Turtle syntax error at column "), error
    assert "objectList expected" in error and "b'" not in error


def test_non_utf8_file_is_reported_by_line(project):
    original = (project / WORKPLAN).read_bytes()
    line = _line_of(original, QUOTE.encode())
    latin1 = QUOTE.replace("General", "G\u00e9n\u00e9ral").encode("latin-1")
    error = _broken(project, lambda b: b.replace(QUOTE.encode(), latin1, 1))
    assert f"gso-workplan-2024-2025.ttl:{line}: not UTF-8 (byte 0xe9 at column " in error, error
    assert "save the file as UTF-8" in error


def test_a_quote_absent_from_its_source_names_file_and_line(project):
    original = (project / WORKPLAN).read_bytes()
    line = _line_of(original, QUOTE.encode())
    wrong = QUOTE.replace("Working Group", "Working Party")
    error = _broken(project, lambda b: b.replace(QUOTE.encode(), wrong.encode(), 1))
    assert f"gso-workplan-2024-2025.ttl:{line}: " in error, error
    assert "Working Party" in error
