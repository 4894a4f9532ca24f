"""The command line, run as a user runs it: a subprocess, exit codes, stdout and stderr."""

import json
import os
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
def project(tmp_path_factory):
    """A copy of the project to build into and to break."""
    root = tmp_path_factory.mktemp("cli") / "project"
    shutil.copytree(paths.ONTOLOGY_DIR, root / "ontology")
    shutil.copytree(paths.DATA, root / "data")
    env = {"CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(root / "dist")}
    done = run("build", env=env)
    assert done.returncode == 0, done.stderr
    assert "SHACL: conforms" in done.stdout and "Seconds per stage" in done.stdout
    return root, env


def test_query_table_csv_json(project):
    _, env = project
    q = "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?n WHERE { ?a ccm:actionNumber ?n } ORDER BY ?n LIMIT 3"
    table = run("query", q, env=env)
    assert table.returncode == 0 and table.stdout.splitlines()[2].strip() == "1"
    assert run("query", q, "--format", "csv", env=env).stdout.splitlines() == ["n", "1", "2", "3"]
    assert [r["n"] for r in json.loads(run("query", q, "-f", "json", env=env).stdout)] == ["1", "2", "3"]


def test_query_from_rq_file(project, tmp_path):
    _, env = project
    rq = tmp_path / "ask.rq"
    rq.write_text("ASK { ?s ?p ?o }")
    assert run("query", str(rq), env=env).stdout.strip() == "true"


def test_malformed_query_is_a_clear_error(project):
    _, env = project
    done = run("query", "SELECT WHERE {", env=env)
    assert done.returncode == 1
    assert "malformed or failed query" in done.stderr and "Traceback" not in done.stderr


def test_missing_query_file_is_a_clear_error(project):
    _, env = project
    done = run("query", "nowhere.rq", env=env)
    assert done.returncode == 1 and "nowhere.rq: no such file" in done.stderr


def test_invalid_data_exits_1_and_keeps_dist(project, tmp_path):
    root, env = project
    broken = tmp_path / "broken"
    shutil.copytree(root, broken)
    env = {"CCMGRAPH_ROOT": str(broken), "CCMGRAPH_DIST": str(broken / "dist")}
    before = (broken / "dist" / "ccmgraph.nq").read_bytes()
    states = broken / "data" / "reference" / "states.ttl"
    states.write_text(states.read_text().replace('ccm:iso3166Alpha3 "DEU"', 'ccm:iso3166Alpha3 "Deu"'))
    done = run("build", env=env)
    assert done.returncode == 1
    assert "state/DEU" in done.stdout and "data/reference" in done.stdout
    assert "validation failed" in done.stderr
    assert (broken / "dist" / "ccmgraph.nq").read_bytes() == before


def test_syntax_error_names_file_and_line(project, tmp_path):
    root, _ = project
    broken = tmp_path / "syntax"
    shutil.copytree(root, broken)
    (broken / "data" / "reference" / "treaties.ttl").write_text("@prefix x: <a:> .\nx:a x:b .\nnonsense here\n")
    done = run("build", env={"CCMGRAPH_ROOT": str(broken), "CCMGRAPH_DIST": str(broken / "dist")})
    assert done.returncode == 1
    assert "treaties.ttl: Turtle syntax error: at line 3" in done.stderr and "Traceback" not in done.stderr
