"""Beyond one machine: a Dask cluster grades like local processes; the Gradescope autograder zip
grades a submission laid out the way Gradescope lays it out."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from grader.cli import exit_status, main
from grader.frontends.batch import grade_all
from grader.gradescope import build_package
from tests.support.batch import report_json, tiny_notebook
from tests.support.gradescope import run_autograder, unpack_autograder

GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GRADESCOPE_TOP = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
GRADESCOPE_TEST = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}


def comparable(report: dict) -> dict:
    """A report without what changes from run to run (timings) or machine to machine."""
    meta = {k: v for k, v in report["meta"].items() if k not in ("seconds", "check_seconds", "cpu_seconds")}
    return {**report, "meta": meta}


def test_dask_cluster_grades_like_local_processes(class_dir, tmp_path, count_gradings):
    from distributed import LocalCluster

    (class_dir / "A2_POE_Edgar.ipynb").unlink()
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert exit_status(grade_all([class_dir], local, jobs=1)) == 0
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        assert exit_status(grade_all([class_dir], remote, scheduler=cluster.scheduler_address)) == 0
        for folder in ("A2_DOE_Jane", "A2_ROE_Rita"):
            assert comparable(report_json(remote, folder)) == comparable(report_json(local, folder))
            for name in ("report.md", "junit.xml", "results.json"):
                assert (remote / folder / name).exists()
        assert (remote / "gradebook.csv").read_text() == (local / "gradebook.csv").read_text()
        # resume works the same: nothing to send the second time
        assert exit_status(grade_all([class_dir], remote, scheduler=cluster.scheduler_address)) == 0
    assert count_gradings == ["A2_DOE_Jane.ipynb", "A2_ROE_Rita.ipynb"]  # the local run only


def check_gradescope_results(data: dict) -> None:
    """results.json per gradescope-autograders.readthedocs.io/en/latest/specs/#output-format."""
    assert set(data) <= GRADESCOPE_TOP, set(data) - GRADESCOPE_TOP
    assert isinstance(data["score"], (int, float))
    assert data.get("visibility", "visible") in GRADESCOPE_VISIBILITY
    assert data.get("stdout_visibility", "hidden") in GRADESCOPE_VISIBILITY
    assert isinstance(data.get("execution_time", 0), int)
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST, set(test) - GRADESCOPE_TEST
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(
            test["max_score"], (int, float)
        )
        assert 0 <= test["score"] <= test["max_score"]
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test["visibility"] in GRADESCOPE_VISIBILITY
        assert isinstance(test["output"], str)
        assert test.get("output_format", "text") in {"text", "html", "simple_format", "md", "ansi"}


@pytest.fixture
def autograder_root(tmp_path: Path) -> Path:
    """/autograder as Gradescope lays it out: the zip in source/, run_autograder copied beside."""
    assert main(["gradescope-package", "--out", str(tmp_path / "dist")]) == 0
    root = tmp_path / "autograder"
    names = unpack_autograder(tmp_path / "dist" / "autograder.zip", root)
    assert "setup.sh" in names and "run_autograder" in names  # at the root of the zip
    with zipfile.ZipFile(tmp_path / "dist" / "autograder.zip") as zf:
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
    return root


def test_gradescope_run_autograder_on_a_fake_autograder_folder(autograder_root):
    empty = run_autograder(autograder_root)  # nothing submitted
    check_gradescope_results(empty)
    assert empty["score"] == 0 and "No .ipynb notebook" in empty["output"]

    tiny_notebook(autograder_root / "submission" / "A2_DOE_Jane.ipynb")
    data = run_autograder(autograder_root)
    check_gradescope_results(data)
    assert data["score"] == 2  # task 1.4's SUCCESS line
    names = [t["name"] for t in data["tests"]]
    assert any(n.startswith("1.4 ") and n.endswith("evidence.gradcheck_success") for n in names)
    passed = next(t for t in data["tests"] if t["name"].endswith("evidence.gradcheck_success"))
    assert passed["status"] == "passed" and passed["score"] == passed["max_score"] == 2
    # the instructor path: hidden checks are there, shown once grades are published
    assert any(t["visibility"] == "after_published" for t in data["tests"])
    assert sorted(p.name for p in (autograder_root / "results").iterdir()) == ["results.json"]


def test_the_package_is_the_same_bytes_twice(tmp_path):
    first = build_package(tmp_path / "a").read_bytes()
    assert build_package(tmp_path / "b").read_bytes() == first
    with zipfile.ZipFile(tmp_path / "a" / "autograder.zip") as zf:
        script = zf.read("run_autograder").decode()
        assert "__ASSIGNMENT__" not in script and "--assignment 'a2'" in script
        setup = zf.read("setup.sh").decode()  # the engine, then A2's stack (torch...)
        assert "--extra-index-url https://download.pytorch.org/whl/cpu" in setup
        assert "__PACK_DEPENDENCIES__" not in setup and '"$SOURCE" \'numpy<2\' \'torch>=2.2\'' in setup
        assert not [n for n in zf.namelist() if "__pycache__" in n or n.startswith("tests/")]
