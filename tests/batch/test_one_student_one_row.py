"""One student, one row: a notebook named freely (``A2_end.ipynb``) takes its name from its
STUDENT cell, and when that name is a classmate's the class needs a person, with both rows kept."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.cli import EXIT_NEEDS_PERSON, EXIT_OK, exit_status
from grader.frontends.batch import grade_all
from tests.support.batch import tiny_notebook
from tests.support.nbfactory import stream, write_notebook


def free_named(path: Path, student: str) -> Path:
    """A notebook whose file name says nobody, whose STUDENT cell says ``student``."""
    return write_notebook(
        path,
        [
            ("markdown", "# A2"),
            ("markdown", f"**STUDENT**: {student}"),
            ("markdown", "### Question 1.4"),
            ("code", "x = 1\nprint(x)", 1, [stream("FAILURE: gradcheck.\n")]),
            ("markdown", "I, Claire Martin, certify that this is my own work."),
        ],
    )


def gradebook(out: Path) -> list[dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_a_cell_name_that_is_a_classmates_needs_a_person_and_keeps_both_rows(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    tiny_notebook(folder / "A2_MARTIN_Claire.ipynb")
    tiny_notebook(folder / "A2_DOE_Jane.ipynb")
    free_named(folder / "A2_end.ipynb", "Claire Martin")  # accents, case and order aside: the same
    out = tmp_path / "reports"
    result = grade_all([folder], out, jobs=1)
    assert sorted(result.need_a_person) == ["A2_MARTIN_Claire", "A2_end"]
    assert exit_status(result) == EXIT_NEEDS_PERSON
    rows = {r["file"]: r for r in gradebook(out)}
    assert len(rows) == 3  # nothing merged, nothing dropped
    for mine, other in (("A2_end.ipynb", "A2_MARTIN_Claire.ipynb"), ("A2_MARTIN_Claire.ipynb", "A2_end.ipynb")):
        assert rows[mine]["last_name"].upper() == "MARTIN" and rows[mine]["total"] != ""
        assert "identity-shared" in rows[mine]["problems"].split(";")
        assert rows[mine]["status"].startswith("same student as another row") and other in rows[mine]["status"]
    assert "identity-shared" not in rows["A2_DOE_Jane.ipynb"]["problems"]
    assert "identity-shared" in (out / "summary.html").read_text(encoding="utf-8")


def test_a_late_free_named_notebook_is_compared_with_the_class(tmp_path: Path) -> None:
    """The classmate was graded in an earlier run: the new notebook still needs a person."""
    first, late = tmp_path / "in", tmp_path / "late"
    first.mkdir()
    late.mkdir()
    tiny_notebook(first / "A2_MARTIN_Claire.ipynb")
    out = tmp_path / "reports"
    assert exit_status(grade_all([first], out, jobs=1)) == EXIT_OK
    free_named(late / "A2_final.ipynb", "MARTIN Claire")
    result = grade_all([late], out, jobs=1)
    assert result.need_a_person == ["A2_final"]
    assert sum(r["last_name"].upper() == "MARTIN" for r in gradebook(out)) == 2


def test_a_cell_name_nobody_else_has_is_a_note_only(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    tiny_notebook(folder / "A2_DOE_Jane.ipynb")
    free_named(folder / "A2_end.ipynb", "Claire Martin")
    result = grade_all([folder], tmp_path / "reports", jobs=1)
    assert result.need_a_person == [] and result.noted == ["A2_end"]
    assert exit_status(result) == EXIT_OK
