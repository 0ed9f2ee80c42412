"""Moodle in: a "Download all submissions" in every layout is read as it comes and graded with
who Moodle says handed each notebook in."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.cli import EXIT_OK, exit_status
from grader.frontends.batch import grade_all
from grader.frontends.moodle.download import read_download, stage
from grader.reports import STUDENT_DIR
from tests.support.batch import report_json, tiny_notebook
from tests.support.moodlefactory import (
    LAYOUTS,
    Cp437Name,
    InfoZipName,
    Student,
    colab_bytes,
    moodle_download,
)


def _notebook(tmp_path: Path, name: str, **kwargs) -> bytes:
    (tmp_path / "src").mkdir(exist_ok=True)
    path = tiny_notebook(tmp_path / "src" / name, **kwargs)
    return colab_bytes(nbformat.read(path, as_version=4))


def _class(tmp_path: Path) -> list[Student]:
    dupont = Student("Jean Dupont", "123456", {
        "A2_DUPONT_Jean (1).ipynb": _notebook(tmp_path, "A2_DUPONT_Jean.ipynb", success=False),
        "notes.pdf": b"%PDF-1.4",
        "A2_DUPONT_Jean.ipynb": _notebook(tmp_path, "A2_DUPONT_Jean.ipynb"),  # the newest
    })  # fmt: skip
    lucie = Student("Lucie Martin-Léger", "123457", {"A2.ipynb": _notebook(tmp_path, "A2_MARTIN_Lucie.ipynb")})
    paul = Student("Paul Petit", "123458", {"A2.ipynb": _notebook(tmp_path, "A2_PETIT_Paul.ipynb")})
    return [dupont, lucie, paul]


@pytest.mark.parametrize("blind", [False, True], ids=["named", "blind"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_gives_participants_their_newest_notebook(tmp_path, layout, blind):
    students = _class(tmp_path)
    download = moodle_download(tmp_path / "A2-download", students, layout, blind)
    out = tmp_path / "reports"
    found = {s.info["participant"]: s for s in stage(download, out)}
    assert sorted(found) == ["123456", "123457", "123458"]
    dupont = found["123456"]
    assert dupont.notebook.name == "A2_DUPONT_Jean.ipynb"
    assert dupont.notebook.read_bytes() == students[0].files["A2_DUPONT_Jean.ipynb"]
    others = sorted(Path(p).name for p in dupont.info["other_files"])
    assert len(others) == 2 and any(o.endswith("notes.pdf") for o in others)
    assert any(o.endswith("A2_DUPONT_Jean (1).ipynb") for o in others)
    assert dupont.info["full_name"] == (None if blind else "Jean Dupont")
    assert dupont.info["blind"] is blind
    assert found["123457"].notebook.name == "A2.ipynb" and found["123457"].folder == "A2-123457"
    for submission in found.values():  # read where it is, or staged under the output folder
        assert submission.notebook.is_relative_to(out) or submission.notebook.is_relative_to(download)
        if submission.notebook.is_relative_to(download):
            assert layout.startswith("dir-folders")


def test_read_download_skips_mac_litter_and_non_moodle_names(tmp_path):
    archive = tmp_path / "d.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("__MACOSX/Jean Dupont_1_assignsubmission_file_/._A2.ipynb", b"x")
        z.writestr("README.txt", b"x")
        z.writestr("Jean Dupont_1_assignsubmission_onlinetext_onlinetext.html", b"<p>hi</p>")
        z.writestr("Jean Dupont_1_assignsubmission_file_A2_DUPONT_Jean.ipynb", b"{}")
    (who,) = read_download(archive).values()
    assert (who.participant, who.full_name) == ("1", "Jean Dupont")
    assert sorted(f.name for f in who.files) == ["A2_DUPONT_Jean.ipynb", "onlinetext.html"]
    assert who.graded().name == "A2_DUPONT_Jean.ipynb"


def test_grading_a_moodle_zip_keeps_who_moodle_says_it_is(tmp_path, count_gradings):
    students = _class(tmp_path)
    download = moodle_download(tmp_path / "A2-download", students, "zip-flat")
    out = tmp_path / "reports"
    code = exit_status(grade_all([download], out, jobs=1))
    report = report_json(out, "A2_DUPONT_Jean-123456")
    assert report["student"] == {"last_name": "DUPONT", "first_name": "Jean"}
    assert report["moodle"]["participant"] == "123456"
    assert report["moodle"]["full_name"] == "Jean Dupont"
    assert not {"bad-filename", "missing-file"} & {p["code"] for p in report["problems"]}
    md = (out / "A2_DUPONT_Jean-123456" / "report.md").read_text(encoding="utf-8")
    assert "participant 123456 (Jean Dupont)" in md and "notes.pdf" in md
    lucie = report_json(out, "A2-123457")
    assert lucie["moodle"]["full_name"] == "Lucie Martin-Léger"
    assert "bad-filename" in [p["code"] for p in lucie["problems"]]  # "A2.ipynb" names nobody
    assert code == EXIT_OK  # "A2.ipynb" is a note: Moodle says who handed it in
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r["participant"]: r for r in csv.DictReader(f)}
    assert rows["123457"]["moodle_name"] == "Lucie Martin-Léger"
    assert (out / "A2_DUPONT_Jean-123456" / STUDENT_DIR / "report.html").is_file()
    # a second run finds everything up to date: the staged copies did not change
    count_gradings.clear()
    assert exit_status(grade_all([download], out, jobs=1)) == EXIT_OK
    assert count_gradings == []


def test_a_huge_member_is_staged_only_up_to_the_readers_limit(tmp_path):
    from grader.notebook import load_submission
    from grader.notebook.model import ReadOptions

    limit = ReadOptions().max_bytes
    archive = tmp_path / "d.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("Jean Dupont_1_assignsubmission_file_A2_DUPONT_Jean.ipynb", b" " * (limit + 10_000_000))
    (submission,) = stage(archive, tmp_path / "out")
    assert submission.notebook.stat().st_size == limit + 1
    assert "too-large" in {p.code for p in load_submission(submission.notebook).problems}


@pytest.mark.parametrize("layout", ["zip-flat", "zip-folders"])
def test_info_zip_names_without_the_utf8_flag_are_read_as_utf8(tmp_path, layout):
    """Info-ZIP stores UTF-8 names without flag 0x800; read as cp437 they come out garbled."""
    helene = Student("Hélène Lefèvre", "123459", {"Copie de A2_LEFEVRE_Hélène (2).ipynb": _notebook(tmp_path, "A2_LEFEVRE_Helene.ipynb")})
    download = moodle_download(tmp_path / "d", [helene], layout, entry=InfoZipName)
    with zipfile.ZipFile(download) as archive:  # the fixture is what Info-ZIP writes
        (info,) = archive.infolist()
        assert not info.flag_bits & 0x800 and "├" in info.filename
    (who,) = read_download(download).values()
    assert who.full_name == "Hélène Lefèvre"
    assert [f.name for f in who.files] == ["Copie de A2_LEFEVRE_Hélène (2).ipynb"]
    (staged,) = stage(download, tmp_path / "out")
    assert staged.notebook.name == "Copie de A2_LEFEVRE_Hélène (2).ipynb"
    assert staged.notebook.read_bytes() == helene.files["Copie de A2_LEFEVRE_Hélène (2).ipynb"]


def test_cp437_names_without_the_flag_stay_cp437(tmp_path):
    """Bytes that are no valid UTF-8 are the ZIP standard's cp437, as Python reads them."""
    andre = Student("André Côté", "123460", {"A2_COTE_André.ipynb": b"{}"})
    download = moodle_download(tmp_path / "d", [andre], "zip-flat", entry=Cp437Name)
    (who,) = read_download(download).values()
    assert who.full_name == "André Côté"
    assert [f.name for f in who.files] == ["A2_COTE_André.ipynb"]


def test_flagged_utf8_names_are_read_as_they_are(tmp_path):
    lea = Student("Léa Noël", "123461", {"A2_NOEL_Léa.ipynb": b"{}"})
    download = moodle_download(tmp_path / "d", [lea], "zip-flat")
    (who,) = read_download(download).values()
    assert (who.full_name, who.files[0].name) == ("Léa Noël", "A2_NOEL_Léa.ipynb")
