import hashlib
import shutil
from pathlib import Path

import pytest

from ccmgraph import build as building
from ccmgraph import paths
from ccmgraph.namespaces import GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_one_named_graph_per_source_file(build_result):
    expected = {ONTOLOGY_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH}
    expected |= {GRAPH[p.stem] for p in paths.WORKPLANS.glob("*.ttl")}
    assert set(build_result.graphs) == expected


def test_two_builds_write_identical_files(dist, tmp_path):
    building.write(building.run(), tmp_path / "again")
    for name in (*building.DIST_FILES, paths.ONTOLOGY_HTML, "manifest.json"):
        assert (dist / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds not beside the checkout")
def test_sources_are_byte_identical_to_the_seeds():
    seeds = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.glob("*.txt")}
    ours = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths.SOURCES.glob("*.txt")}
    assert ours == seeds


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A copy of the project's data to break, with paths pointing at it."""
    root = tmp_path / "project"
    shutil.copytree(paths.ONTOLOGY_DIR, root / "ontology")
    shutil.copytree(paths.DATA, root / "data")
    for name in ("ONTOLOGY", "SHAPES", "CONTEXT"):
        monkeypatch.setattr(paths, name, root / "ontology" / getattr(paths, name).name)
    for name in ("DATA", "SOURCES", "REFERENCE", "WORKPLANS"):
        monkeypatch.setattr(paths, name, root / getattr(paths, name).relative_to(paths.ROOT))
    return root


def test_turtle_syntax_error_names_file_and_line(project_copy):
    bad = project_copy / "data" / "reference" / "treaties.ttl"
    bad.write_text(bad.read_text() + "\nthis is not turtle .\n")
    with pytest.raises(building.BuildError, match=r"treaties\.ttl: Turtle syntax error: at line \d+"):
        building.run()


def test_changed_source_text_is_refused(project_copy):
    ttl = next((project_copy / "data" / "workplans").glob("*.ttl"), None)
    if ttl is None:
        pytest.skip("no curated work plan yet")
    text = project_copy / "data" / "sources" / (ttl.stem + ".txt")
    text.write_bytes(text.read_bytes() + b" ")
    with pytest.raises(building.BuildError, match="sha256"):
        building.run()


def test_invalid_data_fails_and_keeps_the_previous_dist(project_copy, build_result, tmp_path):
    dist = tmp_path / "dist"
    building.write(build_result, dist)
    before = {p.name: p.read_bytes() for p in dist.iterdir()}
    lap = project_copy / "data" / "reference" / "lap-actions.ttl"
    lap.write_text(lap.read_text().replace('ccm:actionNumber 50 ;', 'ccm:actionNumber 51 ;'))
    result = building.run()
    assert not result.report.conforms
    (violation,) = [v for v in result.report.violations if "actionNumber" in v.path]
    assert violation.files == (str(project_copy / "data" / "reference"),)
    assert "lap-action/50" in violation.focus
    assert {p.name: p.read_bytes() for p in dist.iterdir()} == before


def test_summary_counts_per_document(build_result):
    counts = build_result.counts()
    assert set(counts) == {p.name for p in paths.WORKPLANS.glob("*.ttl")}
