"""junit.xml: loads in JUnit readers, with the right counts and the counterexample text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from junitparser import Error, Failure, JUnitXml, Skipped

from grader.reports import write_report
from tests.support.reportfactory import make_report


def test_parses_with_the_right_counts(tmp_path):
    write_report(make_report(), tmp_path)
    xml = JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    # 2 problems + 10 checks or check-less tasks
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (12, 6, 2, 1)
    suites = {suite.name: suite for suite in xml}
    assert list(suites)[:3] == ["submission", "1.1 Gradients by the chain rule", "1.2 gradient_nn"]
    gradient = suites["1.2 gradient_nn"]
    assert (gradient.tests, gradient.failures) == (3, 2)
    assert {p.name: p.value for p in gradient.properties()} == {
        "score": "1.5",
        "max_score": "3",
        "status": "partial",
    }


def test_results_carry_status_and_counterexample(tmp_path):
    write_report(make_report(), tmp_path)
    xml = JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    results = {(case.classname, case.name): case.result for suite in xml for case in suite}
    failure = results[("1.2", "matches the reference")][0]
    assert isinstance(failure, Failure)
    assert (failure.message, failure.type) == ("gradient of Wi is wrong", "failed")
    assert "got:      [[0.5, 0.5], [0.5, 0.5]]" in failure.text
    assert isinstance(results[("3.4", "Train the ConvNet")][0], Error)
    assert isinstance(results[("1.1", "Gradients by the chain rule")][0], Skipped)
    assert results[("1.2", "returns four arrays of the right shapes")] == []


def test_schema_shape_with_elementtree(tmp_path):
    """What CI viewers rely on, checked with the standard library parser."""
    write_report(make_report(), tmp_path)
    root = ET.parse(tmp_path / "junit.xml").getroot()  # control characters were escaped
    assert root.tag == "testsuites"
    for suite in root:
        assert suite.tag == "testsuite"
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        for kind in ("failures", "errors", "skipped"):
            element = {"failures": "failure", "errors": "error", "skipped": "skipped"}[kind]
            assert int(suite.get(kind)) == sum(len(c.findall(element)) for c in cases)
        assert all(c.get("name") and c.get("classname") for c in cases)
    error = root.find(".//testcase[@classname='3.2']/error")
    assert error.get("message") == "RuntimeError: \\x1b[31mmat1\\x00"  # escaped as the report was built
    assert error.get("type") == "error"


def test_a_task_with_hidden_checks_only_is_skipped_not_failed(tmp_path):
    """The self-check lists a task whose checks are all hidden: CI must not read it as a failure."""
    from dataclasses import replace

    from grader.model.results import Status, TaskResult

    report = make_report()
    later = TaskResult("3.6", "Number of parameters", "numeric", Status.HIDDEN, 0.0, 0.0)
    write_report(replace(report, tasks=(*report.tasks[1:3], later), problems=()), tmp_path)
    xml = JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    results = {(case.classname, case.name): case.result for suite in xml for case in suite}
    (skipped,) = results[("3.6", "Number of parameters")]
    assert isinstance(skipped, Skipped) and skipped.message == "checked when graded"
