"""ccmgraph format / --check: the curated files' convention, proved on copies of the five files."""

import re
import shutil

import pytest

from _project import copy_project
from ccmgraph import build as building
from ccmgraph import paths
from ccmgraph.build import style


@pytest.mark.slow  # formats and rebuilds the five files twice
def test_formatting_the_five_files_keeps_the_graph(tmp_path, monkeypatch, build_result):
    root = copy_project(tmp_path / "project", monkeypatch)
    files = sorted((root / "data" / "workplans").glob("*.ttl"))
    assert len(files) >= 5
    for path in files:
        style.format_file(path)
        text = path.read_text()
        assert "@prefix obj:" not in text and "@prefix orgs:" not in text and "@prefix plan:" not in text
        assert style.format_file(path) is False  # formatting is stable
        assert style.check_file(path) == []
    built = building.run()
    assert {(n, *t) for n, g in built.graphs.items() for t in g} == {
        (n, *t) for n, g in build_result.graphs.items() for t in g
    }


def test_the_curated_files_follow_the_convention():
    """What `make lint` checks, in the suite too: a curated file off the convention fails with its line."""
    problems = [p for path in sorted(paths.WORKPLANS.glob("*.ttl")) for p in style.check_file(path)]
    assert problems == [], "\n".join(problems[:10])


def test_check_names_file_and_line(tmp_path):
    src = paths.WORKPLANS / "gso-workplan-2024-2025.ttl"
    path = tmp_path / src.name
    shutil.copy(src, path)
    number = len(path.read_text().splitlines()) + 1
    with path.open("a") as f:  # what the files had before they were slimmed
        f.write(
            "@prefix obj: <https://w3id.org/ccmgraph/id/workplan/gso-2024-2025/objective/> .\n"
            "obj:1 ccm:partOf <https://w3id.org/ccmgraph/id/workplan/gso-2024-2025> .\n"
        )
    problems = style.check_file(path)
    assert f"{path}:{number}: prefix obj: should be objective:" in problems
    assert f"{path}:{number + 1}: ccm:partOf is derived by the build; drop it" in problems


def test_long_quotes_are_wrapped_and_still_match(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project", monkeypatch)
    path = root / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
    wrapped = re.search(r'ccm:quote """([^"]{200,}?)"""', path.read_text())
    assert wrapped is not None
    path.write_text(path.read_text().replace(wrapped[0], f'ccm:quote "{" ".join(wrapped[1].split())}"'))
    before = max(len(line) for line in path.read_text().splitlines() if "ccm:quote " in line)
    style.format_file(path)
    after = [line for line in path.read_text().splitlines() if "ccm:quote" in line]
    assert before > 200
    assert not [q for line in after for q in style._LONG_QUOTE.finditer(line) if len(q.group(2)) > style.QUOTE_WIDTH]
    assert building.run().report.conforms


def test_a_change_of_graph_is_refused(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text(
        '@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .\n<https://w3id.org/ccmgraph/id/x> ccm:quote "a b" .\n'
    )
    assert style.formatted(path.read_text(), path).count("ccm:quote") == 1
    path.write_text("this is not turtle\n")
    try:
        style.format_file(path)
    except style.StyleError as exc:
        assert str(path) in str(exc) and "Turtle syntax error" in str(exc)
    else:
        raise AssertionError("bad Turtle was formatted")
