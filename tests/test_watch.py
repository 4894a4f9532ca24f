"""build --watch rebuilds on save; the CLI imports the build only when it builds."""

import os
import queue
import subprocess
import sys
import threading
import time

from _project import copy_project


def test_watch_rebuilds_after_a_save(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project", monkeypatch)
    env = {**os.environ, "CCMGRAPH_ROOT": str(root), "CCMGRAPH_DIST": str(root / "dist")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccmgraph.cli", "build", "--quiet", "--watch", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for(text: str, seconds: float = 120) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(f"no {text!r} within {seconds} s")

    try:
        wait_for("wrote")
        plan = root / "data" / "workplans" / "gso-workplan-2024-2025.ttl"
        plan.write_text(
            plan.read_text().replace(
                '"General Status and Operation work plan 2024-2025"@en', '"GSO work plan 2024-2025 (edited)"@en'
            )
        )
        wait_for("changed: gso-workplan-2024-2025.ttl")
        wait_for("wrote")
        assert "GSO work plan 2024-2025 (edited)" in (root / "dist" / "ccmgraph.nq").read_text()
        # "Coordinators: Germany and Austria": an organisation as coordinator is refused by the
        # incremental rebuild as by the full build, naming the file and line, and dist/ keeps the last good build
        text = plan.read_text()
        plan.write_text(
            text.replace("ccm:coordinator state:DEU , state:AUT ;", "ccm:coordinator orgid:icrc , state:AUT ;")
        )
        line = 1 + text[: text.index("ccm:coordinator state:DEU")].count("\n")
        assert f"gso-workplan-2024-2025.ttl:{line}" in wait_for("gso-workplan-2024-2025.ttl:")
        wait_for("A coordinator is a ccm:State.")
        published = (root / "dist" / "ccmgraph.nq").read_text()
        assert (
            "<https://w3id.org/ccmgraph/ontology#coordinator> <https://w3id.org/ccmgraph/id/org/icrc>" not in published
        )
        plan.write_text(text)
        plan.write_text(plan.read_text() + "\nthis is not turtle .\n")
        wait_for("Turtle syntax error")  # reported, and the watch goes on
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_help_and_query_do_not_import_the_build():
    # the build's libraries (SHACL, OWL-RL, pyLODE: seconds); rdflib itself is the vocabulary of
    # ccmgraph.namespaces, which the query path's prefix predeclaration reads
    code = (
        "import sys, ccmgraph.cli; "
        "print(sorted(m for m in ('pyshacl', 'owlrl', 'pylode', 'ccmgraph.pipeline') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
