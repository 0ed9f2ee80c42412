"""results.json in Gradescope's autograder format."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from grader.model.results import CheckResult
from grader.reports import write_report
from grader.reports.gradescope import VISIBILITIES, to_gradescope
from tests.support.reportfactory import HIDDEN_NAME, make_report

TEST_KEYS = {"name", "number", "score", "max_score", "visibility", "output", "output_format"}


def load(tmp_path, report):
    write_report(report, tmp_path)
    return json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))


def test_top_level_keys_and_total(tmp_path):
    report = make_report()
    data = load(tmp_path, report)
    assert data["score"] == report.score == 3.5
    assert data["visibility"] == "visible" and data["stdout_visibility"] == "hidden"
    assert "bad-filename" not in data["output"]  # codes are for tools; students read sentences
    assert "The file should be named A2_LASTNAME_Firstname.ipynb." in data["output"]


def test_one_test_per_check_or_per_task_without_checks(tmp_path):
    report = make_report()
    data = load(tmp_path, report)
    expected = sum(len(t.checks) or 1 for t in report.tasks)
    assert len(data["tests"]) == expected == 10
    assert sum(t["max_score"] for t in data["tests"]) == report.max_score
    assert sum(t["score"] for t in data["tests"]) == report.score


def test_every_test_has_valid_keys_and_types(tmp_path):
    for test in load(tmp_path, make_report())["tests"]:
        assert TEST_KEYS <= set(test) <= TEST_KEYS | {"status"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert test["visibility"] in VISIBILITIES
        assert test["output_format"] == "text"
        assert test.get("status", "passed") in ("passed", "failed")


def test_status_and_counterexample(tmp_path):
    tests = {t["name"]: t for t in load(tmp_path, make_report())["tests"]}
    failing = tests["1.2 gradient_nn: matches the reference"]
    assert failing["status"] == "failed" and failing["number"] == "1.2.2"
    assert "expected: [[0.25, 0.0], [-0.5, 0.0]]" in failing["output"]
    assert tests["1.4 gradcheck: numerical gradient"]["status"] == "passed"
    assert tests["3.4 Train the ConvNet"]["status"] == "failed"
    written = tests["1.1 Gradients by the chain rule"]
    assert "status" not in written and "graded by hand" in written["output"]


def test_visibility_mapping():
    report = make_report()
    by_name = {t["name"]: t["visibility"] for t in to_gradescope(report)["tests"]}
    assert by_name[f"1.2 gradient_nn: {HIDDEN_NAME}"] == "after_published"
    assert by_name["1.2 gradient_nn: matches the reference"] == "visible"
    never = {t["name"]: t["visibility"] for t in to_gradescope(report, "hidden")["tests"]}
    assert never[f"1.2 gradient_nn: {HIDDEN_NAME}"] == "hidden"
    assert sorted(never.values()).count("hidden") == 2  # the two hidden checks, nothing else
    with pytest.raises(ValueError):
        to_gradescope(report, "secret")


def test_a_check_left_to_a_person_has_no_status():
    report = make_report()
    by_hand = CheckResult("discussion of the learning rates", "manual", 0.0, 2.0)
    report = replace(report, tasks=(replace(report.tasks[0], checks=(by_hand,)),))
    (test,) = to_gradescope(report)["tests"]
    assert "status" not in test and test["max_score"] == 2.0


def test_a_task_with_hidden_checks_only_has_no_status(tmp_path):
    """The self-check's copy of a task whose checks are all hidden is neither passed nor failed."""
    from dataclasses import replace

    from grader.model.results import Status, TaskResult
    from grader.reports import write_report
    from tests.support.reportfactory import make_report

    later = TaskResult("3.6", "Number of parameters", "numeric", Status.HIDDEN, 0.0, 0.0)
    write_report(replace(make_report(), tasks=(later,), problems=()), tmp_path)
    (test,) = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["tests"]
    assert "status" not in test and "run when the instructor grades" in test["output"]
