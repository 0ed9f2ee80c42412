"""Moodle out: the grading worksheet filled without touching anything else, in the encoding
and delimiter it came in; the feedback ZIP in Moodle's upload layout, with student views only."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace

import pytest

from grader.frontends.moodle.feedback import write_feedback_zip
from grader.frontends.moodle.worksheet import fill_worksheet
from grader.model.results import CheckResult
from grader.reports import STUDENT_DIR, write_student_report
from tests.support.moodlefactory import Student, worksheet
from tests.support.reportfactory import HIDDEN_STRINGS, make_report


def _moodle_reports() -> dict[str, object]:
    done = replace(make_report(), problems=(), moodle={"participant": "123456", "full_name": "Jean Dupont", "report_folder": "a"})
    pending = replace(
        make_report(submission="A2_ROE_Rita.ipynb"),
        tasks=(replace(make_report().tasks[0], checks=(CheckResult("written answer", "manual", 0.0, 2.0),)),),
        moodle={"participant": "123457", "full_name": "Rita Roe", "report_folder": "b"},
    )
    return {"a": done, "b": pending}


@pytest.mark.parametrize(("encoding", "delimiter", "decimal"), [("utf-8", ",", "."), ("cp1252", ";", ",")])
def test_worksheet_round_trip_changes_grade_and_feedback_only(tmp_path, encoding, delimiter, decimal):
    students = [Student("Jean Dupont", "123456"), Student("Rita Roe", "123457")]
    sheet = worksheet(tmp_path / "ws.csv", students, encoding=encoding, delimiter=delimiter,
                      maximum=f"20{decimal}00", extra_rows=(("Zoë Absente", "123459"),))  # fmt: skip
    out = tmp_path / "graded.csv"
    result = fill_worksheet(sheet, _moodle_reports(), out)
    assert (result.graded, result.pending, result.no_report) == (["123456"], ["123457"], ["123459"])
    before = list(csv.reader(io.StringIO(sheet.read_bytes().decode(encoding)), delimiter=delimiter))
    after = list(csv.reader(io.StringIO(out.read_bytes().decode(encoding)), delimiter=delimiter))
    assert after[0] == before[0] and len(after) == len(before)
    grade, feedback = before[0].index("Grade"), before[0].index("Feedback comments")
    for old, new in zip(before, after, strict=True):
        assert [c for i, c in enumerate(old) if i not in (grade, feedback)] == [
            c for i, c in enumerate(new) if i not in (grade, feedback)
        ]
    jean, rita, zoe = after[1:]
    assert jean[grade] == f"5{decimal}38"  # 3.5 / 13 scaled to 20
    assert "Autograder: 3.5 / 13" in jean[feedback]
    assert rita[grade] == "" and "to be marked by hand" in rita[feedback]
    assert zoe[grade] == "" and zoe[feedback] == ""
    assert b"\r\n" not in out.read_bytes()  # Moodle's own line ends kept
    again = fill_worksheet(sheet, _moodle_reports(), tmp_path / "all.csv", include_pending=True)
    assert again.graded == ["123456", "123457"]


def test_feedback_zip_holds_student_views_in_moodles_layout(tmp_path):
    reports = _moodle_reports()
    for folder, report in reports.items():
        write_student_report(report, tmp_path / folder / STUDENT_DIR)
    archive = tmp_path / "feedback.zip"
    assert write_feedback_zip(tmp_path, reports, archive) == ["123456", "123457"]
    with zipfile.ZipFile(archive) as z:
        names = sorted(z.namelist())
        assert names == [
            "Jean Dupont_123456_assignfeedback_file_/report.html",
            "Jean Dupont_123456_assignfeedback_file_/report.md",
            "Rita Roe_123457_assignfeedback_file_/report.html",
            "Rita Roe_123457_assignfeedback_file_/report.md",
        ]
        text = "".join(z.read(n).decode("utf-8") for n in names)
    assert not any(s in text for s in HIDDEN_STRINGS)
    assert "reference answer" not in text


def test_the_feedback_comment_says_problems_in_sentences_each_once():
    """Students read the problems' sentences, not the codes tools group by."""
    from grader.frontends.moodle.worksheet import comment
    from grader.notebook.problems import Problem

    wandb = Problem("stand-in-module", "wandb is not installed here: a stand-in was used.")
    report = replace(
        make_report(),
        problems=(
            Problem("bad-filename", "A2.ipynb should be named A2_LASTNAME_Firstname.ipynb (a .ipynb notebook)."),
            Problem("identity-from-cell", "Your name was read from the STUDENT cell"),
            wandb,
            wandb,
        ),
    )
    text = comment(report)
    assert "A2.ipynb should be named A2_LASTNAME_Firstname.ipynb (a .ipynb notebook)." in text
    assert "Your name was read from the STUDENT cell." in text  # made a sentence
    assert text.count("wandb is not installed here") == 1
    assert not any(code in text for code in ("bad-filename", "identity-from-cell", "stand-in-module"))
