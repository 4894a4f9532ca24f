"""``ccmgraph query`` as a user types it: named query parameters, every answer form in every
format, and SERVICE refused before anything runs (a subprocess, exit codes, stdout, stderr)."""

import json
import socket
import threading

import pytest

from ccmgraph import paths
from test_cli import run

NAMED = str(paths.QUERIES / "activities-serving-action.rq")


@pytest.fixture(scope="module")
def env(dist):
    return {"CCMGRAPH_DIST": str(dist)}


def test_param_binds_a_declared_parameter(env):
    done = run("query", NAMED, "--param", "action=10", "-f", "json", env=env)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {r["lapAction"] for r in rows} == {"https://w3id.org/ccmgraph/id/lap-action/10"}
    # gso-workplan-2024-2025.txt, objective 2a: "(more specifically actions 10 and 11 A-D)"
    assert "(more specifically actions 10 and 11 A-D)" in {r["quote"] for r in rows}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--param", "actoin=10"], "has no parameter 'actoin'; allowed: action (integer, e.g. 10)"),
        (["--param", "action=ten"], "parameter 'action': expected integer, got 'ten'"),
        (["--param", "action"], "write name=value"),
        ([], "needs --param action=10"),
    ],
)
def test_bad_or_missing_parameter_names_it_and_the_allowed_ones(env, args, says):
    done = run("query", NAMED, *args, env=env)
    assert done.returncode == 1 and says in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_construct_and_describe_in_the_default_table(env):
    done = run("query", "DESCRIBE <https://w3id.org/ccmgraph/id/lap-action/10>", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["subject", "predicate", "object"]
    assert any(
        line.split()[:2] == ["id:lap-action/10", "ccm:actionNumber"] and line.split()[2] == "10" for line in lines
    )
    construct = (
        "CONSTRUCT { ?a <http://example.org/n> ?n } WHERE { ?a <https://w3id.org/ccmgraph/ontology#actionNumber> ?n }"
    )
    table = run("query", construct, env=env)
    assert table.returncode == 0 and table.stdout.splitlines()[-1] == "(50 rows)"
    turtle = run("query", construct, "-f", "turtle", env=env)
    assert "<http://example.org/n> 10" in turtle.stdout
    assert len(json.loads(run("query", construct, "-f", "json", env=env).stdout)) == 50


def test_ask_json_is_the_sparql_results_document(env):
    done = run("query", "ASK { ?a <https://w3id.org/ccmgraph/ontology#actionNumber> 10 }", "-f", "json", env=env)
    assert json.loads(done.stdout) == {"head": {}, "boolean": True}
    no = run("query", "ASK { ?a <https://w3id.org/ccmgraph/ontology#actionNumber> 51 }", env=env)
    assert no.stdout.strip() == "no"


def test_turtle_for_a_select_is_a_usage_error(env):
    done = run("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "-f", "turtle", env=env)
    assert done.returncode == 1 and "--format turtle is for CONSTRUCT and DESCRIBE" in done.stderr


def test_service_is_refused_and_nothing_is_fetched(env):
    """A listening socket on 127.0.0.1 records any connection the CLI would make."""
    calls: list[bytes] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                calls.append(conn.recv(1024))
                conn.close()

        thread = threading.Thread(target=accept)
        thread.start()
        done = run("query", f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}", env=env)
        stop.set()
        thread.join()
    assert done.returncode == 1 and "SERVICE is not allowed" in done.stderr
    assert calls == []
