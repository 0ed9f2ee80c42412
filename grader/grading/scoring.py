"""Rubric + check outcomes (+ manual marks) -> scored tasks.

Each check is worth its rubric points when it passes and nothing otherwise, so a task's
partial credit is the sum of its passing checks; a failed check whose diagnosis the rubric
credits (``credit`` in the rubric, off by default) earns those points and says so, and a check
that passes only with an exact helper loses what the rubric's ``deduct`` says (none by default). Points a person awards (written answers)
come from manual marks; until then they are reserved and the task says ``manual``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from grader.checks import CheckOutcome
from grader.model.results import CheckResult, Status, TaskResult
from grader.model.rubric import Rubric, TaskRubric

#: The name of the check that carries a task's hand-marked points.
WRITTEN_CHECK = "written answer"


@dataclass(frozen=True)
class ManualMark:
    """A person's mark for the written part of a task."""

    score: float
    comment: str = ""
    grader: str = ""


def score_tasks(
    rubric: Rubric,
    outcomes: Mapping[str, CheckOutcome],
    *,
    answers: Mapping[str, str | None] | None = None,
    manual: Mapping[str, ManualMark] | None = None,
) -> tuple[TaskResult, ...]:
    """``answers``: each written task's answer; None when its heading was not found."""
    answers = answers or {}
    manual = manual or {}
    return tuple(_score_task(t, outcomes, answers.get(t.id, ""), manual.get(t.id)) for t in rubric.tasks)


def _score_task(
    task: TaskRubric, outcomes: Mapping[str, CheckOutcome], answer: str | None, mark: ManualMark | None
) -> TaskResult:
    checks = []
    closed = _failed_gate(task, outcomes)
    for entry in task.checks:
        outcome = outcomes.get(entry.name) or CheckOutcome(Status.ERROR, "this check did not run")
        status, earned, message = outcome.status, 0.0, outcome.message
        if closed is not None and entry.name != closed:
            if outcome.status == Status.PASSED:
                status = Status.FAILED
            message = _with_note(message, f"not counted: `{closed}` failed (see it)")
        elif outcome.status == Status.PASSED:
            earned = entry.points
            if deducted := _points_for(entry.deduct, outcome):
                taken, label = deducted
                earned, status = entry.points - taken, Status.PARTIAL
                message = _with_note(message, f"{taken:g} point(s) off: passes only with an exact helper ({label})")
        elif credited := _points_for(entry.credit, outcome):
            earned, label = credited
            status = Status.PARTIAL
            message = _with_note(message, f"partial credit for a known mistake ({label})")
        checks.append(
            CheckResult(
                name=entry.name,
                status=status,
                score=earned,
                max_score=entry.points,
                message=message,
                counterexample=outcome.counterexample,
                visibility=entry.visibility,
                diagnoses=outcome.diagnoses,
            )
        )
    if task.manual_points:
        checks.append(_manual_check(task, mark, answer))
    score = sum(c.score for c in checks)
    return TaskResult(
        id=task.id,
        title=task.title,
        kind=task.kind,
        status=task_status(checks, score),
        score=score,
        max_score=task.max_score,
        checks=tuple(checks),
        answer=answer,
        expected_answer=task.expected_answer,
    )


def _failed_gate(task: TaskRubric, outcomes: Mapping[str, CheckOutcome]) -> str | None:
    """The first of the task's gates that failed (see ``CheckPoints.gate``), if any. Only a
    failure closes the task: a gate that could not judge (an error, a timeout) leaves each
    check to its own verdict."""
    for entry in task.checks:
        outcome = outcomes.get(entry.name)
        if entry.gate and outcome is not None and outcome.status == Status.FAILED:
            return entry.name
    return None


def _points_for(rules: tuple[tuple[str, float], ...], outcome: CheckOutcome) -> tuple[float, str] | None:
    """The most points a rubric table (credit or deduct) gives for one of the outcome's
    diagnoses, and that diagnosis's label."""
    by_code = dict(rules)
    found = [(by_code[d.code], d.label) for d in outcome.diagnoses if d.code in by_code]
    return max(found) if found else None


def _with_note(message: str, note: str) -> str:
    return message if note in message else f"{message} — {note}" if message else note


def _manual_check(task: TaskRubric, mark: ManualMark | None, answer: str | None) -> CheckResult:
    if mark is None:
        if answer is None:
            said = f"no heading for task {task.id} found in the notebook, so its answer was not located; "
        elif not answer:
            said = "nothing written under the task's heading; "
        else:
            said = ""
        return CheckResult(
            WRITTEN_CHECK, Status.MANUAL, 0.0, task.manual_points, f"{said}awaiting a person's mark", visibility="public"
        )
    points = min(max(mark.score, 0.0), task.manual_points)
    status = Status.PASSED if points == task.manual_points else Status.PARTIAL if points > 0 else Status.FAILED
    return CheckResult(WRITTEN_CHECK, status, points, task.manual_points, mark.comment, visibility="public")


def task_status(checks: list[CheckResult], score: float) -> Status:
    """One word for a task: what a student should look at first."""
    if not checks:  # the self-check's copy of a task whose checks are all hidden
        return Status.HIDDEN
    statuses = [c.status for c in checks]
    automatic = [s for s in statuses if s != Status.MANUAL]
    if Status.MANUAL in statuses and all(s == Status.PASSED for s in automatic):
        return Status.MANUAL
    if all(s == Status.PASSED for s in automatic) and Status.MANUAL not in statuses:
        return Status.PASSED
    if score > 0:
        return Status.PARTIAL
    if automatic and all(s == Status.MISSING for s in automatic):
        return Status.MISSING
    for status in (Status.TIMEOUT, Status.ERROR):
        if status in automatic:
            return status
    return Status.FAILED
