"""``gradebook.csv``: one row per submission, the file an instructor imports into a spreadsheet.

Written as ``utf-8-sig`` in the chosen dialect (``grader.common.csvio``: ``excel``, or ``excel-fr`` with
``;`` and decimal commas for French Excel): Excel reads a CSV without a byte-order mark in the system's legacy
code page and mangles accented names; with it, Excel, LibreOffice and Python's csv module all
read UTF-8. Text cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first,
from a crafted file name) are prefixed with ``'`` by ``csvio.write_table``, the usual neutraliser. A task a report
lacks, or whose points all await a person, is an empty cell, not a zero. A submission the grader
could not read (a blocking problem: invalid JSON, a cell that does not parse...) has no total
and no task scores, whatever marks were imported: its status says a person must look at it. ``diagnoses`` lists
the codes of the known mistakes found (``convnet.pool_stride_1;answer_3_6.own_network``), each once.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from grader.common import csvio
from grader.model.results import Report, Status
from grader.reports.text import pending_points, unread_problems

IDENTITY = ("last_name", "first_name", "file")
#: Beside the identity, for submissions that came from a Moodle download.
MOODLE = ("participant", "moodle_name")
TOTALS = ("total", "max", "pending", "status", "problems", "diagnoses")


def task_ids(reports: Sequence[Report]) -> list[str]:
    """Task ids in rubric order: each report's order, merged in order of first appearance."""
    ids: dict[str, None] = {}
    for report in reports:
        ids.update(dict.fromkeys(t.id for t in report.tasks))
    return list(ids)


class RowStatus(StrEnum):
    """A report's status in the gradebook: why its total is final, or not."""

    COMPLETE = "complete"
    PENDING = "to be marked by hand"
    GRADER_ERROR = "grader error"  # the cell goes on: "no total; <what failed>"
    SHARED_IDENTITY = "same student as another row"  # the cell goes on: who else claims them
    UNREAD = "needs a person"  # a blocking problem; the cell goes on: "no total; <the problem>"


def row_status(report: Report) -> str:
    """Why a row's total is final, or not: what a person has to do about it."""
    failure = next((p for p in report.problems if p.code == "grader-error"), None)
    if failure is not None:
        return f"{RowStatus.GRADER_ERROR}: no total; {failure.message}"
    blocking = unread_problems(report)
    if blocking:
        return f"{RowStatus.UNREAD}: no total; {' '.join(dict.fromkeys(p.message for p in blocking))}"
    shared = next((p for p in report.problems if p.code == "identity-shared"), None)
    if shared is not None:
        return f"{RowStatus.SHARED_IDENTITY}: {shared.message}"
    if pending_points(report):
        return RowStatus.PENDING
    return RowStatus.COMPLETE


def write_gradebook(
    reports: Sequence[Report], path: Path, fmt: csvio.CsvFormat = csvio.DIALECTS["excel"]
) -> None:
    """One row per submission; ``total`` is empty when the grader failed or could not read the
    work (``status`` says so), ``pending`` holds the points still awaiting a person."""
    ids = task_ids(reports)
    moodle = any(r.moodle for r in reports)
    header = [*IDENTITY, *(MOODLE if moodle else ()), *ids, *TOTALS]
    rows = [header]
    for report in reports:
        student = report.student or {}
        scores = {  # a task whose every point awaits a person is blank, not 0
            t.id: "" if t.checks and all(c.status == Status.MANUAL for c in t.checks) else csvio.number(t.score, fmt)
            for t in report.tasks
        }
        ungraded = any(p.code == "grader-error" for p in report.problems) or bool(unread_problems(report))
        if ungraded:
            scores = {}
        info = report.moodle or {}
        cells = {
            "last_name": student.get("last_name", ""),
            "first_name": student.get("first_name", ""),
            "file": report.submission,
            "participant": info.get("participant", ""),
            "moodle_name": info.get("full_name") or "",
            **{task_id: scores.get(task_id, "") for task_id in ids},
            "total": "" if ungraded else csvio.number(report.score, fmt),
            "max": csvio.number(report.max_score, fmt),
            "pending": "" if ungraded else csvio.number(pending_points(report), fmt),
            "status": row_status(report),
            "problems": ";".join(p.code for p in report.problems),
            "diagnoses": ";".join(diagnosis_codes(report)),
        }
        rows.append([cells[column] for column in header])
    csvio.write_table(path, rows, fmt)


def diagnosis_codes(report: Report) -> list[str]:
    """The known mistakes diagnosed in a report, each once, in report order."""
    return list(dict.fromkeys(d.code for t in report.tasks for c in t.checks for d in c.diagnoses))
