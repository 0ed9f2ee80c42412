"""``grader check``: the student's self-check, through the same grading path as the instructor's.

It grades with the public checks only and no reference solution (the student kit has
neither hidden checks nor the reference), prints what is wrong and on which input, and exits
0 only when the submission is ready: every public check passes and nothing about how it
was handed in needs fixing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console

from grader.assignment import load_assignment
from grader.grading import grade_notebook
from grader.reports import write_report
from grader.reports.terminal import render_terminal
from grader.reports.visibility import student_view
from grader.results import Report
from grader.runtime import prestart

#: Problems that come from grading itself, not from how the notebook was handed in.
NOT_THE_STUDENTS = ("statement-", "runtime-failed")


def ready(report: Report) -> bool:
    """Every automatic public check passed and the notebook was handed in as asked."""
    checks_pass = all(c.status in ("passed", "manual") for t in report.tasks for c in t.checks)
    handed_in_well = all(p.code.startswith(NOT_THE_STUDENTS) for p in report.problems)
    return checks_pass and handed_in_well


def self_check(
    notebook: Path,
    *,
    assignment_name: str = "a2",
    seed: int = 0,
    as_json: bool = False,
    out: Path | None = None,
    console: Console | None = None,
) -> int:
    prestart()  # the runtime's zygote boots while the pack imports
    assignment = load_assignment(assignment_name, with_reference=False)
    report = student_view(grade_notebook(notebook, assignment, seed=seed))
    if out is not None:
        write_report(report, out, include_hidden=False)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        console = console or Console()
        render_terminal(report, console)
        verdict = "ready to hand in" if ready(report) else "not ready yet: fix what is listed above"
        console.print(f"\nPublic checks: {verdict}.", style="bold green" if ready(report) else "bold red")
    return 0 if ready(report) else 1
