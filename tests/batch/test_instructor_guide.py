"""The instructor guide's Moodle walk-through (``docs/instructor.md``), followed step by step: its
five commands, read from the page, run through ``grader.cli.main`` on the example download and worksheet of
``examples/moodle/`` (three sample submissions, one of them truncated); between export and
import the marker's step (points in the sheet) is done here."""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
import zipfile
from pathlib import Path

from grader.cli import EXIT_NEEDS_PERSON, main
from grader.frontends.batch.progress import Progress
from grader.frontends.classfolder import Job
from grader.frontends.moodle.download import member_name
from tests.support import moodle_example
from tests.support.moodle_example import EXAMPLE

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "instructor.md"


def guide_commands() -> list[list[str]]:
    """The ``grader`` command lines of the guide's Moodle section, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Moodle: from the download to the uploads") :]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1)
    return [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.startswith("grader ")]


def test_the_example_is_made_from_the_sample_submissions(tmp_path):
    """examples/moodle/ holds what the builder makes of submissions/ now: not stale."""
    fresh_download, fresh_sheet = moodle_example.write(tmp_path)
    assert (EXAMPLE / moodle_example.WORKSHEET).read_bytes() == fresh_sheet.read_bytes()

    def members(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as archive:
            return {member_name(i): archive.read(i) for i in archive.infolist()}

    assert members(EXAMPLE / moodle_example.DOWNLOAD) == members(fresh_download)


def test_the_moodle_walkthrough(tmp_path, monkeypatch, capsys):
    """From a copy of the checkout's examples/, the guide's five commands as written."""
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "moodle")
    monkeypatch.chdir(tmp_path)
    commands = guide_commands()
    assert [c[:2] for c in commands] == [
        ["grader", "grade"], ["grader", "manual"], ["grader", "manual"], ["grader", "moodle"], ["grader", "moodle"],
    ]  # fmt: skip
    grade, export, import_, fill, pack = (c[1:] for c in commands)

    # 1. the download: John Smith's truncated notebook needs a person
    assert grade[1] == f"examples/moodle/{moodle_example.DOWNLOAD}"
    assert main([*grade, "--jobs", "1"]) == EXIT_NEEDS_PERSON
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert f"Step 1 ends `{last}`" in " ".join(GUIDE.read_text(encoding="utf-8").split())  # as the guide says
    reports = Path(grade[grade.index("--out") + 1])
    assert {p.parent.name for p in reports.glob("*/report.json")} == {
        "A2_DUBOIS_Hugo-100001", "Copie de A2_LEFEVRE_Hélène (2)-100002", "A2_SMITH_John-100003",
    }  # fmt: skip

    # 2. export (John Smith has no rows), then the marker fills every row with full points
    # (as French Excel saves it)
    assert main(export) == 0
    sheet = Path(import_[2])
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["submission"] for r in rows} == {"A2_DUBOIS_Hugo-100001", "Copie de A2_LEFEVRE_Hélène (2)-100002"}
    for row in rows:
        row["points"] = row["max_points"].replace(".", ",")
    with open(sheet, "w", encoding="cp1252", errors="replace", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    # 3. import
    assert main(import_) == 0

    # 4. the worksheet filled: the two read are graded, John Smith's grade stays empty
    assert main(fill) == 2
    graded_path = Path(fill[fill.index("--out") + 1])
    with open(graded_path, encoding="utf-8", newline="") as f:
        filled = {r["Identifier"]: r for r in csv.DictReader(f)}
    with open(fill[2], encoding="utf-8", newline="") as f:
        original = {r["Identifier"]: r for r in csv.DictReader(f)}
    for pid in ("100001", "100002"):
        row = filled[f"Participant {pid}"]
        assert row["Grade"] and float(row["Grade"]) > 0
        assert row["Feedback comments"].startswith("Autograder:")
        assert "to be marked" not in row["Feedback comments"]
        assert {k: v for k, v in row.items() if k not in ("Grade", "Feedback comments")} == {
            k: v for k, v in original[f"Participant {pid}"].items() if k not in ("Grade", "Feedback comments")
        }  # fmt: skip
    smith = filled["Participant 100003"]
    assert smith["Grade"] == "" and "not valid JSON" in smith["Feedback comments"]
    assert filled["Participant 100004"] == original["Participant 100004"]

    # 5. the feedback ZIP, in Moodle's upload layout, student views only
    assert main(pack) == 0
    with zipfile.ZipFile(pack[pack.index("--out") + 1]) as z:
        assert sorted(z.namelist()) == [
            f"{name}_{pid}_assignfeedback_file_/{file}"
            for name, pid, _ in sorted(moodle_example.PARTICIPANTS)
            for file in ("report.html", "report.md")
        ]


def test_the_progress_lines_are_what_the_guide_shows(tmp_path):
    """The guide's two plain progress lines, numbers aside, are what a run prints."""
    text = GUIDE.read_text(encoding="utf-8")
    block = text[text.index("one plain line per submission") :]
    shown = re.search(r"```text\n(.*?)```", block, re.DOTALL).group(1).splitlines()
    manual = {"status": "manual", "max_score": 32}
    reports = [
        {"score": 61, "max_score": 100, "problems": [], "tasks": [{"checks": [manual]}]},
        {"score": 0, "max_score": 100, "tasks": [], "problems": [{"code": "invalid-json", "kind": "blocking"}]},
    ]
    stream = io.StringIO()
    progress = Progress(240, 11, stream)
    for name, report in zip(("A2_DOE_Jane", "A2_SMITH_John"), reports, strict=True):
        progress.advance(Job(tmp_path / f"{name}.ipynb", tmp_path / name, ""), report)
    printed = stream.getvalue().splitlines()
    assert len(printed) == len(shown) == 2
    for line, example in zip(printed, shown, strict=True):
        assert re.fullmatch(re.sub(r"\d+", r"\\d+", re.escape(example)), line), (line, example)
