"""``report.html``: the report a student opens in a browser, offline, with no script to run."""

from __future__ import annotations

from grader.model.results import Report
from grader.reports.templating import environment
from grader.reports.text import student_name


def render_html(report: Report, summary: str | None = None) -> str:
    """The report's page; ``summary``: where its class's summary.html is, linked at the top
    (only an instructor's report in a class folder has one: a student's never shows the class)."""
    return (
        environment()
        .get_template("report.html")
        .render(report=report, name=student_name(report), summary=summary)
    )
