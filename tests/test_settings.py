"""ccmgraph.settings: every setting declared once, read from $CCMGRAPH_*; the project found from the
working directory; the CLI's options take their defaults and help from the declarations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ccmgraph import errors, paths
from ccmgraph.execution.engine import SparqlSettings
from ccmgraph.settings import DEFAULTS, MiB, ProjectPaths, Settings, discover_root, help_of

SRC = Path(__file__).resolve().parents[1] / "src" / "ccmgraph"


def test_settings_come_from_the_environment_by_their_names():
    s = Settings.from_environment(
        {"CCMGRAPH_TIMEOUT": "2.5", "CCMGRAPH_MAX_ROWS": "7", "CCMGRAPH_ALLOW_UPDATE": "yes", "CCMGRAPH_ROOT": "/x"}
    )
    assert (s.timeout, s.max_rows, s.allow_update, s.root) == (2.5, 7, True, Path("/x"))
    assert s.paths.dist == Path("/x/dist") and s.paths.workplans == Path("/x/data/workplans")
    assert Settings.from_environment({"CCMGRAPH_TIMEOUT": "2.5"}, timeout=4.0).timeout == 4.0  # an option wins


@pytest.mark.parametrize(
    ("name", "value"),
    [("CCMGRAPH_MAX_ROWS", "many"), ("CCMGRAPH_ALLOW_UPDATE", "perhaps"), ("CCMGRAPH_STORE_AUTH", "x")],
)
def test_a_setting_that_cannot_be_used_is_a_setting_error(name, value):
    with pytest.raises(errors.SettingError, match=name.removeprefix("CCMGRAPH_") if "AUTH" not in name else "AUTH"):
        Settings.from_environment({name: value})


def test_the_settings_written_for_worker_processes_read_back_without_secrets():
    s = Settings(timeout=3.0, workers=2, store_token="secret", store_endpoint="http://127.0.0.1:1/sparql")
    env: dict[str, str] = {}
    s.to_environment(env)
    assert "CCMGRAPH_STORE_TOKEN" not in env and "CCMGRAPH_MAX_ROWS" not in env  # a default is not written
    back = Settings.from_environment(env)
    assert (back.timeout, back.workers, back.store_endpoint, back.store_token) == (3.0, 2, s.store_endpoint, None)


def test_the_engine_limits_are_the_settings_in_bytes():
    sparql = SparqlSettings.of(Settings(max_result_mb=2, max_request_kb=8, memory_mb=0, fast_table_mb=1))
    assert (sparql.max_result_bytes, sparql.max_request_bytes, sparql.memory_limit) == (2 * MiB, 8192, None)
    assert sparql.fast_table_bytes == MiB and SparqlSettings().timeout == DEFAULTS.timeout


def test_the_project_is_found_from_the_working_directory(tmp_path):
    (tmp_path / "data" / "workplans").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("# written for the tests\n")
    assert discover_root(tmp_path / "data" / "workplans") == tmp_path.resolve()
    assert discover_root(tmp_path.parent) != tmp_path.resolve()


def test_paths_follow_the_project_in_use(tmp_path):
    previous = paths.use(ProjectPaths.at(tmp_path))
    try:
        assert tmp_path / "data" / "workplans" == paths.WORKPLANS and tmp_path / "dist" == paths.DIST
    finally:
        paths.use(previous)


def test_one_module_reads_the_environment():
    readers = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if any(word in p.read_text(encoding="utf-8") for word in ("os.environ", "getenv("))
    ]
    assert readers == ["settings.py"]


def test_serve_options_take_their_defaults_and_help_from_the_settings():
    done = subprocess.run(
        [sys.executable, "-m", "ccmgraph.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for name in ("timeout", "max_rows", "memory_mb", "cache_mb"):
        assert " ".join(help_of(name).split()) in text, name
    assert f"[default: {DEFAULTS.max_rows}]" in text
