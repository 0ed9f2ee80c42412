"""``report.html``: the report a student opens in a browser, offline, with no script to run."""

from __future__ import annotations

from grader.reports.templating import environment
from grader.reports.text import student_name
from grader.results import Report


def render_html(report: Report) -> str:
    return (
        environment().get_template("report.html").render(report=report, name=student_name(report))
    )
