"""Plain-text pieces every format shares, so a counterexample reads the same everywhere."""

from __future__ import annotations

from grader.model.results import READ_KINDS, Counterexample, Diagnosis, Report, Status, TaskResult
from grader.notebook.problems import UNREAD, Problem

#: The check that holds a task's hand-marked points (``scoring.WRITTEN_CHECK``; not imported
#: from there, so that renderers do not pull in the check machinery).
WRITTEN_CHECK = "written answer"

#: What a student reads for each status.
STATUS_LABELS = {
    Status.PASSED: "passed",
    Status.PARTIAL: "partial credit",
    Status.FAILED: "failed",
    Status.ERROR: "error",
    Status.TIMEOUT: "timed out",
    Status.MISSING: "missing",
    Status.MANUAL: "to be marked by hand",
    Status.HIDDEN: "checked when graded",
}

#: Said of a task that has no check to show (its code or output was never reached).
TASK_NOTES = {
    Status.MISSING: "Not found in the notebook.",
    Status.TIMEOUT: "Stopped: it ran past the time limit.",
    Status.ERROR: "It failed before any check could run.",
    Status.FAILED: "Not passed.",
    Status.PARTIAL: "Partly passed.",
    Status.PASSED: "Passed.",
    Status.HIDDEN: "Its checks are hidden: they run when the instructor grades, not in the self-check.",
}

def points(x: float) -> str:
    """Scores as people write them: ``2``, ``1.5``, ``0.3333``."""
    return f"{x:.4f}".rstrip("0").rstrip(".")


def pending_points(report: Report) -> float:
    """Points reserved for a person that nobody has marked yet."""
    return sum(c.max_score for t in report.tasks for c in t.checks if c.status == Status.MANUAL)


def unread_problems(report: Report) -> list[Problem]:
    """The problems that kept the grader from reading the notebook at all (``problems.UNREAD``).

    While a report has one, it has no grade, whatever was marked: a person must look at the
    submission itself, and no total, marking row or Moodle grade is made. A notebook read in
    part (a cell that does not parse) is graded on what was read, as one broken thing costs
    one task.
    """
    return [p for p in report.problems if p.code in UNREAD]


def score_line(report: Report) -> str:
    """The total as it stands: ``34 / 34 automatic · 32 to be marked by hand`` while points
    await a person, ``71.5 / 100`` once none do, ``no grade`` when the work could not be read."""
    if unread_problems(report):
        return "no grade: the grader could not read the notebook (see the problems)"
    pending = pending_points(report)
    if not pending:
        return f"{points(report.score)} / {points(report.max_score)}"
    marked = any(c.status != Status.MANUAL and c.name == WRITTEN_CHECK for t in report.tasks for c in t.checks)
    so_far = "so far" if marked else "automatic"
    return (
        f"{points(report.score)} / {points(report.max_score - pending)} {so_far}"
        f" · {points(pending)} to be marked by hand"
    )


def task_score(task: TaskResult) -> str:
    """A task's score, its unmarked written part apart: ``2 / 2 · 4 to mark``, ``6 to mark``;
    ``—`` for a task with no check here (hidden checks only)."""
    if task.status == Status.HIDDEN:
        return "—"
    pending = sum(c.max_score for c in task.checks if c.status == Status.MANUAL)
    if not pending:
        return f"{points(task.score)} / {points(task.max_score)}"
    if pending == task.max_score:
        return f"{points(pending)} to mark"
    return f"{points(task.score)} / {points(task.max_score - pending)} · {points(pending)} to mark"


def status_label(status: Status) -> str:
    return STATUS_LABELS.get(status, status)


def task_note(status: Status) -> str:
    return TASK_NOTES.get(status, status_label(status))


def reads_text(task: TaskResult) -> bool:
    """The task's checks read its text and outputs, which its ``answer`` holds to be shown."""
    return task.kind in READ_KINDS


def has_written_part(task: TaskResult) -> bool:
    """The task asks for a written answer, which a person marks (marked yet or not)."""
    return task.status == Status.MANUAL or any(c.name == WRITTEN_CHECK for c in task.checks)


def marker_comment(task: TaskResult) -> str:
    """What the person who marked the written answer said (rubric items, a comment); '' before."""
    return "\n".join(
        c.message for c in task.checks if c.name == WRITTEN_CHECK and c.status != Status.MANUAL and c.message
    )


def answer_text(task: TaskResult) -> str:
    """The task's ``answer``, or what it means that there is none."""
    if task.answer is None:
        return "(no heading for this task found)"
    return task.answer or "(nothing written under the heading)"


def student_name(report: Report) -> str:
    """``First Last`` when the file name told us who it is, else the file name."""
    s = report.student or {}
    name = " ".join(p for p in (s.get("first_name", ""), s.get("last_name", "")) if p)
    return name or report.submission


def counterexample_text(ce: Counterexample) -> str:
    """Input, expected, got: one line each, or an indented block when a value spans lines."""
    parts = []
    for label, value in (("input", ce.input), ("expected", ce.expected), ("got", ce.got)):
        if "\n" in value:
            indented = "\n".join("  " + line for line in value.splitlines())
            parts.append(f"{label}:\n{indented}")
        else:
            parts.append(f"{label + ':':<10}{value}")
    return "\n".join(parts)


def diagnosis_text(diagnosis: Diagnosis) -> str:
    """A known mistake the failure matches, as the student reads it."""
    return f"likely cause: {diagnosis.message}"


def problem_text(problem: Problem) -> str:
    """The problem's sentence, with where it is when we know."""
    where = []
    if problem.cell is not None:
        where.append(f"cell {problem.cell}")
    if problem.line is not None:
        where.append(f"line {problem.line}")
    return f"{problem.message} ({', '.join(where)})" if where else problem.message


def figures_of(task: TaskResult, report: Report) -> list[str]:
    """The files of the task's saved figures written beside the report (the instructor's only:
    a report not written beside its notebook lists none)."""
    written = set(report.meta.get("figures_written") or ())
    return [p["file"] for p in (report.meta.get("figures") or {}).get(task.id, ()) if p.get("file") in written]
