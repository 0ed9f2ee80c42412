"""The README's Moodle walk-through, followed step by step: its five commands, read from the
README, run through ``grader.cli.main`` on a Moodle ZIP and worksheet built as Moodle writes
them; between export and import the marker's step (points in the sheet) is done here."""

from __future__ import annotations

import csv
import re
import shlex
import zipfile
from pathlib import Path

import nbformat

from grader.cli import EXIT_OK, main
from tests.support.batch import tiny_notebook
from tests.support.moodlefactory import Student, colab_bytes, moodle_download, worksheet

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[list[str]]:
    """The ``grader`` command lines of the README's Moodle section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Moodle: from the download to the uploads") :]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1)
    return [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.startswith("grader ")]


def test_the_moodle_walkthrough(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    students = [
        Student("Jean Dupont", "123456", {"A2_DUPONT_Jean.ipynb": b""}),
        Student("Zoë Lefèvre", "123457", {"A2_LEFEVRE_Zoe.ipynb": b""}),
    ]
    for student in students:
        (name,) = student.files
        path = tiny_notebook(tmp_path / "src" / name)
        student.files[name] = colab_bytes(nbformat.read(path, as_version=4))
    commands = readme_commands()
    assert [c[:2] for c in commands] == [
        ["grader", "grade"], ["grader", "manual"], ["grader", "manual"], ["grader", "moodle"], ["grader", "moodle"],
    ]  # fmt: skip
    grade, export, import_, fill, pack = (c[1:] for c in commands)

    # 1. the download, as Moodle names it in the README's command
    download = moodle_download(tmp_path / Path(grade[1]).stem, students, "zip-flat")
    assert download.name == grade[1]
    assert main([*grade, "--jobs", "1"]) == EXIT_OK
    reports = Path(grade[grade.index("--out") + 1])
    assert {p.parent.name for p in reports.glob("*/report.json")} == {
        "A2_DUPONT_Jean-123456", "A2_LEFEVRE_Zoe-123457",
    }  # fmt: skip

    # 2. export, then the marker fills every row with full points (as French Excel saves it)
    assert main(export) == 0
    sheet = Path(import_[2])
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        row["points"] = row["max_points"].replace(".", ",")
    with open(sheet, "w", encoding="cp1252", errors="replace", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    # 3. import
    assert main(import_) == 0

    # 4. the worksheet of "Download grading worksheet", filled: every participant graded now
    ws = worksheet(Path(fill[2]), students, extra_rows=(("Paul Absent", "123458"),))
    assert main(fill) == 0
    graded_path = Path(fill[fill.index("--out") + 1])
    with open(graded_path, encoding="utf-8", newline="") as f:
        filled = {r["Identifier"]: r for r in csv.DictReader(f)}
    with open(ws, encoding="utf-8", newline="") as f:
        original = {r["Identifier"]: r for r in csv.DictReader(f)}
    for pid in ("123456", "123457"):
        row = filled[f"Participant {pid}"]
        assert row["Grade"] and float(row["Grade"]) > 0
        assert row["Feedback comments"].startswith("Autograder:")
        assert "to be marked" not in row["Feedback comments"]
        assert {k: v for k, v in row.items() if k not in ("Grade", "Feedback comments")} == {
            k: v for k, v in original[f"Participant {pid}"].items() if k not in ("Grade", "Feedback comments")
        }  # fmt: skip
    assert filled["Participant 123458"] == original["Participant 123458"]

    # 5. the feedback ZIP, in Moodle's upload layout, student views only
    assert main(pack) == 0
    with zipfile.ZipFile(pack[pack.index("--out") + 1]) as z:
        assert sorted(z.namelist()) == [
            "Jean Dupont_123456_assignfeedback_file_/report.html",
            "Jean Dupont_123456_assignfeedback_file_/report.md",
            "Zoë Lefèvre_123457_assignfeedback_file_/report.html",
            "Zoë Lefèvre_123457_assignfeedback_file_/report.md",
        ]
