"""Manual marks: export a sheet, import it back, and every output of the class follows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grader.assignments import a2
from grader.cli import exit_status, main
from grader.frontends.batch import grade_all
from grader.frontends.manual import COLUMNS, ManualMarksError, import_sheet
from grader.model.rubric import load_rubric
from tests.support.batch import report_json


@pytest.fixture
def graded(class_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert exit_status(grade_all([class_dir], out, jobs=1)) == 0
    return out


def read_sheet(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def mark(rows, submission, task, points, comment=""):
    for row in rows:
        if row["submission"] == submission and row["task"] == task:
            row["points"], row["comment"] = points, comment
            return
    raise AssertionError(f"no row for {submission} {task}")


def gradebook_total(out: Path, file: str) -> str:
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as f:
        return next(r["total"] for r in csv.DictReader(f) if r["file"] == file)


def test_export_lists_every_written_task_with_the_answers_beside_the_expected(graded, capsys):
    assert main(["manual", "export", "--reports", str(graded)]) == 0
    rows = read_sheet(graded / "manual_marks.csv")
    written = [t.id for t in load_rubric(Path(a2.__file__).with_name(a2.PACK.rubric)).tasks if t.manual_points]
    assert [r["task"] for r in rows if r["submission"] == "A2_DOE_Jane"] == written
    assert {r["submission"] for r in rows} == {"A2_DOE_Jane", "A2_ROE_Rita", "A2_POE_Edgar"}
    jane = next(r for r in rows if r["submission"] == "A2_DOE_Jane" and r["task"] == "1.1")
    assert jane["student"] == "DOE Jane" and jane["max_points"] == "6"
    assert jane["points"] == "" and jane["comment"] == ""
    assert "chain rule" in jane["answer"]

    page = (graded / "manual_marks.html").read_text(encoding="utf-8")
    # answers are rendered by grader.common.render: Markdown shown, the script dropped
    assert "<script" not in page and "alert(1)" not in page and "no idea" in page
    assert "∂s/∂Yo = −Y·σ(−Y·Yo)" in page  # the rubric's expected answer of 1.1
    assert 'href="A2_DOE_Jane/report.html"' in page
    assert page.index('id="task-1.1"') < page.index('id="task-1.3"') < page.index('id="task-1.7"')


def test_import_changes_scores_reports_gradebook_and_survives_a_regrade(
    graded, class_dir, count_gradings, tmp_path
):
    sheet = tmp_path / "marks.csv"
    assert main(["manual", "export", "--reports", str(graded), "--to", str(sheet)]) == 0
    assert (tmp_path / "marks.html").exists()
    rows = read_sheet(sheet)
    mark(rows, "A2_DOE_Jane", "1.1", "5", "missing the ReLU mask in ∂s/∂bi")
    mark(rows, "A2_DOE_Jane", "1.7", "2.5")
    write_sheet(sheet, rows)
    before = {
        name: (graded / "A2_DOE_Jane" / name).read_text()
        for name in ("report.md", "report.html", "results.json", "junit.xml")
    }
    rita_before = (graded / "A2_ROE_Rita" / "report.json").read_bytes()

    assert main(["manual", "import", str(sheet), "--reports", str(graded)]) == 0
    jane = report_json(graded, "A2_DOE_Jane")
    assert jane["score"] == 2 + 5 + 2.5
    task = next(t for t in jane["tasks"] if t["id"] == "1.1")
    assert task["score"] == 5 and task["status"] == "partial"
    assert (
        next(c for c in task["checks"] if c["name"] == "written answer")["message"]
        == "missing the ReLU mask in ∂s/∂bi"
    )
    assert gradebook_total(graded, "A2_DOE_Jane.ipynb") == "9.5"
    for name, old in before.items():
        new = (graded / "A2_DOE_Jane" / name).read_text()
        assert new != old, name
    assert "missing the ReLU mask" in (graded / "A2_DOE_Jane" / "report.html").read_text()
    assert json.loads((graded / "A2_DOE_Jane" / "results.json").read_text())["score"] == 9.5
    assert (graded / "A2_ROE_Rita" / "report.json").read_bytes() == rita_before  # not touched
    assert (
        json.loads((graded / "manual_marks.json").read_text())["submissions"]["A2_DOE_Jane"]["1.7"][
            "score"
        ]
        == 2.5
    )

    # grading again keeps the marks, and does not grade what is unchanged
    count_gradings.clear()
    assert exit_status(grade_all([class_dir], graded, jobs=1)) == 0
    assert count_gradings == []
    assert report_json(graded, "A2_DOE_Jane")["score"] == 9.5
    assert exit_status(grade_all([class_dir], graded, jobs=1, force=True)) == 0
    assert len(count_gradings) == 3
    assert report_json(graded, "A2_DOE_Jane")["score"] == 9.5
    assert gradebook_total(graded, "A2_DOE_Jane.ipynb") == "9.5"

    # a later import (a second marker) merges; the next run re-scores without grading
    rows = read_sheet(sheet)
    mark(rows, "A2_DOE_Jane", "1.1", "6", "full marks after all")
    mark(rows, "A2_ROE_Rita", "1.1", "0", "no derivation")
    write_sheet(sheet, rows)
    assert import_sheet(sheet, graded) == ["A2_DOE_Jane", "A2_ROE_Rita"]
    assert report_json(graded, "A2_DOE_Jane")["score"] == 2 + 6 + 2.5
    rita = next(t for t in report_json(graded, "A2_ROE_Rita")["tasks"] if t["id"] == "1.1")
    assert rita["status"] == "failed" and rita["score"] == 0
    count_gradings.clear()
    assert exit_status(grade_all([class_dir], graded, jobs=1)) == 0
    assert count_gradings == []


def test_a_sheet_with_bad_rows_is_refused_whole(graded, tmp_path, capsys):
    assert main(["manual", "export", "--reports", str(graded)]) == 0
    rows = read_sheet(graded / "manual_marks.csv")
    mark(rows, "A2_DOE_Jane", "1.1", "4")  # a good row: not imported either
    mark(rows, "A2_DOE_Jane", "1.3", "7")  # out of range (3 points)
    mark(rows, "A2_POE_Edgar", "1.7", "lots")
    mark(rows, "A2_ROE_Rita", "1.7", "", "a comment and no points")
    rows.append({**rows[0], "submission": "A2_NOBODY_Here", "points": "1"})
    rows.append({**rows[0], "task": "1.2", "points": "1"})  # a code task: not marked by hand
    rows.append({**rows[0], "task": "9.9", "points": "1"})
    rows.append(
        dict(next(r for r in rows if r["submission"] == "A2_DOE_Jane" and r["task"] == "1.1"))
    )
    sheet = write_sheet(tmp_path / "bad.csv", rows)
    before = report_json(graded, "A2_DOE_Jane")

    with pytest.raises(ManualMarksError) as error:
        import_sheet(sheet, graded)
    problems = error.value.problems
    assert len(problems) == 7, problems
    text = str(error.value)
    assert "out of range 0–3" in text and "'lots' is not a number" in text
    assert "a comment but no points" in text
    assert "unknown submission 'A2_NOBODY_Here'" in text
    assert "unknown task '1.2'" in text and "unknown task '9.9'" in text
    assert "marked twice" in text
    assert all(p.startswith("row ") for p in problems)
    assert not (graded / "manual_marks.json").exists()
    assert report_json(graded, "A2_DOE_Jane") == before

    assert main(["manual", "import", str(sheet), "--reports", str(graded)]) == 2
    assert "nothing imported, 7 problem(s)" in capsys.readouterr().err

    write_sheet(tmp_path / "short.csv", [])
    (tmp_path / "short.csv").write_text("student,points\nDOE,1\n")
    with pytest.raises(ManualMarksError, match="missing column"):
        import_sheet(tmp_path / "short.csv", graded)
