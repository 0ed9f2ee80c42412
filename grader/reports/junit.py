"""``junit.xml``: the report as JUnit XML, which CI systems (GitLab, GitHub, Jenkins) display.

One ``testsuite`` per task, one ``testcase`` per check (a task without checks is one case).
Failed, partial and missing checks are ``failure``s carrying the counterexample; crashes and
timeouts are ``error``s; written tasks are ``skipped`` (graded by hand), and so is a task of the
self-check whose checks are all hidden (checked when the instructor grades). Problems of the
submission form a ``submission`` suite of failures, so that CI shows them too. Scores, which
JUnit has no place for, are suite properties.
"""

from __future__ import annotations

from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from grader.common.bounds import printable
from grader.model.results import Report, Status, TaskResult
from grader.reports.text import (
    counterexample_text,
    diagnosis_text,
    points,
    problem_text,
    status_label,
)


def to_junit(report: Report) -> JUnitXml:
    xml = JUnitXml(name=printable(report.submission))
    if report.problems:
        suite = TestSuite("submission")
        for problem in report.problems:
            case = TestCase(printable(problem.code), classname="submission", time=0)
            case.result = [Failure(printable(problem_text(problem)), "problem")]
            suite.add_testcase(case)
        suite.update_statistics()
        xml.add_testsuite(suite)
    for task in report.tasks:
        xml.add_testsuite(_task_suite(task))
    xml.update_statistics()
    return xml


def write_junit(report: Report, path: Path) -> None:
    to_junit(report).write(str(path), pretty=True)


def _task_suite(task: TaskResult) -> TestSuite:
    suite = TestSuite(printable(f"{task.id} {task.title}"))
    suite.add_property("score", points(task.score))
    suite.add_property("max_score", points(task.max_score))
    suite.add_property("status", task.status)
    classname = printable(task.id)
    if task.checks:
        for check in task.checks:
            said = [diagnosis_text(d) for d in check.diagnoses]
            said += [counterexample_text(check.counterexample)] if check.counterexample else []
            detail = "\n".join(said)
            case = _case(check.name, classname, check.status, check.message, detail)
            suite.add_testcase(case)
    else:
        detail = (task.answer or "") if task.status == Status.MANUAL else ""
        suite.add_testcase(_case(task.title, classname, task.status, "", detail))
    suite.update_statistics()
    return suite


def _case(name: str, classname: str, status: Status, message: str, detail: str) -> TestCase:
    """A test case whose result element says why (``message``) and on what input (its text)."""
    case = TestCase(printable(name), classname=classname, time=0)
    message = printable(message or status_label(status))
    result: Skipped | Error | Failure
    if status == Status.MANUAL:
        result = Skipped("graded by hand")
    elif status == Status.HIDDEN:
        result = Skipped(status_label(status))
    elif status in (Status.ERROR, Status.TIMEOUT):
        result = Error(message, status)
    elif status != Status.PASSED:
        result = Failure(message, status)
    else:
        return case
    if detail:
        result.text = printable(detail)
    case.result = [result]
    return case
