"""The student self-check in a terminal: problems first, a table of tasks, then each failure.

Student text goes in as ``rich.text.Text``, never as markup, so brackets in an answer or an
output are printed as they are, and without control characters, so escapes cannot act.
"""

from __future__ import annotations

from rich.console import Console, JustifyMethod
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.common.bounds import printable
from grader.model.results import Counterexample, Diagnosis, Report, Status
from grader.reports.text import (
    counterexample_text,
    diagnosis_text,
    points,
    problem_text,
    score_line,
    status_label,
    student_name,
    task_note,
    task_score,
)
from grader.reports.visibility import student_view

STYLES = {Status.PASSED: "green", Status.PARTIAL: "yellow", Status.MANUAL: "cyan"}


def render_terminal(report: Report, console: Console, *, include_hidden: bool = False) -> None:
    """Print the report; hidden checks are reduced to a count unless ``include_hidden``."""
    if not include_hidden:
        report = student_view(report)
    console.print(_text(f"{student_name(report)} — {report.submission}", "bold"))
    if report.problems:
        lines = [_text(f"{p.code}: {problem_text(p)}") for p in report.problems]
        console.print(
            Panel(
                Text("\n").join(lines),
                title="Problems with the submission",
                title_align="left",
                border_style="red",
            )
        )
    console.print(_table(report))
    for task in report.tasks:
        if task.status in (Status.MANUAL, Status.HIDDEN):
            continue
        if not task.checks and task.status != Status.PASSED:
            title = f"{task.id} {task.title}"
            console.print(_failure(title, task.status, task_note(task.status), None))
        for check in task.checks:
            if check.status not in (Status.PASSED, Status.MANUAL):
                title = f"{task.id} {task.title}: {check.name}"
                score = f"{points(check.score)} / {points(check.max_score)} points"
                console.print(_failure(title, check.status, check.message, check.counterexample, check.diagnoses, score))
    manual = [t for t in report.tasks if t.status == Status.MANUAL]
    if manual:
        console.print(_text("To be marked by hand: " + ", ".join(f"{t.id} {t.title}" for t in manual), "cyan"))
        for task in manual:
            words = len((task.answer or "").split())
            if words:
                found = f"answer found under its heading ({words} words)"
            elif task.answer is None:
                found = "no answer found: this task's heading is not in the notebook"
            else:
                found = "no answer found: nothing written under its heading"
            console.print(_text(f"  {task.id}: {found}", "cyan" if words else "red"))


def _table(report: Report) -> Table:
    table = Table(
        title=f"Score {score_line(report)}", title_justify="left"
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Task", "left"),
        ("Title", "left"),
        ("Score", "right"),
        ("Status", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for task in report.tasks:
        table.add_row(
            _text(task.id),
            _text(task.title),
            task_score(task),
            _text(status_label(task.status), _style(task.status)),
        )
    return table


def _failure(
    title: str,
    status: Status,
    message: str,
    counterexample: Counterexample | None,
    diagnoses: tuple[Diagnosis, ...] = (),
    score: str = "",
) -> Panel:
    body = status_label(status) + (f", {score}" if score else "") + (f": {message}" if message else "")
    body += "".join("\n" + diagnosis_text(d) for d in diagnoses)
    if counterexample:
        body += "\n" + counterexample_text(counterexample)
    return Panel(_text(body), title=_text(title), title_align="left", border_style=_style(status))


def _text(value: str, style: str = "") -> Text:
    return Text(printable(value), style=style)


def _style(status: Status) -> str:
    return STYLES.get(status, "red")
