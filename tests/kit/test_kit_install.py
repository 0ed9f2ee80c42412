"""The kit installed for real, in an environment without the project, run from outside the repository.

Slow (a kit build, a venv, three ``grader check`` runs): marked ``slow``, still in the
default run.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.kitenv import KitEnv

pytestmark = pytest.mark.slow


def test_the_kit_environment_cannot_see_the_project(kit_env: KitEnv, outside: Path) -> None:
    done = kit_env.run(kit_env.python, "-c", "import reference", cwd=outside)
    assert done.returncode != 0 and "No module named 'reference'" in done.stderr
    done = kit_env.run(kit_env.python, "-c", "import grader; print(grader.__file__)", cwd=outside)
    assert done.returncode == 0 and Path(done.stdout.strip()).is_relative_to(kit_env.root)
    for module in (
        "grader.frontends.batch",
        "grader.similarity",
        "grader.kit",
        "grader.assignments.a2.hidden",
    ):
        done = kit_env.run(kit_env.python, "-c", f"import {module}", cwd=outside)
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, module


def test_the_grader_command_checks_and_does_nothing_else(kit_env: KitEnv, outside: Path) -> None:
    done = kit_env.run("grader", "--help", cwd=outside)
    assert done.returncode == 0 and "{check}" in done.stdout
    done = kit_env.run("grader", "grade", "x.ipynb", cwd=outside)
    assert done.returncode == 2 and "invalid choice: 'grade'" in done.stderr


def test_a_correct_notebook_passes(
    kit_env: KitEnv, reference_notebook: Path, outside: Path
) -> None:
    done = kit_env.run("grader", "check", reference_notebook.name, "--out", "report", cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Public checks: ready to hand in." in done.stdout
    for name in ("report.md", "report.html", "junit.xml", "results.json", "report.json"):
        assert (outside / "report" / name).is_file(), name
    assert "<failure" not in (outside / "report" / "junit.xml").read_text()


def test_a_wrong_gradient_fails_with_its_counterexample(
    kit_env: KitEnv, buggy_notebook: Path, outside: Path
) -> None:
    done = kit_env.run("grader", "check", buggy_notebook.name, cwd=outside)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "gradient_nn.known_values" in out and "grad_s_Wi is wrong" in out
    assert all(
        f"{k}:" in out for k in ("input", "expected", "got")
    )  # the counterexample, in three parts
    assert "Public checks: not ready yet" in out


def test_the_json_report_is_the_student_view(
    kit_env: KitEnv, buggy_notebook: Path, outside: Path
) -> None:
    done = kit_env.run("grader", "check", buggy_notebook.name, "--json", cwd=outside)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    checks = {c["name"]: c for t in report["tasks"] for c in t["checks"]}
    assert checks["gradient_nn.known_values"]["status"] == "failed"
    assert checks["gradient_nn.shapes"]["status"] == "passed"
    assert all(c["visibility"] == "public" for c in checks.values())
    assert all(not t.get("expected_answer") for t in report["tasks"])


#: A stand-in for Colab's front end: ``get_ipynb`` answers with the notebook named in $NOTEBOOK.
FAKE_COLAB = '''
import json, os


def blocking_request(request_type, request="", timeout_sec=5, parent=None):
    if request_type != "get_ipynb":
        return None
    with open(os.environ["NOTEBOOK"], encoding="utf-8") as f:
        notebook = json.load(f)
    notebook.setdefault("metadata", {})["colab"] = {"name": os.path.basename(os.environ["NOTEBOOK"])}
    return {"ipynb": notebook}
'''
CELL = """
import sys
sys.path.insert(0, sys.argv[1])  # the stand-in for google.colab
from grader.selfcheck import check_this_notebook
sys.exit(0 if check_this_notebook() else 1)
"""


@pytest.mark.parametrize("which", ["reference", "buggy"])
def test_the_installed_kit_checks_a_colab_notebook_from_a_cell(
    kit_env: KitEnv, reference_notebook: Path, buggy_notebook: Path, outside: Path, tmp_path: Path, which: str
) -> None:
    colab = tmp_path / "fake" / "google" / "colab"  # google/ stays a namespace package
    colab.mkdir(parents=True)
    (colab / "__init__.py").write_text("")
    (colab / "_message.py").write_text(FAKE_COLAB)
    notebook = reference_notebook if which == "reference" else buggy_notebook
    done = subprocess.run(
        [str(kit_env.python), "-c", CELL, str(tmp_path / "fake")],
        cwd=outside,
        env={**kit_env.environ(), "NOTEBOOK": str(notebook)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = " ".join(done.stdout.split())
    if which == "reference":
        assert done.returncode == 0, done.stdout + done.stderr
        assert "automatic · 32 to be marked by hand" in out and "ready to hand in" in out
    else:
        assert done.returncode == 1, done.stdout + done.stderr
        assert "grad_s_Wi is wrong" in out and "input:" in out and "not ready yet" in out
