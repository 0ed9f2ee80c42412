"""``grader grade``'s exit status and last line: a path that does not exist is an error, not a
student; a submission that needs a person makes it 2."""

from __future__ import annotations

from dataclasses import replace

from grader.assignment import load_assignment
from grader.cli import EXIT_NEEDS_PERSON, EXIT_OK, EXIT_USAGE, exit_status, main
from grader.frontends.batch.result import BatchResult
from grader.grading.pipeline import grade_notebook
from grader.model.results import Status
from grader.runtime import Limits
from tests.support import realform
from tests.support.batch import tiny_notebook


def test_a_missing_path_is_an_error_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["grade", str(tmp_path / "nothing"), "--out", str(out)]) == EXIT_USAGE
    assert "no such file or folder" in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_without_notebooks_is_an_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty"), "--out", str(tmp_path / "r")]) == EXIT_USAGE
    assert "no notebooks found" in capsys.readouterr().err


def test_exit_2_and_the_last_line_count_what_needs_a_person(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    tiny_notebook(folder / "A2_DOE_Jane.ipynb")
    assert main(["grade", str(folder), "--out", str(tmp_path / "r"), "--jobs", "1"]) == EXIT_OK
    (folder / "homework2_final.ipynb").write_text("{not json", encoding="utf-8")
    assert main(["grade", str(folder), "--out", str(tmp_path / "r"), "--jobs", "1"]) == EXIT_NEEDS_PERSON
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == (
        "2 submission(s): 0 grader error(s), 1 needing a person, 0 with notes only "
        "(summary.html lists both), 1 with written answers to mark"
    )  # the file that is not JSON has none to mark: a person looks at the notebook itself


def test_notes_alone_need_no_person(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    tiny_notebook(folder / "homework2_final.ipynb")  # a bad file name: a note, graded all the same
    assert main(["grade", str(folder), "--out", str(tmp_path / "r"), "--jobs", "1"]) == EXIT_OK
    assert "1 with notes only" in capsys.readouterr().out.strip().splitlines()[-1]


def test_a_notebook_stopped_by_its_time_budget_says_so_and_needs_a_person(tmp_path):
    """Nothing of it ran: the report names the budget it hit (not a runtime that failed), its
    code checks are errors (not names it never defined), and a person must look."""
    a2 = load_assignment("a2")
    a2 = replace(a2, pack=replace(a2.pack, limits=Limits(submission_seconds=2.0, statement_timeout=5.0)))
    slow = "class Slow:\n    def __init__(self):\n        import time\n        time.sleep(30)\n\n\nslow = Slow()"
    path = realform.write_part1(tmp_path / "A2_SLOW_Jane.ipynb", prelude=slow)  # a class it defines is run
    report = grade_notebook(path, a2)
    codes = [p.code for p in report.problems]
    assert "time-budget" in codes and "runtime-failed" not in codes
    assert next(p for p in report.problems if p.code == "time-budget").blocking
    code_checks = [c for t in report.tasks for c in t.checks if c.name in a2.checks and a2.checks[c.name].runtime]
    assert code_checks and all(c.status == Status.ERROR for c in code_checks)
    result = BatchResult(reports={"A2_SLOW_Jane": report})
    assert result.need_a_person == ["A2_SLOW_Jane"] and result.noted == []
    assert exit_status(result) == EXIT_NEEDS_PERSON
