"""ccmgraph format / --check: the curated files' convention, proved on copies of the five files."""

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from _project import copy_project
from ccmgraph import paths
from ccmgraph import pipeline as building
from ccmgraph.curation import line_breaks, style
from ccmgraph.namespaces import CURATED
from ccmgraph.pipeline.authoring import FREE_WHITESPACE


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
    assert max(len(line) for line in after) <= line_breaks.WIDTH
    assert building.run().report.conforms


SAMPLE = (Path(__file__).parent / "data" / "layout-sample.ttl").read_text()


def _graph_without_free_whitespace(text):
    g = Graph()
    for s, p, o in Graph().parse(data=text, format="turtle"):
        if p in FREE_WHITESPACE:
            o = Literal(" ".join(str(o).split()), lang=o.language)
        g.add((s, p, o))
    return g


def test_the_layout_breaks_long_lines_and_keeps_the_graph(tmp_path):
    path = tmp_path / "sample.ttl"
    out = style.formatted(SAMPLE, path)
    assert style.formatted(out, path) == out  # stable
    assert isomorphic(_graph_without_free_whitespace(out), _graph_without_free_whitespace(SAMPLE))
    too_long = [line for line in out.splitlines() if len(line) > line_breaks.WIDTH]
    # only what Turtle cannot break: a label (data), a line of a description that holds line breaks
    assert [line.split()[0] for line in too_long] == ["-", "rdfs:label"], too_long
    assert "ccm:implementer\n        state:PER ,\n        state:NOR ," in out  # one object a line
    assert "] ; # the second quote backs Norway too" in out  # a comment stays after its predicate
    assert "ccm:cites instrument:ways-forward ;" in out  # the standard prefix, not the file's
    assert "\n- a second one" in out  # the line breaks of a description are its value: kept


def test_the_curated_files_keep_to_the_line_width():
    """What the formatter can break is broken: a line past the width is one unbreakable term."""
    term = r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|<[^>\s]*>'
    for path in sorted(paths.WORKPLANS.glob("*.ttl")):
        text = path.read_text()
        masked = re.sub(term, lambda m: re.sub(r"\S", "x", m.group(0).replace(" ", "x")), text).splitlines()
        for number, line in enumerate(text.splitlines(), 1):
            code = masked[number - 1].split(" # ", 1)[0].split()
            if len(line) > line_breaks.WIDTH and code and not code[0].startswith("#"):
                assert len(code) <= 3, f"{path.name}:{number}: {line}"  # predicate, term, separator


def test_a_formatter_that_would_change_the_graph_is_refused(tmp_path, monkeypatch):
    src = paths.WORKPLANS / "gso-workplan-2024-2025.ttl"
    path = tmp_path / src.name
    shutil.copy(src, path)
    path.write_text(path.read_text().replace("ccm:coordinator state:DEU", "ccm:coordinator   state:DEU"))
    before = path.read_text()
    real = style.break_lines
    monkeypatch.setattr(style, "break_lines", lambda text, free: real(text, free).replace("state:DEU", "state:AUT"))
    with pytest.raises(style.StyleError, match="would change its graph"):
        style.format_file(path)
    assert path.read_text() == before


def test_a_derived_term_inside_a_wrapped_note_is_not_reported(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text(style.formatted(SAMPLE.replace("since notes", "as ccm:position and notes"), path))
    assert style.check_file(path) == []
    path.write_text(path.read_text().replace("    ccm:cites", "    ccm:position 3 ;\n    ccm:cites"))
    assert [p.split(": ", 1)[1] for p in style.check_file(path)] == ["ccm:position is derived by the build; drop it"]


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


def test_the_prefix_block_of_data_readme_is_the_one_the_formatter_writes():
    readme = (paths.ROOT / "data" / "README.md").read_text()
    block = readme.split("The standard block", 1)[1].split("# and, per file", 1)[0]
    assert dict(re.findall(r"^@prefix (\w+): <([^>]+)> \.$", block, re.M)) == CURATED
