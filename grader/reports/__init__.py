"""Renderers: one module per format that turns Reports into something people read or load.

``write_report`` writes every per-submission format into the submission's folder; the class
level has ``gradebook.write_gradebook`` and ``summary.write_summary``, the student self-check
``terminal.render_terminal``.
"""

from __future__ import annotations

from pathlib import Path

from grader.model.results import Report
from grader.reports.gradescope import write_gradescope
from grader.reports.html import render_html
from grader.reports.jsonreport import write_json
from grader.reports.junit import write_junit
from grader.reports.markdown import render_markdown
from grader.reports.visibility import student_view

__all__ = ["STUDENT_DIR", "STUDENT_FILES", "write_report", "write_student_report"]

#: The student's view of a report, beside the instructor's (what feedback files are made of).
STUDENT_DIR = "student"
STUDENT_FILES = ("report.html", "report.md")


def write_report(
    report: Report, out_dir: Path, *, include_hidden: bool = True, summary: str | None = None
) -> list[Path]:
    """Write report.json, report.md, report.html, results.json and junit.xml into ``out_dir``.

    ``include_hidden=False`` is what a student sees: hidden checks reduced to an anonymous
    count (see ``visibility.student_view``) in every file written. ``summary``: the class
    summary's address from ``out_dir``, linked from report.html (never in a student's view).
    """
    if not include_hidden:
        report = student_view(report)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out_dir / name
        for name in ("report.json", "report.md", "report.html", "results.json", "junit.xml")
    }
    write_json(report, paths["report.json"])
    paths["report.md"].write_text(render_markdown(report), encoding="utf-8")
    paths["report.html"].write_text(render_html(report, summary if include_hidden else None), encoding="utf-8")
    write_gradescope(report, paths["results.json"])
    write_junit(report, paths["junit.xml"])
    return list(paths.values())


def write_student_report(report: Report, out_dir: Path) -> list[Path]:
    """Write the student's view (``student_view``) as report.html and report.md into ``out_dir``:
    public checks with their counterexamples, hidden ones as a count, no expected answers."""
    report = student_view(report)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html, md = (out_dir / name for name in STUDENT_FILES)
    html.write_text(render_html(report), encoding="utf-8")
    md.write_text(render_markdown(report), encoding="utf-8")
    return [html, md]
