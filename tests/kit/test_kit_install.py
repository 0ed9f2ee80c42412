"""The kit installed for real, in an environment without the project, run from outside the repository.

Slow (a kit build, a venv, three ``grader check`` runs): marked ``slow``, still in the
default run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kitenv import KitEnv

pytestmark = pytest.mark.slow


def test_the_kit_environment_cannot_see_the_project(kit_env: KitEnv, outside: Path) -> None:
    done = kit_env.run(kit_env.python, "-c", "import reference", cwd=outside)
    assert done.returncode != 0 and "No module named 'reference'" in done.stderr
    done = kit_env.run(kit_env.python, "-c", "import grader; print(grader.__file__)", cwd=outside)
    assert done.returncode == 0 and Path(done.stdout.strip()).is_relative_to(kit_env.root)
    for module in (
        "grader.batch",
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
