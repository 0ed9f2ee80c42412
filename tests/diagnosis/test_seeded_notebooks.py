"""Every seeded-bug notebook gets its own diagnosis, and every correct style gets none.

Notebooks are in Colab's form (``notebooks.py``) and graded through the grading path
(``grade_notebook``) with the tasks they hold: 1.2, 1.4, 3.2 and 3.6.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.grading import grade_notebook
from grader.results import Report
from tests.support import seeded as notebooks
from tests.support import styles

TASKS = ("1.2", "1.4", "3.2", "3.6")


@pytest.fixture(scope="module")
def assignment():
    full = load_assignment("a2")
    rubric = replace(full.rubric, tasks=tuple(t for t in full.rubric.tasks if t.id in TASKS))
    return replace(full, rubric=rubric)


def grade(case: styles.Case, folder: Path, assignment) -> Report:
    path = notebooks.write(
        folder / f"A2_DOE_{case.name.replace('-', '')}.ipynb", case.code, case.answer_3_6
    )
    return grade_notebook(path, assignment, seed=0)


def diagnosis_codes(report: Report) -> set[str]:
    return {d.code for t in report.tasks for c in t.checks for d in c.diagnoses}


@pytest.mark.parametrize("case", styles.BUGS, ids=lambda c: c.name)
def test_a_seeded_bug_gets_its_own_diagnosis(case, tmp_path, assignment):
    report = grade(case, tmp_path, assignment)
    assert diagnosis_codes(report) == set(case.diagnoses)
    diagnosed = [c for t in report.tasks for c in t.checks if c.diagnoses]
    assert all(c.status != "passed" for c in diagnosed)  # only a failure is explained


@pytest.mark.parametrize("case", styles.CORRECT, ids=lambda c: c.name)
def test_a_correct_style_gets_no_diagnosis(case, tmp_path, assignment):
    report = grade(case, tmp_path, assignment)
    # the notebook was never run, so only the saved-output evidence may fail
    failed = [
        c.name for t in report.tasks for c in t.checks if c.status not in ("passed", "manual")
    ]
    assert [name for name in failed if not name.startswith("evidence.")] == []
    assert diagnosis_codes(report) == set()


def with_credit(assignment, rules: dict[str, tuple[str, float]]):
    """The assignment with a credit rule on some checks: check -> (diagnosis code, points)."""
    tasks = tuple(
        replace(
            t,
            checks=tuple(
                replace(c, credit=(rules[c.name],)) if c.name in rules else c for c in t.checks
            ),
        )
        for t in assignment.rubric.tasks
    )
    return replace(assignment, rubric=replace(assignment.rubric, tasks=tasks))


def test_credit_by_rule_for_a_diagnosed_network_and_a_consistent_answer(tmp_path, assignment):
    rules = {
        "convnet.same_function": ("convnet.fc_no_bias", 4.0),
        "answer_3_6.total": ("answer_3_6.own_network", 2.0),
    }
    (case,) = [c for c in styles.BUGS if c.name == "own-network-total"]
    plain = grade(case, tmp_path, assignment)
    credited = grade(case, tmp_path, with_credit(assignment, rules))
    scores = {c.name: (c.status, c.score) for t in credited.tasks for c in t.checks}
    assert scores["convnet.same_function"] == ("partial", 4.0)
    assert scores["answer_3_6.total"] == ("partial", 2.0)
    assert credited.score == plain.score + 6.0


def test_an_answer_with_the_own_networks_layers_is_diagnosed_on_both_3_6_checks(
    tmp_path, assignment
):
    (case,) = [c for c in styles.BUGS if c.name == "own-network-per-layer"]
    report = grade(case, tmp_path, assignment)
    (task,) = [t for t in report.tasks if t.id == "3.6"]
    said = {c.name: [d.message for d in c.diagnoses] for c in task.checks}
    assert said == {
        "answer_3_6.total": [
            "the answer counts your own ConvNet (4,018,186 parameters in all), which differs from the handout's network"
        ],
        "answer_3_6.per_layer": [
            "the answer counts your own ConvNet (per layer 1,216, 51,328, 3,964,992, 650), which differs from the handout's network"
        ],
    }
