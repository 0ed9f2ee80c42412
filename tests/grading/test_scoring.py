"""Rubric validation and scoring: points per passing check, task statuses, manual marks."""

from pathlib import Path

import pytest

from grader.checks import CheckOutcome, CheckSet
from grader.grading.scoring import ManualMark, score_tasks
from grader.model.rubric import RubricError, load_rubric

RUBRIC = """
[assignment]
id = "T"
total = 10

[tasks."1.1"]
title = "code"
checks."a.one" = { points = 3, visibility = "public" }
checks."a.two" = { points = 2, visibility = "hidden" }

[tasks."1.2"]
title = "written"
kind = "written"
manual_points = 4
expected_answer = "the answer"

[tasks."1.3"]
title = "mixed"
checks."b.one" = { points = 1, visibility = "public" }
"""


@pytest.fixture
def rubric(tmp_path: Path):
    path = tmp_path / "rubric.toml"
    path.write_text(RUBRIC)
    return load_rubric(path)


def checkset(**uses_reference: bool) -> CheckSet:
    checks = CheckSet()
    for name, uses in uses_reference.items():
        task = "1.3" if name.startswith("b") else "1.1"
        checks.check(task, name.replace("_", "."), uses_reference=uses)(lambda ctx: None)
    return checks


def test_totals_and_public_view(rubric):
    assert rubric.max_score == 10
    public = rubric.public_only()
    assert public.check_names() == ["a.one", "b.one"]
    assert public.max_score == 8  # the written task keeps its manual points


def test_total_must_match(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(RUBRIC.replace("total = 10", "total = 11"))
    with pytest.raises(RubricError, match="add up to 10"):
        load_rubric(path)


def test_rubric_names_unknown_check(rubric):
    with pytest.raises(RubricError, match="no check named 'a.two'"):
        checkset(a_one=False, b_one=False).validate(rubric)


def test_public_check_may_not_use_reference(rubric):
    with pytest.raises(RubricError, match="cannot be public"):
        checkset(a_one=True, a_two=True, b_one=False).validate(rubric)


def test_unscored_check_is_an_error_when_complete(rubric):
    checks = checkset(a_one=False, a_two=True, b_one=False)
    checks.check("1.1", "a.three")(lambda ctx: None)
    checks.validate(rubric)
    with pytest.raises(RubricError, match="missing from the rubric"):
        checks.validate(rubric, complete=True)


@pytest.mark.parametrize(
    ("one", "two", "status", "score"),
    [
        ("passed", "passed", "passed", 5),
        ("passed", "failed", "partial", 3),
        ("failed", "failed", "failed", 0),
        ("missing", "missing", "missing", 0),
        ("timeout", "failed", "timeout", 0),
        ("error", "failed", "error", 0),
    ],
)
def test_task_status_and_partial_credit(rubric, one, two, status, score):
    tasks = score_tasks(rubric, {"a.one": CheckOutcome(one), "a.two": CheckOutcome(two)})
    task = tasks[0]
    assert (task.status, task.score, task.max_score) == (status, score, 5)


def test_written_task_is_manual_until_marked(rubric):
    tasks = score_tasks(rubric, {}, answers={"1.2": "my text"})
    written = tasks[1]
    assert (written.status, written.score, written.max_score) == ("manual", 0, 4)
    assert written.answer == "my text" and written.expected_answer == "the answer"
    marked = score_tasks(rubric, {}, manual={"1.2": ManualMark(3, "good")})[1]
    assert (marked.status, marked.score) == ("partial", 3)
    assert marked.checks[-1].message == "good"
    capped = score_tasks(rubric, {}, manual={"1.2": ManualMark(9)})[1]
    assert capped.score == 4 and capped.status == "passed"


def test_a_check_that_did_not_run_scores_nothing(rubric):
    task = score_tasks(rubric, {"a.one": CheckOutcome("passed")})[0]
    assert task.score == 3
    assert task.checks[1].status == "error"


GATED = RUBRIC.replace(
    'checks."a.one" = { points = 3, visibility = "public" }',
    'checks."a.gate" = { points = 0, visibility = "public", gate = true }\n'
    'checks."a.one" = { points = 3, visibility = "public" }',
)


@pytest.mark.parametrize(
    ("gate", "score"),
    [("passed", 5), ("failed", 0), ("error", 5), ("timeout", 5), ("missing", 5)],
)
def test_a_failed_gate_closes_its_task_and_only_a_failure_does(tmp_path, gate, score):
    path = tmp_path / "r.toml"
    path.write_text(GATED)
    outcomes = {"a.gate": CheckOutcome(gate, "a difference quotient"), "a.one": CheckOutcome("passed"), "a.two": CheckOutcome("passed")}
    tasks = score_tasks(load_rubric(path), {**outcomes, "b.one": CheckOutcome("passed")})
    assert tasks[0].score == score
    assert tasks[2].score == 1  # another task's checks are not its to close
    if gate == "failed":
        assert [c.status for c in tasks[0].checks] == ["failed", "failed", "failed"]
        assert all("not counted: `a.gate` failed" in c.message for c in tasks[0].checks[1:])


def test_a_gate_is_true_or_false(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(GATED.replace("gate = true", 'gate = "yes"'))
    with pytest.raises(RubricError, match="gate must be true or false"):
        load_rubric(path)
