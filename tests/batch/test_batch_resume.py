"""Resume, --force, failures that cost one submission only, plain progress off a terminal."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import grader.frontends.classfolder
from grader.cli import EXIT_NEEDS_PERSON, EXIT_USAGE, exit_status
from grader.frontends.batch import grade_all
from grader.frontends.classfolder import plan
from tests.support.batch import report_json, tiny_notebook
from tests.support.nbfactory import write_notebook


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def test_second_run_grades_only_what_changed(
    class_dir, tmp_path, count_gradings, capsys, monkeypatch
):
    out = tmp_path / "out"
    assert exit_status(grade_all([class_dir], out, jobs=1)) == 0
    assert sorted(count_gradings) == [
        "A2_DOE_Jane.ipynb",
        "A2_POE_Edgar.ipynb",
        "A2_ROE_Rita.ipynb",
    ]
    first = capsys.readouterr().out
    # stdout is not a terminal here: one plain line per submission, no control codes
    assert "\x1b" not in first and "\r" not in first
    assert "[3/3]" in first and "eta" in first
    assert gradebook(out)["A2_DOE_Jane.ipynb"]["total"] == "2"  # the SUCCESS line of task 1.4
    assert gradebook(out)["A2_ROE_Rita.ipynb"]["total"] == "0"

    count_gradings.clear()
    assert exit_status(grade_all([class_dir], out, jobs=1)) == 0
    assert count_gradings == []
    assert "graded 0 notebook(s), 3 up to date" in capsys.readouterr().out

    tiny_notebook(class_dir / "A2_ROE_Rita.ipynb", success=True)  # resubmitted, now passing
    assert exit_status(grade_all([class_dir], out, jobs=1)) == 0
    assert count_gradings == ["A2_ROE_Rita.ipynb"]
    assert gradebook(out)["A2_ROE_Rita.ipynb"]["total"] == "2"

    count_gradings.clear()
    assert exit_status(grade_all([class_dir], out, jobs=1, force=True)) == 0
    assert len(count_gradings) == 3

    count_gradings.clear()  # a changed grader, pack or seed: everything again
    monkeypatch.setattr(grader.frontends.classfolder, "pack_salt", lambda *args: "another grader")
    assert exit_status(grade_all([class_dir], out, jobs=1)) == 0
    assert len(count_gradings) == 3
    # nothing written beside the notebooks or outside OUT
    assert sorted(p.name for p in class_dir.iterdir()) == [
        "A2_DOE_Jane.ipynb",
        "A2_POE_Edgar.ipynb",
        "A2_ROE_Rita.ipynb",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_a_report_without_its_fingerprint_is_graded_again(class_dir, tmp_path, count_gradings):
    """report.json is written last: one cut short (no fingerprint) means 'grade again'."""
    out = tmp_path / "out"
    grade_all([class_dir], out, jobs=1)
    data = report_json(out, "A2_DOE_Jane")
    del data["meta"]["fingerprint"], data["meta"]["source_fingerprint"]
    (out / "A2_DOE_Jane" / "report.json").write_text(json.dumps(data))
    (out / "A2_POE_Edgar" / "report.json").unlink()
    count_gradings.clear()
    grade_all([class_dir], out, jobs=1)
    assert sorted(count_gradings) == ["A2_DOE_Jane.ipynb", "A2_POE_Edgar.ipynb"]


def test_hostile_and_broken_notebooks_cost_themselves_only(class_dir, tmp_path, monkeypatch):
    (class_dir / "A2_BAD_Json.ipynb").write_text("{ this is not json")
    write_notebook(
        class_dir / "A2_EXIT_Early.ipynb", ["import os\nos._exit(3)", "raise SystemExit(1)"]
    )
    write_notebook(class_dir / "A2_SYNTAX_Error.ipynb", ["def f(:\n    pass", "y = 2"])
    (class_dir / "A2_EMPTY_File.ipynb").write_bytes(b"")
    # a grader bug on one notebook
    import grader.grading.pipeline

    real = grader.grading.pipeline.grade_notebook

    def buggy(path, *args, **kwargs):
        if Path(path).name == "A2_POE_Edgar.ipynb":
            raise RuntimeError("a bug in the grader")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(grader.grading.pipeline, "grade_notebook", buggy)
    out = tmp_path / "out"
    assert exit_status(grade_all([class_dir], out, jobs=1)) == EXIT_NEEDS_PERSON
    book = gradebook(out)
    assert len(book) == 7
    assert book["A2_DOE_Jane.ipynb"]["total"] == "2"
    assert "invalid-json" in book["A2_BAD_Json.ipynb"]["problems"]
    assert book["A2_POE_Edgar.ipynb"]["problems"] == "grader-error"
    assert book["A2_POE_Edgar.ipynb"]["total"] == ""
    assert book["A2_POE_Edgar.ipynb"]["status"].startswith("grader error: no total;")
    assert book["A2_POE_Edgar.ipynb"]["max"] == "100"
    edgar = report_json(out, "A2_POE_Edgar")
    assert "a bug in the grader" in edgar["meta"]["traceback"]
    assert "fingerprint" not in edgar["meta"]  # tried again on the next run
    for folder in ("A2_EXIT_Early", "A2_SYNTAX_Error", "A2_EMPTY_File"):
        assert (out / folder / "report.html").exists() and (out / folder / "junit.xml").exists()
    assert "A2_EXIT_Early" in (out / "summary.html").read_text()


def test_no_notebooks_is_an_error_not_a_crash(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert exit_status(grade_all([tmp_path / "empty"], tmp_path / "out", jobs=1)) == EXIT_USAGE
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("stem", ["A2_X_Y"])
def test_colliding_stems_get_their_own_folders(tmp_path, stem):
    jobs = plan(
        [tmp_path / "a" / f"{stem}.ipynb", tmp_path / "b" / f"{stem}.ipynb"],
        tmp_path / "out",
        "salt",
    )
    assert [j.out_dir.name for j in jobs] == [stem, f"{stem}-2"]


def test_a_report_folder_never_takes_the_name_of_a_class_file(tmp_path):
    jobs = plan(
        [tmp_path / "Summary.HTML.ipynb", tmp_path / "moodle-submissions.ipynb"], tmp_path / "out", "salt"
    )
    assert [j.out_dir.name for j in jobs] == ["Summary.HTML-2", "moodle-submissions-2"]


def test_the_summary_links_each_colliding_stem_to_its_own_report(tmp_path):
    """Two A2_DOE_Jane.ipynb from two folders: graded into A2_DOE_Jane and A2_DOE_Jane-2, and
    the summary (troubles, mistakes, examples) links each student to the report in their folder."""
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        write_notebook(tmp_path / "in" / sub / "A2_DOE_Jane.ipynb", [("markdown", "# A2"), "def f(:\n    pass"])
    out = tmp_path / "out"
    assert exit_status(grade_all([tmp_path / "in"], out, jobs=1)) == EXIT_NEEDS_PERSON  # syntax errors
    page = (out / "summary.html").read_text(encoding="utf-8")
    section = page[page.index("Submissions with problems") :]
    links = re.findall(r'<a href="([^"]*)"', section)
    assert links == ["A2_DOE_Jane/report.html", "A2_DOE_Jane-2/report.html"]
    assert all((out / link).is_file() for link in links)


def test_a_late_submission_graded_alone_joins_the_class(class_dir, tmp_path, count_gradings):
    out = tmp_path / "out"
    assert exit_status(grade_all([class_dir], out, jobs=1)) == 0
    late = tiny_notebook(tmp_path / "A2_LATE_Larry.ipynb")
    count_gradings.clear()
    assert exit_status(grade_all([late], out, jobs=1)) == 0
    assert count_gradings == ["A2_LATE_Larry.ipynb"]
    assert sorted(gradebook(out)) == [
        "A2_DOE_Jane.ipynb",
        "A2_LATE_Larry.ipynb",
        "A2_POE_Edgar.ipynb",
        "A2_ROE_Rita.ipynb",
    ]
    manifest = json.loads((out / "batch.json").read_text())
    assert sorted(manifest["submissions"]) == sorted(
        f.removesuffix(".ipynb") for f in gradebook(out)
    )


def test_a_terminal_gets_the_live_bar(tmp_path):
    import io

    from grader.frontends.batch.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    jobs = plan([tmp_path / "A2_A_B.ipynb", tmp_path / "A2_C_D.ipynb"], tmp_path, "salt")
    with Progress(2, 0, stream=screen) as progress:
        assert progress.live
        for job in jobs:
            progress.advance(job, {"score": 1, "max_score": 2})
    assert "2/2" in screen.getvalue() and "[1/2]" not in screen.getvalue()


def test_a_grader_error_is_shown_on_the_live_bar_and_in_plain_lines(tmp_path):
    import io

    from grader.frontends.batch.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    failed = {"score": 0, "max_score": 2, "problems": [{"code": "grader-error", "message": "x"}]}
    written = {"score": 1, "max_score": 3, "tasks": [{"checks": [{"status": "manual", "max_score": 2}]}]}
    (job, other) = plan([tmp_path / "A2_A_B.ipynb", tmp_path / "A2_C_D.ipynb"], tmp_path, "salt")
    for screen in (Terminal(), io.StringIO()):
        with Progress(2, 0, stream=screen) as progress:
            progress.advance(job, failed)
            progress.advance(other, written)
        assert "A2_A_B" in screen.getvalue() and "GRADER ERROR" in screen.getvalue()
    assert "[2/2] A2_C_D: 1/1 automatic + 2 to mark by hand" in screen.getvalue()
