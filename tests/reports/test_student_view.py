"""What a student sees: hidden checks' details never, their points still."""

from __future__ import annotations

import json
from dataclasses import replace

from grader.model.results import Report
from grader.reports import write_report
from grader.reports.visibility import HIDDEN_NAME, student_view
from tests.support.reportfactory import EXPECTED_ANSWER, HIDDEN_STRINGS, make_report


def test_no_hidden_detail_in_any_student_file(tmp_path):
    paths = write_report(make_report(), tmp_path, include_hidden=False)
    for path in paths:
        content = path.read_text(encoding="utf-8")
        for secret in (*HIDDEN_STRINGS, EXPECTED_ANSWER, "agrees on 1000 draws"):
            assert secret not in content, f"{secret!r} leaked into {path.name}"


def test_instructor_files_keep_hidden_details(tmp_path):
    paths = write_report(make_report(), tmp_path)
    for path in paths:
        assert HIDDEN_STRINGS[0] in path.read_text(encoding="utf-8"), path.name


def test_hidden_checks_fold_into_one_line_and_keep_the_totals(tmp_path):
    report = make_report()
    write_report(report, tmp_path, include_hidden=False)
    seen = Report.from_dict(json.loads((tmp_path / "report.json").read_text(encoding="utf-8")))
    assert seen.score == report.score and seen.max_score == report.max_score
    for task, shown in zip(report.tasks, seen.tasks, strict=True):
        assert (shown.score, shown.max_score, shown.status) == (
            task.score,
            task.max_score,
            task.status,
        )
        assert sum(c.score for c in shown.checks) == sum(c.score for c in task.checks)
    gradient = seen.tasks[1].checks
    assert [c.name for c in gradient] == [
        "returns four arrays of the right shapes",
        "matches the reference",
        HIDDEN_NAME,
    ]
    folded = gradient[-1]
    assert (folded.status, folded.score, folded.max_score, folded.counterexample) == (
        "failed",
        0.5,
        1.0,
        None,
    )
    assert student_view(report).tasks[2].checks[-1].status == "passed"


def test_a_report_without_hidden_checks_only_loses_expected_answers():
    report = make_report()
    public = replace(
        report,
        tasks=tuple(
            replace(t, checks=tuple(c for c in t.checks if c.visibility != "hidden"))
            for t in report.tasks
        ),
    )
    seen = student_view(public)
    assert [t.checks for t in seen.tasks] == [t.checks for t in public.tasks]
    assert seen.tasks[0].expected_answer == "" and seen.tasks[0].answer == report.tasks[0].answer


def test_student_view_is_idempotent():
    report = make_report()
    once = student_view(report)
    assert student_view(once) == once
    assert all(c.visibility == "public" for t in once.tasks for c in t.checks)


def test_a_folded_line_says_points_not_a_count_of_checks(tmp_path):
    """"hidden checks — failed, 4 / 9" read as four failed checks: the numbers are points."""
    report = student_view(make_report())
    (_folded,) = [c for t in report.tasks for c in t.checks if c.name == "hidden checks" and c.status == "failed"]
    write_report(report, tmp_path, include_hidden=False)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "**hidden checks** — failed, 0.5 / 1 points" in md
    assert "failed</span> 0.5 / 1 points" in page
