"""``results.json`` in Gradescope's autograder format (gradescope-autograders.readthedocs.io/specs).

One Gradescope test per check, named ``<task id> <title>: <check>``, so partial credit shows
where it was lost; a task without checks (missing, crashed, written) is one test on its own.

Visibility: a ``public`` check is ``visible``. A ``hidden`` check is ``after_published`` by
default: it is hidden so that students cannot tune their work to it before the deadline, not
to keep its verdict from them once grades are out. Pass ``hidden_visibility="hidden"`` to
never show it (Gradescope's ``hidden`` means instructors only, for good).

Written tasks and checks carry no ``status`` (Gradescope would otherwise call an ungraded answer failed);
their output says they are graded by hand. The top-level ``score`` is the report's total,
which Gradescope takes over the sum of the tests. The grader's own stdout is for instructors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.model.results import CheckResult, Report, Status, TaskResult
from grader.reports.jsonreport import dump_json
from grader.reports.text import (
    answer_text,
    counterexample_text,
    diagnosis_text,
    problem_text,
    status_label,
    task_note,
)

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def to_gradescope(report: Report, hidden_visibility: str = "after_published") -> dict[str, Any]:
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"unknown Gradescope visibility {hidden_visibility!r}")
    tests: list[dict[str, Any]] = []
    for task in report.tasks:
        if task.checks:
            for n, check in enumerate(task.checks, 1):
                tests.append(_check_test(task, check, n, hidden_visibility))
        else:
            tests.append(_task_test(task))
    result: dict[str, Any] = {
        "score": report.score,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    if report.problems:
        result["output"] = "Problems with the submission:\n" + "\n".join(
            f"- {problem_text(p)}" for p in report.problems
        )
        result["output_format"] = "text"
    return result


def write_gradescope(
    report: Report, path: Path, hidden_visibility: str = "after_published"
) -> None:
    dump_json(to_gradescope(report, hidden_visibility), path)


def _check_test(task: TaskResult, check: CheckResult, n: int, hidden: str) -> dict[str, Any]:
    lines = [
        f"{status_label(check.status)}: {check.message}"
        if check.message
        else status_label(check.status)
    ]
    lines += [diagnosis_text(d) for d in check.diagnoses]
    if check.counterexample:
        lines.append(counterexample_text(check.counterexample))
    test = {
        "name": f"{task.id} {task.title}: {check.name}",
        "number": f"{task.id}.{n}",
        "score": check.score,
        "max_score": check.max_score,
        "visibility": hidden if check.visibility == "hidden" else "visible",
        "output": "\n\n".join(lines),
        "output_format": "text",
    }
    if check.status != Status.MANUAL:
        test["status"] = "passed" if check.status == Status.PASSED else "failed"
    return test


def _task_test(task: TaskResult) -> dict[str, Any]:
    test: dict[str, Any] = {
        "name": f"{task.id} {task.title}",
        "number": task.id,
        "score": task.score,
        "max_score": task.max_score,
        "visibility": "visible",
        "output_format": "text",
    }
    if task.status == Status.MANUAL:
        test["output"] = "Written answer, graded by hand.\n\n" + answer_text(task)
    elif task.status == Status.HIDDEN:  # no status: not yet graded, so neither passed nor failed
        test["output"] = task_note(task.status)
    else:
        test["status"] = "passed" if task.status == Status.PASSED else "failed"
        test["output"] = status_label(task.status)
    return test
