"""The command line, run as a user runs it: a subprocess, exit codes, stdout and stderr."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("ccmgraph"))


def run(*args, env=None):
    return subprocess.run([CLI, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def env(dist):
    """The CLI pointed at the session's build (fresh, so it does not rebuild)."""
    return {"CCMGRAPH_DIST": str(dist)}


@pytest.fixture
def project(project_copy):
    """A copy of the project to break (tests/conftest.py), and the environment pointing the CLI at it."""
    return project_copy, {"CCMGRAPH_ROOT": str(project_copy), "CCMGRAPH_DIST": str(project_copy / "dist")}


def test_query_table_csv_json(env):
    q = (
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> "
        "SELECT ?n WHERE { ?a ccm:actionNumber ?n } ORDER BY ?n LIMIT 3"
    )
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
    assert "Malformed query, line 1, column 15" in done.stderr and "Traceback" not in done.stderr


def test_the_projects_prefixes_are_predeclared(env):
    # the README's first example: no PREFIX lines
    done = run("query", "SELECT ?a ?label WHERE { ?a a ccm:Activity ; rdfs:label ?label }", "-f", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) > 20
    own = run("query", "PREFIX ccm: <http://example.org/mine#> SELECT ?a WHERE { ?a a ccm:Activity }", env=env)
    assert own.returncode == 0 and "(no rows)" in own.stdout  # the query's own ccm: wins


def test_an_undeclared_prefix_error_gives_the_line_to_add(env):
    done = run("query", "SELECT * WHERE {\n  ?d a dcat:Dataset }", env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "line 2, column 8: the prefix dcat: is not declared" in done.stderr
    assert "PREFIX dcat: <http://www.w3.org/ns/dcat#>" in done.stderr
    assert "    2 |   ?d a dcat:Dataset }" in done.stderr


def test_missing_query_file_is_a_clear_error(env):
    done = run("query", "nowhere.rq", env=env)
    assert done.returncode == 1 and "nowhere.rq: no such file" in done.stderr


@pytest.mark.slow
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
    assert "treaties.ttl:2: Turtle syntax error at column 8: objectList expected" in done.stderr
    assert "Traceback" not in done.stderr


def test_trace_lists_what_serves_an_action(env):
    # "Actions 10 and 11 of LAP are related to the universalization of the CCM and will provide
    # the primary basis from which activities of this concept note will be derived."
    done = run("trace", "10", env=env)
    assert done.returncode == 0
    rows = [line for line in done.stdout.splitlines() if "Universalization work plan 2024-2025" in line]
    assert any("inherited from the work plan" in line for line in rows)
    assert done.stdout.splitlines()[0].startswith("Counting links stated in the text, inherited from the objective")
    # curator judgement is not counted unless asked for: GSO 2025-2026 names no LAP action
    assert "2025-2026" not in done.stdout and "curator judgement" not in done.stdout.splitlines()[1]
    assert run("trace", "51", env=env).returncode == 1


def test_trace_by_basis(env):
    # stated: the Universalization plan ("Actions 10 and 11 of LAP are related to the universalization") and
    # GSO 2024-2025 objective 2a ("(more specifically actions 10 and 11 A-D)")
    stated = run("trace", "10", "--basis", "stated", env=env)
    assert stated.returncode == 0 and "(2 rows)" in stated.stdout
    assert "inherited" not in stated.stdout.split("\n", 1)[1]
    # curator: also GSO 2025-2026 Track 2.2, "Undertake targeted outreach (in coordination with the
    # universalization Coordinators)", a judgement
    curator = run("trace", "10", "--basis", "curator", env=env)
    rows = [line for line in curator.stdout.splitlines() if "work plan 2025-2026" in line]
    assert rows and all("curator judgement" in line for line in rows)
    bad = run("trace", "10", "--basis", "bogus", env=env)
    assert bad.returncode == 1 and "stated, objective, workplan, curator" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_an_update_is_refused_in_words(env):
    done = run("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "error: updates are not accepted here: `ccmgraph query` only reads the graph"


def test_a_byte_order_mark_is_accepted_in_a_file_and_named_in_a_text(env, tmp_path):
    rq = tmp_path / "bom.rq"
    rq.write_bytes("\ufeffASK { ?s ?p ?o }".encode())  # as Notepad saves UTF-8
    assert run("query", str(rq), env=env).stdout.strip() == "yes"
    done = run("query", "\ufeffASK { ?s ?p ?o }", env=env)
    assert done.returncode == 1 and "starts with a byte-order mark (U+FEFF)" in done.stderr


def test_an_undeclared_prefix_in_subject_position_is_named(env):
    done = run("query", "SELECT * WHERE { foo:x ?p ?o }", env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "line 1, column 18: the prefix foo: is not declared" in done.stderr


def test_publish_dry_run_needs_no_reachable_store(env, dist):
    from support import free_port

    done = run("publish", f"http://127.0.0.1:{free_port()}/sparql", "--dry-run", "--dist", str(dist), env=env)
    assert done.returncode == 0, done.stderr
    assert "the store did not answer" in done.stdout and "what is there now is unknown" in done.stdout
    loaded = re.search(r"graph/reference\s+\? triples now -> (\d+) triples", done.stdout)
    assert loaded and int(loaded.group(1)) > 0, done.stdout
