"""ccmgraph format / --check: the curated files' convention, proved on copies of the five files."""

import shutil

from tests._project import copy_project

from ccmgraph import build as building
from ccmgraph import paths
from ccmgraph.build import style


def test_formatting_the_five_files_keeps_the_graph(tmp_path, monkeypatch, build_result):
    root = copy_project(tmp_path / "project", monkeypatch)
    files = sorted((root / "data" / "workplans").glob("*.ttl"))
    assert len(files) >= 5
    for path in files:
        style.format_file(path)
        text = path.read_text()
        assert "@prefix obj:" not in text and "@prefix orgs:" not in text and "@prefix plan:" not in text
        assert style.format_file(path) is False  # formatting is stable
        problems = style.check_file(path)
        # what is left is what the slimming pass removes: the triples the build derives
        assert all("is derived by the build" in p for p in problems), problems[:3]
    built = building.run()
    assert {(n, *t) for n, g in built.graphs.items() for t in g} == \
        {(n, *t) for n, g in build_result.graphs.items() for t in g}


def test_check_names_file_and_line(tmp_path):
    src = paths.WORKPLANS / "gso-workplan-2024-2025.ttl"
    path = tmp_path / src.name
    shutil.copy(src, path)
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("@prefix obj:"))
    problems = style.check_file(path)
    assert f"{path}:{number}: prefix obj: should be objective:" in problems
    assert any(p.startswith(f"{path}:") and "ccm:partOf is derived by the build" in p for p in problems)


def test_long_quotes_are_wrapped_and_still_match(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project", monkeypatch)
    path = root / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
    before = max(len(line) for line in path.read_text().splitlines() if "ccm:quote " in line)
    style.format_file(path)
    after = [line for line in path.read_text().splitlines() if "ccm:quote" in line]
    assert before > 300
    assert not [q for line in after for q in style._LONG_QUOTE.finditer(line) if len(q.group(2)) > style.QUOTE_WIDTH]
    assert building.run().report.conforms


def test_a_change_of_graph_is_refused(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text('@prefix ccm: <https://w3id.org/ccmgraph/ontology#> .\n'
                    '<https://w3id.org/ccmgraph/id/x> ccm:quote "a b" .\n')
    assert style.formatted(path.read_text(), path).count("ccm:quote") == 1
    path.write_text("this is not turtle\n")
    try:
        style.format_file(path)
    except style.StyleError as exc:
        assert str(path) in str(exc) and "Turtle syntax error" in str(exc)
    else:
        raise AssertionError("bad Turtle was formatted")
