"""gradebook.csv: one row per submission that survives a spreadsheet and a round trip."""

from __future__ import annotations

import codecs
import csv
from dataclasses import replace

from grader.common.csvio import dialect
from grader.model.results import CheckResult
from grader.notebook.problems import Problem
from grader.reports.gradebook import write_gradebook
from tests.support.reportfactory import make_report

HARD_NAME = {"last_name": 'DE LA CRUZ, "Jr"', "first_name": "Zoë-Françoise"}


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_names_with_commas_quotes_and_accents_round_trip(tmp_path):
    reports = [
        make_report(),
        make_report(HARD_NAME, "A2_DE-LA-CRUZ_Zoe.ipynb"),
        make_report(None, "x.ipynb"),
    ]
    path = tmp_path / "gradebook.csv"
    write_gradebook(reports, path)
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    rows = read(path)
    assert [(r["last_name"], r["first_name"], r["file"]) for r in rows] == [
        ("DOE", "Jane", "A2_DOE_Jane.ipynb"),
        ('DE LA CRUZ, "Jr"', "Zoë-Françoise", "A2_DE-LA-CRUZ_Zoe.ipynb"),
        ("", "", "x.ipynb"),
    ]


def test_columns_scores_totals_and_problems(tmp_path):
    path = tmp_path / "gradebook.csv"
    write_gradebook([make_report()], path)
    (row,) = read(path)
    assert list(row) == [
        "last_name",
        "first_name",
        "file",
        "1.1",
        "1.2",
        "1.4",
        "1.5",
        "3.2",
        "3.4",
        "3.6",
        "total",
        "max",
        "pending",
        "status",
        "problems",
        "diagnoses",
    ]
    assert (row["1.2"], row["1.4"], row["total"], row["max"]) == ("1.5", "2", "3.5", "13")
    assert (row["pending"], row["status"]) == ("0", "complete")
    assert row["problems"] == "bad-filename;saved-error"


def test_task_columns_are_the_union_in_rubric_order(tmp_path):
    full = make_report()
    extra = replace(full.tasks[2], id="2.1", title="Laplacian")
    other = replace(make_report(submission="b.ipynb"), tasks=(full.tasks[1], extra), problems=())
    path = tmp_path / "gradebook.csv"
    write_gradebook([full, other], path)
    rows = read(path)
    assert list(rows[0])[3:-6] == ["1.1", "1.2", "1.4", "1.5", "3.2", "3.4", "3.6", "2.1"]
    assert rows[0]["2.1"] == "" and rows[1]["2.1"] == "2" and rows[1]["1.1"] == ""
    assert rows[1]["problems"] == ""


def test_formula_like_cells_are_neutralised(tmp_path):
    path = tmp_path / "gradebook.csv"
    write_gradebook(
        [make_report({"last_name": "=HYPERLINK(1)", "first_name": "@x"}, "+a.ipynb")], path
    )
    (row,) = read(path)
    assert (row["last_name"], row["first_name"], row["file"]) == (
        "'=HYPERLINK(1)",
        "'@x",
        "'+a.ipynb",
    )


def test_a_grader_error_has_no_total_and_says_why(tmp_path):
    failed = replace(
        make_report(submission="b.ipynb"),
        tasks=(),
        score=0.0,
        problems=(Problem("grader-error", "the grader failed on this notebook (KeyError: 'x')"),),
    )
    path = tmp_path / "gradebook.csv"
    write_gradebook([make_report(), failed], path)
    ok, bad = read(path)
    assert ok["total"] == "3.5" and bad["total"] == ""
    assert bad["status"].startswith("grader error") and "KeyError" in bad["status"]


def test_points_awaiting_a_person_are_pending_not_zero(tmp_path):
    report = make_report()
    written = replace(
        report.tasks[0], checks=(CheckResult("written answer", "manual", 0.0, 2.0, "awaiting"),)
    )
    path = tmp_path / "gradebook.csv"
    write_gradebook([replace(report, tasks=(written, *report.tasks[1:]))], path)
    (row,) = read(path)
    assert (row["pending"], row["status"]) == ("2", "to be marked by hand")
    assert row["1.1"] == "" and row["1.2"] == "1.5"


def test_excel_fr_dialect_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "gradebook.csv"
    write_gradebook([make_report(HARD_NAME, "A2_DE-LA-CRUZ_Zoe.ipynb")], path, dialect("excel-fr"))
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    with open(path, encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f, delimiter=";"))
    assert (row["1.2"], row["total"]) == ("1,5", "3,5")
    assert row["last_name"] == 'DE LA CRUZ, "Jr"'
