"""``summary.html``: the class's home page, in one file an instructor opens offline.

Every student is a row of one table (name, total, automatic points, points still to mark,
status, a link to the report) that sorts by any column (a few lines of inline script, nothing
fetched); every instructor report links back here. Points awaiting a person are pending, never
zeros: a mean counts only what is decided (totals of complete submissions, a task's score where
it is marked), and a submission that could not be read or that the grader failed on counts in
no statistic. Means are printed to one decimal.

Plots are drawn with matplotlib's object API (no pyplot global state) and embedded as base64
PNG, for a class only: one submission's histogram says nothing, and matplotlib is then not
imported at all. The class comes as report folder -> report (the class folder's own record,
``grader.frontends.classfolder``); links to each submission's report are relative
(``<report folder>/report.html``), so the folder can be moved or zipped as a whole.
"""

from __future__ import annotations

import base64
import io
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from grader.common.bounds import printable
from grader.model.results import CheckResult, Report, Status, TaskResult
from grader.reports.gradebook import row_status, task_ids
from grader.reports.templating import environment
from grader.reports.text import (
    WRITTEN_CHECK,
    pending_points,
    student_name,
    unread_problems,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: How many of the most common failing checks the summary lists.
TOP_FAILURES = 10
#: Task statuses that mean the grader could not judge the work, listed with the problems.
BROKEN = (Status.ERROR, Status.TIMEOUT)


@dataclass(frozen=True)
class TaskStats:
    id: str
    title: str
    submissions: int
    mean: float | None  # over the submissions whose points for the task are all decided; None: none is
    max_score: float
    pass_rate: float | None  # share whose automatic checks all passed; None: the task has none
    marked: int | None = None  # submissions whose written part is marked; None: no written part
    to_mark: int = 0  # submissions with a written part for this task


@dataclass(frozen=True)
class StudentRow:
    """One submission in the class table; ``None`` where there is no number to give."""

    name: str
    sort_name: str  # last name first, accents aside: how a class list is ordered
    submission: str
    link: str
    total: float | None  # the final total: nothing awaits a person, the work was read and graded
    automatic: float | None
    automatic_max: float
    pending: float | None
    max_score: float
    status: str


@dataclass(frozen=True)
class FailingCheck:
    task_id: str
    check: str
    count: int
    example: CheckResult  # one failure, with its counterexample when one was found
    example_name: str
    example_link: str


@dataclass(frozen=True)
class DiagnosedMistake:
    """A known mistake and the submissions it was diagnosed in: what to teach again."""

    code: str
    label: str
    students: tuple[tuple[str, str], ...]  # (name, link to the report)


@dataclass(frozen=True)
class Trouble:
    name: str
    submission: str
    link: str
    problems: tuple[str, ...]  # problem codes
    broken_tasks: tuple[str, ...]  # "3.2 (timeout)"


def report_link(folder: str) -> str:
    """Where ``write_report`` put the HTML of the submission in report folder ``folder``,
    relative to the class folder."""
    return quote(folder) + "/report.html"


def graded(report: Report) -> bool:
    """The report's numbers mean something: the work was read and the grader did not fail."""
    return not unread_problems(report) and not any(p.code == "grader-error" for p in report.problems)


def _automatic(task: TaskResult) -> list[CheckResult]:
    return [c for c in task.checks if c.name != WRITTEN_CHECK]


def task_stats(reports: Sequence[Report]) -> list[TaskStats]:
    """Per task, over the submissions that were read and graded: the mean of the decided scores,
    the automatic pass rate and how far the marking of its written part has got."""
    counted = [r for r in reports if graded(r)]
    stats = []
    for task_id in task_ids(counted):
        results = [t for r in counted for t in r.tasks if t.id == task_id]
        decided = [
            t for t in results if t.status != Status.MANUAL and not any(c.status == Status.MANUAL for c in t.checks)
        ]
        automatic = [checks for t in results if (checks := _automatic(t))]
        written = [c for t in results for c in t.checks if c.name == WRITTEN_CHECK]
        stats.append(
            TaskStats(
                id=task_id,
                title=results[0].title,
                submissions=len(results),
                mean=sum(t.score for t in decided) / len(decided) if decided else None,
                max_score=max(t.max_score for t in results),
                pass_rate=(
                    sum(all(c.status == Status.PASSED for c in checks) for checks in automatic) / len(automatic)
                    if automatic
                    else None
                ),
                marked=sum(c.status != Status.MANUAL for c in written) if written else None,
                to_mark=len(written),
            )
        )
    return stats


def student_rows(reports: Mapping[str, Report]) -> list[StudentRow]:
    """Every submission, by name: what it scored so far and what a person still has to do."""
    rows = []
    for folder, report in reports.items():
        ok = graded(report)
        automatic = [c for t in report.tasks for c in _automatic(t)]
        pending = pending_points(report)
        rows.append(
            StudentRow(
                name=student_name(report),
                sort_name=_sort_name(report),
                submission=report.submission,
                link=report_link(folder),
                total=report.score if ok and not pending else None,
                automatic=sum(c.score for c in automatic) if ok else None,
                automatic_max=sum(c.max_score for c in automatic),
                pending=pending if ok else None,
                max_score=report.max_score,
                status=row_status(report),
            )
        )
    return sorted(rows, key=lambda r: (r.sort_name, r.submission))


def _sort_name(report: Report) -> str:
    student = report.student or {}
    name = " ".join(p for p in (student.get("last_name", ""), student.get("first_name", "")) if p)
    plain = unicodedata.normalize("NFKD", name or report.submission)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def failing_checks(reports: Mapping[str, Report], top: int = TOP_FAILURES) -> list[FailingCheck]:
    """The checks failed by most submissions (a check failed twice in one report counts once),
    each with one submission's failure as example.

    Checks left to a person (``manual``) are not failures.
    """
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], tuple[CheckResult, str]] = {}
    for folder, report in reports.items():
        seen: set[tuple[str, str]] = set()
        for task in report.tasks:
            for check in task.checks:
                if check.status in (Status.PASSED, Status.MANUAL) or check.name == WRITTEN_CHECK:
                    continue  # a mark a person gave is no failure
                key = (task.id, check.name)
                counts[key] += key not in seen
                seen.add(key)
                if key not in examples or (
                    check.counterexample and not examples[key][0].counterexample
                ):
                    examples[key] = (check, folder)
    return [
        FailingCheck(
            key[0],
            key[1],
            n,
            examples[key][0],
            student_name(reports[examples[key][1]]),
            report_link(examples[key][1]),
        )
        for key, n in counts.most_common(top)
    ]


