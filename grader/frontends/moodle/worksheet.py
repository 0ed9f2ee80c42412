"""Moodle's offline grading worksheet: the CSV from "Download grading worksheet", filled back.

Moodle writes it with the columns of its grading table (``mod/assign/gradingtable.php``):
``Identifier`` (``Participant 123456``), ``Full name``, the identity fields the site shows
(``Email address``...), ``Status``, ``Grade``, ``Maximum grade``, ``Grade can be changed``,
``Last modified (submission)``, one column per submission plugin, ``Last modified (grade)``
and one per feedback plugin (``Feedback comments``). "Upload grading worksheet" matches rows
on the identifier and reads the grade and feedback columns, so only those two cells are
written (the comment through ``grader.common.csvio``'s formula guard); every other cell, row, the
encoding, delimiter and line ends stay as they came.

A grade is the report's total scaled to the worksheet's maximum. A participant whose report
still has points awaiting a person keeps an empty grade (unless ``include_pending``); one whose
grading failed, or whose notebook the grader could not read (a blocking problem), keeps an
empty grade always: uploading a total that is not one would be worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.common import csvio
from grader.errors import WorksheetError
from grader.model.results import Report, Status
from grader.reports.text import pending_points, problem_text, score_line, unread_problems

#: Header names, in English and French Moodle, of the columns read or written.
IDENTIFIER = ("Identifier", "Identifiant")
GRADE = ("Grade", "Note")
MAXIMUM = ("Maximum grade", "Note maximale")
FEEDBACK = ("Feedback comments", "Feedback par commentaires", "Commentaires de feedback")
_ID = re.compile(r"(\d+)\s*$")


@dataclass
class WorksheetResult:
    graded: list[str] = field(default_factory=list)  # participant ids given a grade
    pending: list[str] = field(default_factory=list)  # left empty: points awaiting a person
    failed: list[str] = field(default_factory=list)  # left empty: the grader failed
    unread: list[str] = field(default_factory=list)  # left empty: a blocking problem, a person looks
    no_report: list[str] = field(default_factory=list)  # worksheet rows with no graded submission
    not_in_worksheet: list[str] = field(default_factory=list)  # reports the worksheet lacks


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(name) for name in names if name in header), None)


def _column(header: list[str], names: tuple[str, ...], what: str) -> int:
    found = _find(header, names)
    if found is None:
        raise WorksheetError(
            f"no {what} column (looked for {' / '.join(repr(n) for n in names)}; found {header}): "
            "download the worksheet from the assignment's \"Download grading worksheet\", with "
            "\"Offline grading worksheet\" and \"Feedback comments\" enabled in its feedback types"
        )
    return found


def by_participant(reports: Mapping[str, Report]) -> dict[str, Report]:
    """Participant id -> report, for the reports graded from a Moodle download."""
    return {r.moodle["participant"]: r for r in reports.values() if r.moodle}


def fill_worksheet(
    worksheet: Path, reports: Mapping[str, Report], out: Path, *, include_pending: bool = False
) -> WorksheetResult:
    """Write ``out``: ``worksheet`` with each graded participant's grade and comment filled in."""
    rows, fmt = csvio.read_table(worksheet)
    if not rows:
        raise WorksheetError(f"{worksheet} is empty")
    header = [cell.strip() for cell in rows[0]]
    ident = _column(header, IDENTIFIER, "identifier")
    grade = _column(header, GRADE, "grade")
    feedback = _column(header, FEEDBACK, "feedback comments")
    maximum = _find(header, MAXIMUM)
    reports_by_id = by_participant(reports)
    result = WorksheetResult()
    seen = set()
    for row in rows[1:]:
        row += [""] * (len(header) - len(row))
        match = _ID.search(row[ident])
        if match is None:
            continue
        pid = match.group(1)
        seen.add(pid)
        report = reports_by_id.get(pid)
        if report is None:
            result.no_report.append(pid)
            continue
        if any(p.code == "grader-error" for p in report.problems):
            result.failed.append(pid)
            continue
        row[feedback] = csvio.neutralise(comment(report))
        if unread_problems(report):
            result.unread.append(pid)
            continue
        if pending_points(report) and not include_pending:
            result.pending.append(pid)
            continue
        top = _maximum(row[maximum] if maximum is not None else "", report.max_score)
        value = report.score / report.max_score * top if report.max_score else 0.0
        decimal = "," if maximum is not None and "," in row[maximum] else fmt.decimal
        row[grade] = f"{value:.2f}".replace(".", decimal)
        result.graded.append(pid)
    result.not_in_worksheet = sorted(set(reports_by_id) - seen)
    csvio.write_table(out, rows, fmt, as_read=True)  # Moodle's cells as it wrote them
    return result


def _maximum(cell: str, fallback: float) -> float:
    try:
        return csvio.parse_number(cell) if cell.strip() else fallback
    except ValueError:
        return fallback


def comment(report: Report) -> str:
    """A few words for the student beside the grade; the details are in the feedback files."""
    parts = [f"Autograder: {score_line(report)}."]
    failing = [t.id for t in report.tasks if t.status not in (Status.PASSED, Status.MANUAL)]
    if failing:
        parts.append(f"To look at: {', '.join(failing)}.")
    # the sentences a student reads, each once: codes (``bad-filename``) are for tools
    parts += dict.fromkeys(_sentence(problem_text(p)) for p in report.problems)
    parts.append("Details in your feedback file (report.html).")
    return " ".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
