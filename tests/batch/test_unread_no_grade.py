"""No grade for what could not be read: a submission with a blocking problem (invalid JSON) has
no total, no marking rows and no Moodle grade, and says it needs a person, whatever is marked."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.cli import EXIT_NEEDS_PERSON, exit_status, main
from grader.frontends.batch import grade_all
from grader.frontends.classfolder import save_marks
from grader.frontends.manual import COLUMNS, ManualMarksError, import_sheet
from grader.frontends.moodle.worksheet import fill_worksheet
from grader.grading.scoring import ManualMark
from grader.reports.gradebook import RowStatus
from tests.support.batch import report_json, tiny_notebook
from tests.support.moodlefactory import Student, colab_bytes, moodle_download, worksheet

GOOD, BAD = "A2_DUPONT_Jean-123456", "A2_BAD_Json-123470"
#: The sentence the reader gives an invalid JSON file (its problem's message), in part.
NOT_JSON = "not valid JSON"


@pytest.fixture
def graded(tmp_path: Path) -> tuple[Path, list[Student]]:
    (tmp_path / "src").mkdir()
    good = colab_bytes(nbformat.read(tiny_notebook(tmp_path / "src" / "A2_DUPONT_Jean.ipynb"), as_version=4))
    students = [
        Student("Jean Dupont", "123456", {"A2_DUPONT_Jean.ipynb": good}),
        Student("Bad Json", "123470", {"A2_BAD_Json.ipynb": b"{ this is not json"}),
    ]
    out = tmp_path / "reports"
    download = moodle_download(tmp_path / "A2-download", students, "zip-flat")
    assert exit_status(grade_all([download], out, jobs=1)) == EXIT_NEEDS_PERSON
    return out, students


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as f:
        return {r["participant"]: r for r in csv.DictReader(f)}


def _sheet(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_the_gradebook_gives_no_total_and_says_a_person_is_needed(graded):
    out, _ = graded
    bad = _gradebook(out)["123470"]
    assert bad["total"] == "" and bad["pending"] == ""
    assert bad["1.1"] == "" and bad["1.4"] == ""  # no task score either
    assert bad["status"].startswith(f"{RowStatus.UNREAD}: no total;") and NOT_JSON in bad["status"]
    assert _gradebook(out)["123456"]["status"] == RowStatus.PENDING  # the readable one is unchanged


def test_no_marking_rows_and_an_import_for_it_is_refused(graded, tmp_path):
    out, _ = graded
    assert main(["manual", "export", "--reports", str(out)]) == 0
    rows = _sheet(out / "manual_marks.csv")
    assert {r["submission"] for r in rows} == {GOOD}
    sheet = tmp_path / "marks.csv"
    with open(sheet, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow({"submission": BAD, "task": "1.1", "points": "6"})
    with pytest.raises(ManualMarksError, match="needs a person, not marks"):
        import_sheet(sheet, out)
    assert not (out / "manual_marks.json").exists()


def _marked_anyway(out: Path, tmp_path: Path) -> str:
    """Marks recorded for it (from before a resubmission broke it), and the class graded again;
    returns the total those marks make, as a report would print it."""
    save_marks(out, {BAD: {"1.1": ManualMark(6.0), "1.7": ManualMark(5.0)}})
    assert exit_status(grade_all([tmp_path / "A2-download.zip"], out, jobs=1)) == EXIT_NEEDS_PERSON
    assert report_json(out, BAD)["score"] == 11  # the data keeps what was scored...
    return "11 / "  # "11 / 68 so far · …" or "11 / 100" on any total line


def test_marks_already_recorded_give_no_total_either(graded, tmp_path):
    out, _ = graded
    total = _marked_anyway(out, tmp_path)
    bad = _gradebook(out)["123470"]  # ... what people see does not
    assert bad["total"] == "" and bad["status"].startswith(RowStatus.UNREAD)
    report_html = (out / BAD / "report.html").read_text(encoding="utf-8")
    assert "no grade" in report_html and total not in report_html


def test_the_worksheet_leaves_its_grade_empty_even_with_include_pending(graded, tmp_path, capsys):
    out, students = graded
    sheet = worksheet(tmp_path / "Grades.csv", students)
    filled = tmp_path / "filled.csv"
    assert main(["moodle", "worksheet", str(sheet), "--reports", str(out), "--out", str(filled)]) == 2
    assert "could not read their notebook" in capsys.readouterr().out
    from grader.frontends.classfolder import class_reports

    result = fill_worksheet(sheet, class_reports(out), filled, include_pending=True)
    assert result.unread == ["123470"] and result.graded == ["123456"]
    with open(filled, encoding="utf-8", newline="") as f:
        rows = {r["Identifier"]: r for r in csv.DictReader(f)}
    bad = rows["Participant 123470"]
    assert bad["Grade"] == ""
    assert NOT_JSON in bad["Feedback comments"] and "invalid-json" not in bad["Feedback comments"]
    assert rows["Participant 123456"]["Grade"] != ""


def test_the_feedback_file_says_no_grade_and_why(graded, tmp_path):
    out, _ = graded
    total = _marked_anyway(out, tmp_path)
    zipped = tmp_path / "feedback.zip"
    assert main(["moodle", "feedback", "--reports", str(out), "--out", str(zipped)]) == 0
    with zipfile.ZipFile(zipped) as archive:
        page = archive.read("Bad Json_123470_assignfeedback_file_/report.html").decode("utf-8")
    assert "no grade" in page and NOT_JSON in page and total not in page
