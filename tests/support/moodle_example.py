"""The example Moodle download and grading worksheet of ``examples/moodle/``, which the instructor
guide's Moodle walk-through (``docs/instructor.md``) runs on: three of the sample submissions as
three participants, and one participant who handed in nothing.
``python -m tests.support.moodle_example`` writes them again (after ``python -m tests.support.corpus``
changed the sample class).

The ZIP is flat, as "Download all submissions" gives it, with names stored as Info-ZIP stores
them (UTF-8 bytes without the UTF-8 flag), so the walk-through meets ``Copie de
A2_LEFEVRE_Hélène (2).ipynb`` as an instructor's download does; ``A2_SMITH_John.ipynb`` is the
truncated one, which gets no grade.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.moodlefactory import InfoZipName, Student, moodle_download, worksheet

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "moodle"
DOWNLOAD = "A2-submissions.zip"
WORKSHEET = "Grades-A2.csv"
#: (full name on Moodle, participant id, the sample submission they handed in)
PARTICIPANTS = (
    ("Hugo Dubois", "100001", "A2_DUBOIS_Hugo.ipynb"),
    ("Hélène Lefèvre", "100002", "Copie de A2_LEFEVRE_Hélène (2).ipynb"),
    ("John Smith", "100003", "A2_SMITH_John.ipynb"),
)
#: In the worksheet only: enrolled, nothing handed in.
ABSENT = ("Paul Absent", "100004")


def students() -> list[Student]:
    """The participants with the sample submissions' bytes as they are in ``submissions/``."""
    return [
        Student(name, pid, {file: (ROOT / "submissions" / file).read_bytes()})
        for name, pid, file in PARTICIPANTS
    ]


def write(folder: Path = EXAMPLE) -> tuple[Path, Path]:
    """Write the download and the worksheet into ``folder``; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    download = moodle_download(folder / DOWNLOAD, students(), "zip-flat", entry=InfoZipName)
    sheet = worksheet(folder / WORKSHEET, students(), extra_rows=(ABSENT,))
    return download, sheet


if __name__ == "__main__":
    for path in write():
        print(path.relative_to(ROOT))
