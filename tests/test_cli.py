"""The command line, run as a user runs it: a subprocess, exit codes, stdout and stderr."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ccmgraph import paths

CLI = str(Path(sys.executable).with_name("ccmgraph"))


def run(*args, env=None):
    return subprocess.run([CLI, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def env(dist):
    """The CLI pointed at the session's build (fresh, so it does not rebuild)."""
    return {"CCMGRAPH_DIST": str(dist)}


@pytest.fixture
def project(tmp_path):
    """A copy of the project to break, with the session's dist/ copied in."""
    root = tmp_path / "project"
    shutil.copytree(paths.ONTOLOGY_DIR, root / "ontology")
    shutil.copytree(paths.DATA, root / "data")
    shutil.copytree(paths.QUERIES, root / "queries")  # the build's search index reads a view
    return root, {"CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(root / "dist")}


def test_query_table_csv_json(env):
    q = "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?n WHERE { ?a ccm:actionNumber ?n } ORDER BY ?n LIMIT 3"
    table = run("query", q, env=env)
    assert table.returncode == 0 and table.stdout.splitlines()[2].strip() == "1"
    assert run("query", q, "--format", "csv", env=env).stdout.splitlines() == ["n", "1", "2", "3"]
    assert [r["n"] for r in json.loads(run("query", q, "-f", "json", env=env).stdout)] == ["1", "2", "3"]


def test_query_from_rq_file(env, tmp_path):
    rq = tmp_path / "ask.rq"
    rq.write_text("ASK { ?s ?p ?o }")
    assert run("query", str(rq), env=env).stdout.strip() == "yes"


def test_malformed_query_is_a_clear_error(env):
    done = run("query", "SELECT WHERE {", env=env)
    assert done.returncode == 1
    assert "malformed or failed query" in done.stderr and "Traceback" not in done.stderr


def test_missing_query_file_is_a_clear_error(env):
    done = run("query", "nowhere.rq", env=env)
    assert done.returncode == 1 and "nowhere.rq: no such file" in done.stderr


def test_build_then_invalid_data_exits_1_and_keeps_dist(project):
    root, env = project
    done = run("build", env=env)
    assert done.returncode == 0, done.stderr
    assert "SHACL: conforms" in done.stdout and "Seconds per stage" in done.stdout
    before = (root / "dist" / "ccmgraph.nq").read_bytes()
    states = root / "data" / "reference" / "states.ttl"
    states.write_text(states.read_text().replace('ccm:iso3166Alpha3 "DEU"', 'ccm:iso3166Alpha3 "Deu"'))
    done = run("build", env=env)
    assert done.returncode == 1
    assert "state/DEU" in done.stdout and "data/reference" in done.stdout
    assert "validation failed" in done.stderr
    assert (root / "dist" / "ccmgraph.nq").read_bytes() == before


def test_syntax_error_names_file_and_line(project):
    root, env = project
    (root / "data" / "reference" / "treaties.ttl").write_text("@prefix x: <a:> .\nx:a x:b .\nnonsense here\n")
    done = run("build", env=env)
    assert done.returncode == 1
    assert re.search(r"treaties\.ttl: Turtle syntax error: at line \d+", done.stderr)
    assert "Traceback" not in done.stderr


def test_trace_lists_what_serves_an_action(env):
    # "Actions 10 and 11 of LAP are related to the universalization of the CCM and will provide
    # the primary basis from which activities of this concept note will be derived."
    done = run("trace", "10", env=env)
    assert done.returncode == 0
    rows = [line for line in done.stdout.splitlines() if "Universalization work plan 2024-2025" in line]
    assert any("inherited from the work plan" in line for line in rows)
    assert run("trace", "51", env=env).returncode == 1
