"""The grading path end to end on the model submission: full marks, and the same report twice."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from grader.assignment import load_assignment
from grader.grading.pipeline import grade_notebook
from tests.support.realform import real_notebooks

REFERENCE_NOTEBOOK = Path(__file__).parents[2] / "submissions" / "A2_REFERENCE_Solution.ipynb"


@pytest.fixture(scope="module")
def assignment():
    return load_assignment("a2")


def stable(report) -> dict:
    """The report without what legitimately varies between runs (timings)."""
    data = report.to_dict()
    data["meta"] = {k: v for k, v in data["meta"].items() if k not in ("seconds", "check_seconds", "cpu_seconds")}
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


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(nb=real_notebooks())
def test_grading_a_notebook_in_any_real_form_never_raises(tmp_path_factory, nb):
    """Odd counts, versions, metadata, missing or broken cells: a report, never a grader error."""
    path = tmp_path_factory.mktemp("nb") / "A2_DOE_Jane.ipynb"
    path.write_text(json.dumps(nb))
    report = grade_notebook(path, load_assignment("a2", with_reference=False))
    assert report.max_score > 0
    assert not [p for p in report.problems if p.code in ("grader-error", "runtime-failed")]
    assert not [c.message for t in report.tasks for c in t.checks if "the grader could not" in c.message]
