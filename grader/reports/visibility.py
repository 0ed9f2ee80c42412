"""What a student may see: hidden checks reduced to a count, instructor answers removed.

Hidden checks exist so that a submission cannot be tuned to them; their names, messages and
counterexamples would give them away. Their points still count, so they are folded into one
anonymous public line per task and every total stays the same in every format. Their
diagnoses go with them; a public check's diagnoses stay, since they name a mistake without
any reference value. Public, so that
the view is idempotent: the self-check may apply it before ``write_report`` applies it again.
"""

from __future__ import annotations

from dataclasses import replace

from grader.model.results import CheckResult, Report, Status, TaskResult

HIDDEN_NAME = "hidden checks"


#: What an instructor's report links beside it (its figures, the notebook's page): a student's
#: view is sent alone, so it links none of them.
BESIDE_THE_REPORT = ("figures", "figures_written", "notebook_view")


def student_view(report: Report) -> Report:
    """The report with hidden checks' details and the expected written answers removed, and
    nothing linked beside it."""
    meta = {k: v for k, v in report.meta.items() if k not in BESIDE_THE_REPORT}
    return replace(report, tasks=tuple(_task_view(t) for t in report.tasks), meta=meta)


def _task_view(task: TaskResult) -> TaskResult:
    public = tuple(c for c in task.checks if c.visibility != "hidden")
    hidden = [c for c in task.checks if c.visibility == "hidden"]
    if hidden:
        all_passed = all(c.status == Status.PASSED for c in hidden)
        public += (
            CheckResult(
                name=HIDDEN_NAME,
                status=Status.PASSED if all_passed else Status.FAILED,
                score=sum(c.score for c in hidden),
                max_score=sum(c.max_score for c in hidden),
                message=f"{len(hidden)} hidden check{'s' if len(hidden) > 1 else ''}; "
                "details are not shown.",
            ),
        )
    return replace(task, checks=public, expected_answer="")
