"""Fail closed: hidden checks are refused in a sandbox that lacks a layer, unless allowed, and
then every report says so. A missing layer is simulated with ``GRADER_SANDBOX_WITHOUT``."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from grader.assignment import load_assignment
from grader.cli import EXIT_USAGE, main
from grader.grading.pipeline import grade_notebook
from grader.notebook.problems import Problem
from grader.runtime import SandboxTooWeak
from grader.runtime.student import WITHOUT_ENV
from grader.selfcheck import ready


@pytest.fixture(scope="module")
def assignment():
    return load_assignment("a2")


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    """A Colab-style notebook (nbformat 4.0, no cell ids, counts never set)."""
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 0
    nb.cells = [
        nbformat.v4.new_markdown_cell("### :: TASK 1.2 ::"),
        nbformat.v4.new_code_cell("import numpy as np\ndef gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return 0"),
    ]
    for cell in nb.cells:
        cell.pop("id", None)
    path = tmp_path / "in" / "A2_DOE_Jane.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.mark.parametrize("layer", ["landlock", "pid-ns"])
def test_hidden_checks_are_refused_in_a_weaker_sandbox(monkeypatch, assignment, notebook, layer):
    monkeypatch.setenv(WITHOUT_ENV, layer)
    with pytest.raises(SandboxTooWeak) as refused:
        grade_notebook(notebook, assignment)
    message = str(refused.value)
    assert refused.value.missing == (layer,)
    assert f"lacks {layer}" in message and "--allow-weak-sandbox" in message
    assert ("lsm" if layer == "landlock" else "user namespaces") in message  # how to get it


def test_an_allowed_weak_sandbox_is_a_problem_in_the_report(monkeypatch, assignment, notebook):
    monkeypatch.setenv(WITHOUT_ENV, "landlock")
    report = grade_notebook(notebook, assignment, allow_weak_sandbox=True)
    weak = [p for p in report.problems if p.code == "weak-sandbox"]
    assert len(weak) == 1 and "landlock" in weak[0].message
    assert "landlock" not in report.meta["isolation"]


def test_the_self_check_runs_without_a_layer_and_says_so(monkeypatch, notebook):
    monkeypatch.setenv(WITHOUT_ENV, "landlock")
    report = grade_notebook(notebook, load_assignment("a2", with_reference=False))
    assert [p.code for p in report.problems if p.code == "weak-sandbox"] == ["weak-sandbox"]
    assert any(c.status != "missing" for t in report.tasks for c in t.checks)  # it graded
    assert not Problem("weak-sandbox", "").blocking  # not the student's to fix: still "ready"


def test_a_full_sandbox_adds_no_problem(assignment, notebook):
    report = grade_notebook(notebook, assignment)
    assert not [p for p in report.problems if p.code == "weak-sandbox"]
    assert ready(report) is False  # the checks fail; the sandbox is not what says so


def test_grader_grade_refuses_then_grades_when_allowed(monkeypatch, notebook, capsys):
    monkeypatch.setenv(WITHOUT_ENV, "landlock")
    out = notebook.parent.parent / "reports"
    args = ["grade", str(notebook.parent), "--out", str(out), "--jobs", "1"]
    assert main(args) == EXIT_USAGE
    assert "grading refused" in capsys.readouterr().err
    assert not (out / "A2_DOE_Jane").exists()
    assert main([*args, "--allow-weak-sandbox"]) != EXIT_USAGE  # graded (its verdict aside)
    report = json.loads((out / "A2_DOE_Jane" / "report.json").read_text(encoding="utf-8"))
    assert "weak-sandbox" in [p["code"] for p in report["problems"]]
    assert "weak-sandbox" in (out / "A2_DOE_Jane" / "report.md").read_text(encoding="utf-8")
