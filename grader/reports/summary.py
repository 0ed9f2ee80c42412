"""``summary.html``: how a whole class did, in one file an instructor opens offline.

Plots are drawn with matplotlib's object API (no pyplot global state) and embedded as base64
PNG, for a class only: one submission's histogram says nothing, and matplotlib is then not
imported at all. The class comes as report folder -> report (the class folder's own record,
``grader.classfolder``); links to each submission's report are relative
(``<report folder>/report.html``), so the folder can be moved or zipped as a whole.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from grader.reports.gradebook import task_ids
from grader.reports.templating import environment
from grader.reports.text import pending_points, printable, student_name
from grader.results import CheckResult, Report, Status

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
    mean: float
    max_score: float
    pass_rate: float | None  # None for tasks graded by hand


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


def task_stats(reports: Sequence[Report]) -> list[TaskStats]:
    stats = []
    for task_id in task_ids(reports):
        results = [t for r in reports for t in r.tasks if t.id == task_id]
        graded = [t for t in results if t.status != Status.MANUAL]
        stats.append(
            TaskStats(
                id=task_id,
                title=results[0].title,
                submissions=len(results),
                mean=sum(t.score for t in results) / len(results),
                max_score=max(t.max_score for t in results),
                pass_rate=(sum(t.status == Status.PASSED for t in graded) / len(graded))
                if graded
                else None,
            )
        )
    return stats


def failing_checks(reports: Mapping[str, Report], top: int = TOP_FAILURES) -> list[FailingCheck]:
    """The checks failed by most submissions, each with one submission's failure as example.

    Checks left to a person (``manual``) are not failures.
    """
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], tuple[CheckResult, str]] = {}
    for folder, report in reports.items():
        for task in report.tasks:
            for check in task.checks:
                if check.status in (Status.PASSED, Status.MANUAL):
                    continue
                key = (task.id, check.name)
                counts[key] += 1
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
    html = (
        environment()
        .get_template("summary.html")
        .render(
            count=len(reports),
            mean_total=sum(r.score for r in reports) / len(reports) if reports else 0.0,
            max_total=max((r.max_score for r in reports), default=0.0),
            stats=stats,
            failures=failing_checks(class_reports),
            mistakes=diagnosed_mistakes(class_reports),
            troubles=troubles(class_reports),
            pending_count=sum(1 for r in reports if pending_points(r)),
            pending_total=sum(pending_points(r) for r in reports),
            failed_count=sum(any(p.code == "grader-error" for p in r.problems) for r in reports),
            histogram=_png(_histogram(reports)) if len(reports) > 1 else None,
            task_chart=_png(_task_chart(stats)) if len(reports) > 1 else None,
        )
    )
    Path(path).write_text(html, encoding="utf-8")


def _histogram(reports: Sequence[Report]) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.add_subplot()
    top = max((r.max_score for r in reports), default=1.0) or 1.0
    ax.hist(
        [r.score for r in reports],
        bins=min(20, max(5, len(reports))),
        range=(0, top),
        color="#4c72b0",
        edgecolor="white",
    )
    ax.set_xlabel("total score")
    ax.set_ylabel("submissions")
    ax.set_title("Score distribution")
    return fig


def _task_chart(stats: Sequence[TaskStats]) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.add_subplot()
    x = range(len(stats))
    mean_pct = [100 * s.mean / s.max_score if s.max_score else 0.0 for s in stats]
    pass_pct = [100 * s.pass_rate if s.pass_rate is not None else 0.0 for s in stats]
    ax.bar(
        [i - 0.2 for i in x], mean_pct, width=0.4, label="mean score (% of max)", color="#4c72b0"
    )
    ax.bar([i + 0.2 for i in x], pass_pct, width=0.4, label="passed (%)", color="#55a868")
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
