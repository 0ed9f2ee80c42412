"""The grading path end to end on the model submission: full marks, and the same report twice."""

from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.grading import grade_notebook

REFERENCE_NOTEBOOK = Path(__file__).parents[2] / "submissions" / "A2_REFERENCE_Solution.ipynb"


@pytest.fixture(scope="module")
def assignment():
    return load_assignment("a2")


def stable(report) -> dict:
    """The report without what legitimately varies between runs (timings)."""
    data = report.to_dict()
    data["meta"] = {k: v for k, v in data["meta"].items() if k not in ("seconds", "check_seconds")}
    return data


def test_the_model_submission_passes_every_automatic_check_the_same_way_twice(assignment):
    first = grade_notebook(REFERENCE_NOTEBOOK, assignment, seed=0)
    assert first.problems == ()
    automatic = [c for t in first.tasks for c in t.checks if c.status != "manual"]
    assert automatic and all(c.status == "passed" for c in automatic), [
        (c.name, c.message) for c in automatic if c.status != "passed"
    ]
    assert first.score == first.max_score - sum(c.max_score for t in first.tasks for c in t.checks if c.status == "manual")
    assert stable(grade_notebook(REFERENCE_NOTEBOOK, assignment, seed=0)) == stable(first)


def test_the_seed_is_recorded(assignment, tmp_path):
    report = grade_notebook(tmp_path / "A2_MISSING_File.ipynb", assignment, seed=7)
    assert report.meta["seed"] == 7
    assert [p.code for p in report.problems] == ["missing-file"]
    assert report.score == 0 and all(t.status in ("missing", "manual") for t in report.tasks)
