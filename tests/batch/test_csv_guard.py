"""Every CSV the grader writes for a class neutralises the cells a spreadsheet would run.

File names, names and answers are the students': a file named ``=HYPERLINK(...).ipynb`` must
reach ``gradebook.csv``, ``manual_marks.csv`` and ``similarity.csv`` as text.
"""

from __future__ import annotations

from pathlib import Path

from grader.cli import exit_status, main
from grader.common import csvio
from grader.frontends.batch import grade_all
from grader.frontends.manual import export_sheet
from tests.support.batch import tiny_notebook

#: OWASP's list of characters that start a formula, tab and carriage return included.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = (
    '=HYPERLINK("https:example.com","click").ipynb',
    "A2_+SUM(1)_@cmd.ipynb",
    "-2+3.ipynb",
    "\t=1+1.ipynb",
)


def test_no_cell_of_any_csv_written_for_a_hostile_class_is_a_formula(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in HOSTILE:
        tiny_notebook(folder / name, answer="=1+1 is my answer")
    tiny_notebook(folder / "A2_DOE_Jane.ipynb")
    out = tmp_path / "out"
    assert exit_status(grade_all([folder], out, jobs=1)) == 0
    export_sheet(out)
    assert main(["similarity", str(folder), "--out", str(out / "similarity"), "--no-base"]) == 0

    written = sorted(out.rglob("*.csv"))
    assert {p.name for p in written} == {"gradebook.csv", "manual_marks.csv", "similarity.csv"}
    for path in written:
        rows, _ = csvio.read_table(path)
        cells = [cell for row in rows for cell in row]
        hostile = [c for c in cells if c.startswith(FORMULA_START) and not _number(c)]
        assert not hostile, f"{path.name}: {hostile}"
        # the names are there, neutralised: the guard ran, the rows were not dropped
        assert any(c.startswith("'=HYPERLINK(") for c in cells), path.name


def _number(cell: str) -> bool:
    try:
        csvio.parse_number(cell)
    except ValueError:
        return False
    return True
