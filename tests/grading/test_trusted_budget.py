"""Checks that run no student code are bounded: clipped inputs and a wall-clock budget.

They run in the grader's own process, outside every budget of the student runtime: a slow
one must cost its own check (``timeout``, a person looks), never the worker or the batch.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.assignments.a2 import evidence
from grader.checks.context import Context
from grader.checks.registry import CheckSpec
from grader.checks.runner import run_check
from grader.common import bounds
from grader.frontends.batch.result import needs_a_person
from grader.grading.pipeline import grade_notebook
from grader.model.results import Status
from grader.notebook.model import Cell, Output, Submission
from grader.notebook.sections import find_sections
from tests.support import realform

QUADRATIC = re.compile(r"^\s*SUCCESS", re.MULTILINE)  # evidence.SUCCESS_LINE before it was made linear


def _context() -> Context:
    return Context(Submission(Path("A2_DOE_Jane.ipynb"), None, (Cell(1, "code", "x = 1"),)), None)


def _spec(func, *, runtime: bool = False) -> CheckSpec:
    return CheckSpec(name="trusted.slow", task="1.4", func=func, uses_reference=False, runtime=runtime)


def test_a_trusted_check_past_its_budget_is_stopped_as_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """200,000 newlines under the old pattern take minutes; the timer stops the regex itself."""
    monkeypatch.setattr(bounds, "TRUSTED_CHECK_SECONDS", 0.3)
    outcome = run_check(_spec(lambda ctx: QUADRATIC.search("\n" * 200_000)), _context())
    assert outcome.status == Status.TIMEOUT
    assert "no code of the notebook runs" in outcome.message and "0.3 s budget" in outcome.message
    outcome = run_check(_spec(lambda ctx: None), _context())  # the timer is gone: the next check runs
    assert outcome.status == Status.PASSED
    time.sleep(0.4)  # no timer left behind to fire later


def test_without_a_timer_the_overrun_is_said_when_the_check_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the main thread (a Dask worker) no timer can be set: the check ends, then is a timeout."""
    monkeypatch.setattr(bounds, "TRUSTED_CHECK_SECONDS", 0.1)
    found = []
    worker = threading.Thread(target=lambda: found.append(run_check(_spec(lambda ctx: time.sleep(0.3)), _context())))
    worker.start()
    worker.join()
    assert found[0].status == Status.TIMEOUT


def test_a_check_of_student_code_keeps_the_runtime_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget is for the grader's own reading; student calls have the runtime's timeouts."""
    monkeypatch.setattr(bounds, "TRUSTED_CHECK_SECONDS", 0.1)
    outcome = run_check(_spec(lambda ctx: time.sleep(0.3), runtime=True), _context())
    assert outcome.status == Status.ERROR and "runtime did not run" in outcome.message  # no runtime here


def test_a_notebook_of_newlines_costs_its_check_and_needs_a_person(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """End to end: were a quadratic pattern back, the 1.4 evidence times out, and the
    submission needs a person; its other checks are graded."""
    monkeypatch.setattr(evidence, "SUCCESS_LINE", QUADRATIC)
    monkeypatch.setattr(bounds, "TRUSTED_CHECK_SECONDS", 0.5)
    a2 = load_assignment("a2")
    keep = ("evidence.gradcheck_success", "evidence.runs_table")
    tasks = [replace(t, checks=tuple(c for c in t.checks if c.name in keep)) for t in a2.rubric.tasks]
    a2 = replace(a2, rubric=replace(a2.rubric, tasks=tuple(t for t in tasks if t.checks)))
    path = realform.write_part1(tmp_path / "A2_NEWLINES_Jane.ipynb", gradcheck_output=[realform.stream("\n" * 200_000)])
    report = grade_notebook(path, a2)
    statuses = {c.name: c.status for t in report.tasks for c in t.checks}
    assert statuses["evidence.gradcheck_success"] == Status.TIMEOUT
    assert statuses["evidence.runs_table"] == Status.PASSED
    assert needs_a_person(report)


def test_a_section_exposes_clipped_text_keeping_both_ends() -> None:
    """A 3.4 log past the limit keeps its first and last evaluations; the middle is said to be cut."""
    line = "Train Epoch: 1 [0/50000 (0%)]\tLoss: 2.302585\n"
    log = "Test set: Average loss: 2.3, Accuracy: 1000/10000 (10%)\n"
    log += line * (2 * bounds.MAX_CHECKED_TEXT // len(line))
    log += "Test set: Average loss: 1.1, Accuracy: 6000/10000 (60%)\n"
    cells = (Cell(1, "markdown", "### :: TASK 3.4 ::"), Cell(2, "code", "train()", 1, (Output("stream", log),)))
    part = find_sections(Submission(Path("A2_DOE_Jane.ipynb"), None, cells), ("3.4",))["3.4"]
    text = part.outputs_text
    assert len(text) <= bounds.MAX_CHECKED_TEXT + 100
    assert text.startswith("Test set") and text.rstrip().endswith("(60%)")
    assert "characters not read" in text
