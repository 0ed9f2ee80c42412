"""Every format holds for any report, whatever text a student managed to put in it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from grader.model.results import CheckResult, Counterexample, Report, Status, TaskResult
from grader.notebook.problems import Problem
from grader.reports import write_report
from grader.reports.gradebook import write_gradebook
from grader.reports.summary import write_summary
from grader.reports.terminal import render_terminal
from tests.support.reportfactory import Tags, only_the_summarys_script

# Any code point, surrogates and control characters included: notebooks are JSON, which can
# carry "\ud800" and "\u0000", and file names can carry undecodable bytes.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
# Task ids come from the instructor's rubric, not from students.
TASK_ID = st.from_regex(r"[1-9]\.[0-9]{1,2}|sample", fullmatch=True)
SCORE = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)

counterexamples = st.builds(Counterexample, input=ANY_TEXT, expected=ANY_TEXT, got=ANY_TEXT)
checks = st.builds(
    CheckResult,
    name=ANY_TEXT,
    status=st.sampled_from(Status),
    score=SCORE,
    max_score=SCORE,
    message=ANY_TEXT,
    counterexample=st.none() | counterexamples,
    visibility=st.sampled_from(["public", "hidden"]),
)
tasks = st.builds(
    TaskResult,
    id=TASK_ID,
    title=ANY_TEXT,
    kind=st.sampled_from(["code", "output", "written"]),
    status=st.sampled_from(Status),
    score=SCORE,
    max_score=SCORE,
    checks=st.lists(checks, max_size=3).map(tuple),
    answer=ANY_TEXT,
    expected_answer=ANY_TEXT,
)
reports = st.builds(
    Report,
    submission=ANY_TEXT,
    student=st.none() | st.fixed_dictionaries({"last_name": ANY_TEXT, "first_name": ANY_TEXT}),
    score=SCORE,
    max_score=SCORE,
    tasks=st.lists(tasks, max_size=3).map(tuple),
    problems=st.lists(st.builds(Problem, code=ANY_TEXT, message=ANY_TEXT), max_size=2).map(tuple),
    meta=st.fixed_dictionaries({"seed": st.integers(0, 2**32)}),
)


@given(report=reports)
def test_every_file_is_written_and_readable(tmp_path_factory, report):
    out = tmp_path_factory.mktemp("submission")
    write_report(report, out)
    assert Report.from_dict(json.loads((out / "report.json").read_text(encoding="utf-8"))) == report
    json.loads((out / "results.json").read_text(encoding="utf-8"))
    ET.parse(out / "junit.xml")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not Tags(page).named("script")
    console = Console(record=True, width=100, color_system=None)
    render_terminal(report, console)
    assert "\x1b" not in console.export_text()


@settings(max_examples=5)  # two matplotlib figures per example: the slow part
@given(class_reports=st.lists(reports, max_size=3))
def test_class_files_are_written(tmp_path_factory, class_reports):
    out = tmp_path_factory.mktemp("class")
    write_gradebook(class_reports, out / "gradebook.csv")
    write_summary({f"folder-{i}": r for i, r in enumerate(class_reports)}, out / "summary.html")
    assert "table.sortable" in only_the_summarys_script((out / "summary.html").read_text(encoding="utf-8"))
