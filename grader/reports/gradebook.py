"""``gradebook.csv``: one row per submission, the file an instructor imports into a spreadsheet.

Written as ``utf-8-sig``: Excel reads a CSV without a byte-order mark in the system's legacy
code page and mangles accented names; with it, Excel, LibreOffice and Python's csv module all
read UTF-8. Text cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first,
from a crafted file name) are prefixed with ``'``, the usual neutraliser. A task a report
lacks is an empty cell, not a zero. ``diagnoses`` lists the codes of the known mistakes found
(``convnet.pool_stride_1;answer_3_6.own_network``), each once.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from grader.reports.text import points
from grader.results import Report

IDENTITY = ("last_name", "first_name", "file")
TOTALS = ("total", "max", "problems", "diagnoses")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def task_ids(reports: Sequence[Report]) -> list[str]:
    """Task ids in rubric order: each report's order, merged in order of first appearance."""
    ids: dict[str, None] = {}
    for report in reports:
        ids.update(dict.fromkeys(t.id for t in report.tasks))
    return list(ids)


def write_gradebook(reports: Sequence[Report], path: Path) -> None:
    ids = task_ids(reports)
    # errors="replace": a file name with invalid UTF-8 bytes (a lone surrogate) becomes "?"
    with open(path, "w", encoding="utf-8-sig", errors="replace", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*IDENTITY, *ids, *TOTALS])
        writer.writeheader()
        for report in reports:
            student = report.student or {}
            scores = {t.id: points(t.score) for t in report.tasks}
            writer.writerow(
                {
                    "last_name": _no_formula(student.get("last_name", "")),
                    "first_name": _no_formula(student.get("first_name", "")),
                    "file": _no_formula(report.submission),
                    **{task_id: scores.get(task_id, "") for task_id in ids},
                    "total": points(report.score),
                    "max": points(report.max_score),
                    "problems": _no_formula(";".join(p.code for p in report.problems)),
                    "diagnoses": _no_formula(";".join(diagnosis_codes(report))),
                }
            )


def diagnosis_codes(report: Report) -> list[str]:
    """The known mistakes diagnosed in a report, each once, in report order."""
    return list(dict.fromkeys(d.code for t in report.tasks for c in t.checks for d in c.diagnoses))


def _no_formula(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell
