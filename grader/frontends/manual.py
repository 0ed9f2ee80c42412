"""Marks people give to written answers: a sheet out, the sheet back in, the reports re-rendered.

``export_sheet`` writes a CSV (one row per submission and written task, points and comment left
for the marker) and an HTML page that shows, task by task, every student's answer beside the
expected one. ``import_sheet`` validates the filled CSV as a whole (nothing is written if any row
is wrong), merges it into ``OUT/manual_marks.json`` and re-scores the affected reports from their
``report.json`` through ``scoring.score_tasks`` (no notebook is graded again). ``grader grade``
reads the same file, so re-grading keeps the marks.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.checks import CheckOutcome
from grader.common import csvio, templating
from grader.common.render import render_answer
from grader.errors import ManualMarksError, MarkingError
from grader.frontends.classfolder import (
    STORE_FILE,
    Marks,
    class_reports,
    load_marks,
    manifest,
    save_marks,
    write_class_files,
    write_submission,
)
from grader.frontends.marking.store import Store
from grader.grading.scoring import WRITTEN_CHECK, ManualMark, score_tasks
from grader.model.results import CheckResult, Report, Status, TaskResult
from grader.model.rubric import CheckPoints, Rubric, TaskRubric
from grader.reports.summary import report_link
from grader.reports.text import unread_problems

#: The name ``scoring`` gives the check that holds a task's hand-marked points.
MANUAL_CHECK = WRITTEN_CHECK
COLUMNS = (
    "submission",
    "student",
    "file",
    "task",
    "max_points",
    "points",
    "comment",
    "grader",
    "answer",
)
#: Characters of the answer copied into the CSV (the HTML page shows it whole).
EXCERPT = 300


# -- re-scoring a report ---------------------------------------------------------------------------


def apply_marks(report: Report, marks: Mapping[str, ManualMark] | None) -> Report:
    """``report`` scored again with ``marks``: the automatic verdicts it holds, plus the marks.

    The rubric each task was graded against is read back from the report itself (check points,
    the points reserved for a person), so this is the grading path's own scoring, minus the
    checks, and needs neither the notebook nor the assignment pack.
    """
    tasks = tuple(_task_rubric(t) for t in report.tasks)
    outcomes = {
        c.name: CheckOutcome(c.status, c.message, c.counterexample, c.diagnoses)
        for t in report.tasks
        for c in t.checks
        if c.name != MANUAL_CHECK
    }
    answers = {t.id: t.answer for t in report.tasks}
    rubric = Rubric(report.meta.get("assignment", ""), "", tasks)
    scored = score_tasks(rubric, outcomes, answers=answers, manual=marks or {})
    return Report(
        submission=report.submission,
        student=report.student,
        score=sum(t.score for t in scored),
        max_score=report.max_score,
        tasks=scored,
        problems=report.problems,
        meta=dict(report.meta),
        moodle=report.moodle,
    )


def _task_rubric(task: TaskResult) -> TaskRubric:
    checks = tuple(
        # a check with partial credit keeps it: the points its diagnoses earned
        CheckPoints(c.name, c.max_score, c.visibility, _earned_credit(c))
        for c in task.checks
        if c.name != MANUAL_CHECK
    )
    manual = sum(c.max_score for c in task.checks if c.name == MANUAL_CHECK)
    return TaskRubric(task.id, task.title, task.kind, checks, manual, task.expected_answer)


def _earned_credit(check: CheckResult) -> tuple[tuple[str, float], ...]:
    if check.status != Status.PARTIAL or not check.diagnoses:
        return ()
    return tuple((d.code, check.score) for d in check.diagnoses)


def written_tasks(report: Report) -> dict[str, float]:
    """Task id -> points a person awards, for the tasks of ``report`` with a written part.

    None for a submission the grader could not read (a blocking problem): what was read of it
    is not the work, so it gets no marking rows; a person looks at the notebook itself.
    """
    if unread_problems(report):
        return {}
    return {t.id: c.max_score for t in report.tasks for c in t.checks if c.name == MANUAL_CHECK}


# -- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    submission: str  # the report folder: the key the import matches on
    student: str
    file: str
    link: str
    task: TaskResult
    max_points: float
    mark: ManualMark | None


def sheet_rows(reports: Mapping[str, Report], marks: Marks) -> list[SheetRow]:
    rows = []
    for folder, report in sorted(reports.items()):
        student = report.student or {}
        name = " ".join(
            x for x in (student.get("last_name", ""), student.get("first_name", "")) if x
        )
        for task_id, max_points in written_tasks(report).items():
            task = next(t for t in report.tasks if t.id == task_id)
            mark = marks.get(folder, {}).get(task_id)
            rows.append(
                SheetRow(
                    folder, name, report.submission, report_link(folder), task, max_points, mark
                )
            )
    return rows


def export_sheet(
    out: Path, to: Path | None = None, csv_dialect: str | None = None
) -> tuple[Path, Path]:
    """Write the marking sheet (CSV, in ``csv_dialect``: by default the gradebook's) and the
    answers page (HTML, beside it); returns both paths."""
    out = Path(out)
    reports = class_reports(out)
    if not reports:
        raise MarkingError(f"no report.json under {out}: run `grader grade ... --out {out}` first")
    if csv_dialect is None:
        csv_dialect = manifest(out).get("csv_dialect")
    fmt = csvio.dialect(csv_dialect or "excel")
    rows = sheet_rows(reports, load_marks(out))
    csv_path = Path(to) if to else out / "manual_marks.csv"
    html_path = csv_path.with_suffix(".html")
    table = [list(COLUMNS)]
    for row in rows:
        answer = " ".join((row.task.answer or "").split())
        table.append(
            [
                row.submission,
                row.student,
                row.file,
                row.task.id,
                csvio.number(row.max_points, fmt),
                csvio.number(row.mark.score, fmt) if row.mark else "",
                row.mark.comment if row.mark else "",
                row.mark.grader if row.mark else "",
                answer[:EXCERPT] + ("…" if len(answer) > EXCERPT else ""),
            ]
        )
    csvio.write_table(csv_path, table, fmt)
    html_path.write_text(_render_page(rows, csv_path, out), encoding="utf-8")
    return csv_path, html_path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Written answers to mark</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h2 { border-bottom: 2px solid #4c72b0; padding-bottom: .2em; margin-top: 2.5em; }
.expected { background: #eef6ee; border-left: 4px solid #55a868; padding: .6em 1em; white-space: pre-wrap; }
.answer { display: grid; grid-template-columns: 14em 1fr; gap: 1em; border-bottom: 1px solid #ddd; padding: .8em 0; }
.who { font-weight: 600; } .who small { display: block; font-weight: normal; color: #666; }
.text { overflow-x: auto; } .none { color: #999; font-style: italic; }
.mark { color: #4c72b0; }
nav a { margin-right: 1em; }
</style></head><body>
<h1>Written answers to mark</h1>
<p>{{ count }} answer(s) from {{ students }} submission(s). Enter points and comments in
<code>{{ sheet }}</code>, then run <code>grader manual import {{ sheet }} --reports {{ out }}</code>.</p>
<nav>{% for task in tasks %}<a href="#task-{{ task.id }}">{{ task.id }}</a>{% endfor %}</nav>
{% for task in tasks %}
<h2 id="task-{{ task.id }}">{{ task.id }} {{ task.title }} <small>({{ task.max_points }} points)</small></h2>
<p><strong>Expected answer</strong></p>
<div class="expected">{{ task.expected or "(none given in the rubric)" }}</div>
{% for row in task.rows %}
<div class="answer">
  <div class="who"><a href="{{ row.link }}">{{ row.student or row.file }}</a><small>{{ row.submission }}</small>
  {% if row.mark %}<small class="mark">marked {{ row.mark.score }} / {{ task.max_points }}{% if row.mark.comment %}: {{ row.mark.comment }}{% endif %}</small>{% endif %}</div>
  {% if row.answer %}<div class="text">{{ row.answer_html }}</div>{% elif row.answer is none %}<div class="text none">no heading for this task found in the notebook</div>{% else %}<div class="text none">nothing written under this task's heading</div>{% endif %}
</div>
{% endfor %}
{% endfor %}
</body></html>
"""


def _render_page(rows: list[SheetRow], sheet: Path, out: Path) -> str:
    """Task by task, every answer beside the expected one; links relative to where it is written."""
    base = Path(os.path.relpath(out, sheet.parent))
    tasks: dict[str, dict] = {}
    for row in rows:
        entry = tasks.setdefault(
            row.task.id,
            {
                "id": row.task.id,
                "title": row.task.title,
                "max_points": csvio.number(row.max_points),
                "expected": row.task.expected_answer,
                "rows": [],
            },
        )
        entry["rows"].append(
            {
                "student": row.student,
                "file": row.file,
                "submission": row.submission,
                "link": (base / row.link).as_posix(),
                "answer": row.task.answer,
                "answer_html": render_answer(row.task.answer),
                "mark": {"score": csvio.number(row.mark.score), "comment": row.mark.comment}
                if row.mark
                else None,
            }
        )
    return templating.environment().from_string(_PAGE).render(
        tasks=list(tasks.values()),
        count=len(rows),
        students=len({r.submission for r in rows}),
        sheet=sheet.as_posix(),
        out=out.as_posix(),
    )


# -- import ---------------------------------------------------------------------------------------


def read_sheet(path: Path, reports: Mapping[str, Report]) -> Marks:
    """The marks in a filled sheet, validated against the reports; raises ``ManualMarksError``."""
    problems: list[str] = []
    marks: Marks = {}
    # a spreadsheet may save it back with ";" and in cp1252 (French Excel): both are read
    header, records, fmt = csvio.read_dicts(path)
    missing = [c for c in ("submission", "task", "points") if c not in header]
    if missing:
        raise ManualMarksError(
            Path(path),
            [
                (
                    f"missing column(s): {', '.join(missing)} (found {', '.join(header) or 'none'}; "
                    f"read as {fmt.encoding}, {fmt.delimiter!r}-separated; "
                    "export a sheet with `grader manual export`)"
                )
            ],
        )
    for n, row in enumerate(
        records, start=2
    ):  # row 1 is the header, as a spreadsheet numbers it
        folder = _unquote(row.get("submission") or "", reports)
        task = (row.get("task") or "").strip()
        points = (row.get("points") or "").strip()
        comment = csvio.restore(row.get("comment") or "").strip()
        grader = csvio.restore(row.get("grader") or "").strip()
        where = f"row {n} ({folder or '?'}, task {task or '?'})"
        if not points and not comment:
            continue  # not marked yet
        if folder not in reports:
            problems.append(f"{where}: unknown submission {folder!r} (no such report folder)")
            continue
        unread = unread_problems(reports[folder])
        if unread:
            problems.append(
                f"{where}: this submission could not be read ({unread[0].message}): "
                "it needs a person, not marks"
            )
            continue
        maximum = written_tasks(reports[folder]).get(task)
        if maximum is None:
            problems.append(
                f"{where}: unknown task {task!r}: this submission has no written task by that id"
            )
            continue
        if not points:
            problems.append(f"{where}: a comment but no points")
            continue
        try:
            score = csvio.parse_number(points)
        except ValueError:
            problems.append(f"{where}: points {points!r} is not a number")
            continue
        if not math.isfinite(score) or not 0 <= score <= maximum:
            problems.append(f"{where}: points {points} out of range 0–{csvio.number(maximum)}")
            continue
        if task in marks.get(folder, {}):
            problems.append(f"{where}: marked twice in this sheet")
            continue
        marks.setdefault(folder, {})[task] = ManualMark(score, comment, grader)
    if problems:
        raise ManualMarksError(Path(path), problems)
    return marks


def _unquote(cell: str, known: Mapping[str, object]) -> str:
    cell = cell.strip()
    return cell[1:] if cell not in known and cell.startswith("'") and cell[1:] in known else cell


def import_sheet(path: Path, out: Path) -> list[str]:
    """Merge a filled sheet into ``OUT/manual_marks.json`` and re-render what it changes.

    Returns the report folders re-rendered. Every report file of those submissions, the
    gradebook and the class summary are written again with the marks in.
    """
    out = Path(out)
    if not Path(path).is_file():
        raise MarkingError(f"no such file: {path}")
    reports = class_reports(out)
    new = read_sheet(Path(path), reports)
    marks = load_marks(out)
    for folder, tasks in new.items():
        marks[folder] = {**marks.get(folder, {}), **tasks}
    changed = publish_marks(out, reports, marks)
    if (out / STORE_FILE).exists():  # the marking app's store keeps them, or it would undo them
        Store(out).adopt_sheet(marks, maxima(reports), "grader manual import")
    return changed


def maxima(reports: Mapping[str, Report]) -> dict[str, dict[str, float]]:
    """Report folder -> written task -> the points a person awards."""
    return {folder: written_tasks(report) for folder, report in reports.items()}


def publish_marks(out: Path, reports: dict[str, Report], marks: Marks) -> list[str]:
    """Make ``marks`` the class's manual marks: ``manual_marks.json``, then every file of the
    submissions whose marks changed, the gradebook and the summary (``reports`` is updated).

    Returns the report folders re-rendered. The one path by which marks reach the reports,
    whether they come from a CSV sheet or the marking app.
    """
    out = Path(out)
    before = load_marks(out)
    changed = [f for f in reports if marks.get(f, {}) != before.get(f, {})]
    save_marks(out, {f: m for f, m in marks.items() if m})
    for folder in changed:
        report = apply_marks(reports[folder], marks.get(folder))
        reports[folder] = write_submission(
            report, out / folder, report.meta.get("source_fingerprint", ""), marks.get(folder)
        )
    if changed:
        write_class_files(out, reports)
    return changed
