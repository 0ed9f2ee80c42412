"""Moodle as an instructor meets it, built for tests: "Download all submissions" in every layout,
and the offline grading worksheet.

Names follow Moodle's ``mod/assign``: ``<Full name>_<participant id>_assignsubmission_file_``
then the student's own file name (flat), or that prefix as a folder per student (Moodle < 4.1
keeps the final ``_``, ≥ 4.1 drops it); ``Participant`` for the name under blind marking. The
worksheet has the columns ``gradingtable.php`` writes for a download, with Moodle's dates
(which hold commas, so they are quoted).

Notebooks are written as Colab saves them: nbformat 4.4 (``nbformat_minor`` 0..4), no cell
ids, Colab metadata.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: Every layout a download can come in.
LAYOUTS = ("zip-flat", "zip-folders", "zip-folders-41", "dir-flat", "dir-folders", "dir-folders-41")
#: The grading worksheet's columns, as Moodle writes them with online text and feedback comments on.
WORKSHEET_COLUMNS = (
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Online text",
    "Last modified (grade)",
    "Feedback comments",
)


@dataclass
class Student:
    full_name: str
    participant: str
    files: dict[str, bytes] = field(default_factory=dict)  # name as handed in -> bytes
    mtimes: dict[str, float] = field(default_factory=dict)  # name -> POSIX time (default: order)
    email: str = ""


def colab_bytes(notebook: nbformat.NotebookNode, minor: int = 4) -> bytes:
    """The notebook as Colab saves it: nbformat 4.``minor``, no cell ids, Colab metadata."""
    data = json.loads(nbformat.writes(notebook, version=4))
    data["nbformat_minor"] = minor
    for cell in data["cells"]:
        cell.pop("id", None)
    data["metadata"] = {
        "colab": {"provenance": [], "name": "A2.ipynb"},
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
        "accelerator": "GPU",
    }
    return json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")


def prefix(student: Student, blind: bool = False) -> str:
    name = "Participant" if blind else student.full_name.replace("_", " ")
    return f"{name}_{student.participant}_assignsubmission_file"


def entries(students: list[Student], layout: str, blind: bool = False) -> list[tuple[str, bytes, float]]:
    """(path inside the download, bytes, mtime) of every file, in ``layout``."""
    found = []
    for student in students:
        folder = prefix(student, blind)
        for k, (name, data) in enumerate(student.files.items()):
            mtime = student.mtimes.get(name, 1_700_000_000 + 60 * k)
            if layout.endswith("folders-41"):
                path = f"{folder}/{name}"
            elif layout.endswith("folders"):
                path = f"{folder}_/{name}"
            else:
                path = f"{folder}_{name}"
            found.append((path, data, mtime))
    return found


class InfoZipName(zipfile.ZipInfo):
    """An entry named as Info-ZIP's ``zip`` names it: the name's bytes in ``encoding`` (UTF-8 on
    a modern system), without the UTF-8 flag (bit 11) that Python and Moodle would set."""

    encoding = "utf-8"

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # zipfile calls it to write the name
        return self.filename.encode(self.encoding), self.flag_bits & ~0x800


class Cp437Name(InfoZipName):
    """An entry named in cp437 without the flag: the ZIP standard's own default."""

    encoding = "cp437"


def moodle_download(
    target: Path,
    students: list[Student],
    layout: str,
    blind: bool = False,
    entry: type[zipfile.ZipInfo] = zipfile.ZipInfo,
) -> Path:
    """Write the download at ``target`` (a ``.zip`` for zip layouts, a folder otherwise);
    ``entry`` names the ZIP's entries (``InfoZipName``: as Info-ZIP does)."""
    assert layout in LAYOUTS, layout
    target = Path(target)
    if layout.startswith("zip"):
        target = target.with_suffix(".zip")
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # as Moodle
            for path, data, mtime in entries(students, layout, blind):
                info = entry(path, date_time=_zip_time(mtime))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return target
    for path, data, mtime in entries(students, layout, blind):
        file = target / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data)
        os.utime(file, (mtime, mtime))
    return target


def _zip_time(mtime: float) -> tuple[int, int, int, int, int, int]:
    import time

    t = time.localtime(mtime)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def worksheet(
    path: Path,
    students: list[Student],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    maximum: str = "100.00",
    extra_rows: tuple[tuple[str, str], ...] = (),
) -> Path:
    """The offline grading worksheet of ``students`` (+ ``extra_rows``: (full name, id) of
    participants who handed nothing in), written as Moodle writes it."""
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(WORKSHEET_COLUMNS)
    rows = [(s.full_name, s.participant, "Submitted for grading - Not graded") for s in students]
    rows += [(name, pid, "No submission - Not graded") for name, pid in extra_rows]
    for name, pid, status in rows:
        email = name.lower().replace(" ", ".") + "@etu.example.fr"
        writer.writerow(
            [f"Participant {pid}", name, email, status, "", maximum, "Yes",
             "Monday, 2 October 2023, 10:15 AM", "", "-", ""]
        )  # fmt: skip
    Path(path).write_bytes(buffer.getvalue().encode(encoding))
    return Path(path)