def diagnosed_mistakes(reports: Mapping[str, Report]) -> list[DiagnosedMistake]:
    """Each diagnosed mistake with the submissions that make it, most common first."""
    labels: dict[str, str] = {}
    students: dict[str, dict[str, tuple[str, str]]] = {}
    for folder, report in reports.items():
        for task in report.tasks:
            for check in task.checks:
                for d in check.diagnoses:
                    labels.setdefault(d.code, d.label)
                    students.setdefault(d.code, {})[folder] = (student_name(report), report_link(folder))
    ranked = sorted(students, key=lambda code: (-len(students[code]), code))
    return [DiagnosedMistake(code, labels[code], tuple(students[code].values())) for code in ranked]


def troubles(reports: Mapping[str, Report]) -> list[Trouble]:
    """Submissions with problems (name, not run, syntax...) or tasks that crashed or hung."""
    found = []
    for folder, report in reports.items():
        broken = tuple(f"{t.id} ({t.status})" for t in report.tasks if t.status in BROKEN)
        if report.problems or broken:
            found.append(
                Trouble(
                    student_name(report),
                    report.submission,
                    report_link(folder),
                    tuple(p.code for p in report.problems),
                    broken,
                )
            )
    return found


def write_summary(class_reports: Mapping[str, Report], path: Path) -> None:
    """Write the summary of a class given as report folder -> report."""
    reports = list(class_reports.values())
    stats = task_stats(reports)
    rows = student_rows(class_reports)
    complete = [r.total for r in rows if r.total is not None]
    automatic = [r.automatic for r in rows if r.automatic is not None]
    html = (
        environment()
        .get_template("summary.html")
        .render(
            count=len(reports),
            rows=rows,
            complete=len(complete),
            mean_total=sum(complete) / len(complete) if complete else None,
            mean_automatic=sum(automatic) / len(automatic) if automatic else None,
            automatic_max=max((r.automatic_max for r in rows), default=0.0),
            max_total=max((r.max_score for r in reports), default=0.0),
            unread_count=sum(1 for r in reports if unread_problems(r)),
            stats=stats,
            failures=failing_checks(class_reports),
            mistakes=diagnosed_mistakes(class_reports),
            troubles=troubles(class_reports),
            pending_count=sum(1 for r in rows if r.pending),
            pending_total=sum(r.pending or 0.0 for r in rows),
            failed_count=sum(any(p.code == "grader-error" for p in r.problems) for r in reports),
            histogram=_png(_histogram(rows)) if len(reports) > 1 else None,
            task_chart=_png(_task_chart(stats)) if len(reports) > 1 else None,
        )
    )
    Path(path).write_text(html, encoding="utf-8")


def _histogram(rows: Sequence[StudentRow]) -> Figure:
    """Final totals when at least two are final, else the automatic points (pending ones are
    not zeros)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.add_subplot()
    totals = [r.total for r in rows if r.total is not None]
    if len(totals) > 1:
        values, top, label = totals, max(r.max_score for r in rows), "total score"
    else:
        values = [r.automatic for r in rows if r.automatic is not None]
        top, label = max(r.automatic_max for r in rows), "automatic points (written answers not all marked)"
    ax.hist(
        values,
        bins=min(20, max(5, len(values))),
        range=(0, top or 1.0),
        color="#4c72b0",
        edgecolor="white",
    )
    ax.set_xlabel(label)
    ax.set_ylabel("submissions")
    ax.set_title("Score distribution")
    return fig


def _task_chart(stats: Sequence[TaskStats]) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.add_subplot()
    x = range(len(stats))
    mean_pct = [100 * s.mean / s.max_score if s.max_score and s.mean is not None else 0.0 for s in stats]
    pass_pct = [100 * s.pass_rate if s.pass_rate is not None else 0.0 for s in stats]
    ax.bar(
        [i - 0.2 for i in x], mean_pct, width=0.4, label="mean decided score (% of max)", color="#4c72b0"
    )
    ax.bar([i + 0.2 for i in x], pass_pct, width=0.4, label="automatic checks passed (%)", color="#55a868")
    ax.set_xticks(list(x), [printable(s.id) for s in stats], parse_math=False)
    # ids longer than a task number ("provided", "Part 2") would run into their neighbours
    if any(len(s.id) > 4 for s in stats):
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylim(0, 100)
    ax.set_xlabel("task")
    ax.set_ylabel("%")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small")
    ax.set_title("Per task")
    return fig


def _png(fig: Figure) -> str:
    """The figure as base64 PNG, without a timestamp or software tag, so reruns are identical."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")
