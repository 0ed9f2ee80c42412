"""``report.md``: the report as Markdown, for a repository, an issue or a plain text editor."""

from __future__ import annotations

from grader.model.results import Report
from grader.reports.templating import environment
from grader.reports.text import student_name


def render_markdown(report: Report) -> str:
    return environment().get_template("report.md").render(report=report, name=student_name(report))
