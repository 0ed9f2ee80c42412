"""Moodle's "Download all submissions": who handed in what, read from the names Moodle gives.

Moodle (``mod/assign``) prefixes every file with ``<Full name>_<participant id>_<plugin
type>_<plugin name>_``: with "Download submissions in folders" each student is a folder
``Jean Dupont_123456_assignsubmission_file_`` (Moodle ≥ 4.1 drops the last ``_``) holding the
files as handed in; without it each file is flat,
``Jean Dupont_123456_assignsubmission_file_HW2_DUPONT_Jean.ipynb``. Moodle writes underscores
in a full name as spaces, so the first ``_`` ends the name. Under blind marking the name is
``Participant``. The participant id is the one the grading worksheet (``Participant 123456``)
and the feedback-files upload match on.

A download is read as it comes, a ZIP or the folder it was extracted to. Per participant the
newest ``.ipynb`` is graded (ZIP entry time or file mtime), the other files are listed. The
notebook to grade is staged under the output folder with the name the student gave it (the
file name carries the identity the grader parses), unless it already has that name on disk;
nothing is written anywhere else.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from grader.notebook.model import ReadOptions

#: ``<Full name>_<id>_<plugin type>_<plugin name>`` then, for a flat file, ``_<file name>``.
_PREFIX = re.compile(
    r"^(?P<name>[^_/]+)_(?P<id>\d+)_(?P<type>assignsubmission)_(?P<plugin>[a-z0-9]+)(?:_(?P<rest>.*))?$"
)
#: The name Moodle (English and French packs) puts for a student under blind marking.
BLIND_NAME = "Participant"
#: Folders inside a download that hold no submission (a Mac's archive litter, Jupyter's copies).
_LITTER = ("__MACOSX", ".ipynb_checkpoints")
#: Where staged notebooks go, under the output folder.
STAGING = "moodle-submissions"
#: Bytes staged at most: one more than the notebook reader accepts, so a larger file (or a ZIP
#: bomb) is reported ``too-large`` by the reader without being written out whole.
_CAP = ReadOptions().max_bytes + 1


@dataclass(frozen=True)
class HandedIn:
    """One file a participant handed in."""

    path: str  # inside the download (ZIP member or path relative to the folder), POSIX
    name: str  # the file name as the student gave it
    modified: float  # POSIX time


@dataclass
class Participant:
    participant: str  # Moodle's participant id ("123456")
    full_name: str | None  # None under blind marking
    files: list[HandedIn] = field(default_factory=list)

    def graded(self) -> HandedIn | None:
        """The newest notebook; with no notebook, the newest file (its report says what it is)."""
        notebooks = [f for f in self.files if f.name.lower().endswith(".ipynb")]
        pool = notebooks or self.files
        return max(pool, key=lambda f: (f.modified, f.name), default=None)


@dataclass(frozen=True)
class MoodleSubmission:
    """A notebook to grade and what Moodle says about it (``Report.moodle``)."""

    notebook: Path  # the file the grader reads (staged or in place)
    folder: str  # the report folder: the notebook's stem and the participant id
    info: dict  # participant, full_name, blind, file, handed_in, other_files, report_folder


def parse_prefixed(name: str) -> tuple[str, str, str | None] | None:
    """``Jean Dupont_123456_assignsubmission_file_HW2.ipynb`` -> (full name, id, rest or None)."""
    match = _PREFIX.match(name)
    if match is None:
        return None
    return match["name"], match["id"], match["rest"] or None


def is_download(path: Path) -> bool:
    """A ZIP, or a folder with at least one entry named the way Moodle names submissions."""
    path = Path(path)
    if path.is_file():
        return path.suffix.lower() == ".zip"
    if path.is_dir():
        return any(parse_prefixed(entry.name) for entry in _scan(path))
    return False


def _scan(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def read_download(path: Path) -> dict[str, Participant]:
    """Participant id -> what they handed in, from a ZIP or an extracted folder."""
    entries = _zip_entries(path) if Path(path).is_file() else _folder_entries(Path(path))
    participants: dict[str, Participant] = {}
    for member, modified in entries:
        parts = PurePosixPath(member).parts
        if any(p in _LITTER or p.startswith("._") for p in parts):
            continue
        for depth, part in enumerate(parts):
            parsed = parse_prefixed(part)
            if parsed is None:
                continue
            full_name, pid, rest = parsed
            if depth == len(parts) - 1:  # flat: the prefix is the file's own name
                if rest is None:
                    break
                name = rest
            else:  # a participant's folder: the file keeps its own name
                name = parts[-1]
            who = participants.setdefault(
                pid, Participant(pid, None if full_name == BLIND_NAME else full_name)
            )
            who.files.append(HandedIn(member, name, modified))
            break
    return dict(sorted(participants.items()))


#: Bit 11 of a ZIP entry's flags: its name is UTF-8 (APPNOTE 4.4.4).
_UTF8_FLAG = 0x800


def member_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its writer meant it.

    A name stored without the UTF-8 flag is cp437 by the ZIP standard, which is how Python
    reads it; but Info-ZIP's ``zip`` (and so many downloads) stores UTF-8 bytes without the
    flag, and cp437 turns ``Hélène`` into ``H├⌐l├¿ne``. Such a name is read as UTF-8 when its
    bytes are valid UTF-8 (cp437 text with accents almost never is), else as cp437.
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    raw = info.orig_filename.encode("cp437")  # the bytes as stored: Python decoded them as cp437
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.filename


def _zip_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Name (``member_name``) -> entry, for the files of the archive."""
    return {member_name(info): info for info in archive.infolist() if not info.is_dir()}


def _zip_entries(path: Path) -> list[tuple[str, float]]:
    with zipfile.ZipFile(path) as archive:
        return [
            (name, datetime(*info.date_time).timestamp())
            for name, info in _zip_members(archive).items()
        ]


def _folder_entries(folder: Path) -> list[tuple[str, float]]:
    found = []
    for root, dirs, files in os.walk(folder):  # symbolic links are not followed
        dirs[:] = sorted(d for d in dirs if d not in _LITTER)
        for name in sorted(files):
            full = Path(root, name)
            if full.is_symlink() or not full.is_file():
                continue
            found.append((full.relative_to(folder).as_posix(), full.stat().st_mtime))
    return found


def stage(path: Path, out: Path) -> list[MoodleSubmission]:
    """The submissions of the download ``path``, each notebook readable under its own name.

    A file already named as the student named it (the folder layout, extracted) is graded in
    place; the others (ZIP members, flat names) are copied to ``OUT/moodle-submissions/<id>/``,
    rewritten only when their bytes changed so that a second run finds them up to date.
    """
    path = Path(path)
    archive = zipfile.ZipFile(path) if path.is_file() else None
    members = _zip_members(archive) if archive else {}
    try:
        submissions = []
        for pid, who in read_download(path).items():
            chosen = who.graded()
            if chosen is None:
                continue
            if archive is None and PurePosixPath(chosen.path).name == chosen.name:
                notebook = path / chosen.path
            else:
                with archive.open(members[chosen.path]) if archive else open(path / chosen.path, "rb") as f:
                    data = f.read(_CAP)  # past the reader's limit: graded as too-large, not unzipped
                notebook = _write_if_changed(Path(out) / STAGING / pid / _safe_name(chosen.name), data)
            stem = Path(chosen.name).stem or "notebook"
            folder = f"{stem}-{pid}"
            info = {
                "participant": pid,
                "full_name": who.full_name,
                "blind": who.full_name is None,
                "file": chosen.name,
                "handed_in": chosen.path,
                "other_files": [f.path for f in who.files if f is not chosen],
                "report_folder": folder,
            }
            submissions.append(MoodleSubmission(notebook, folder, info))
        return submissions
    finally:
        if archive is not None:
            archive.close()


def _safe_name(name: str) -> str:
    """A file name that stays in its folder: no separators, not ``.``/``..``."""
    name = name.replace("/", "_").replace("\\", "_").replace("\x00", "_")
    return name if name not in ("", ".", "..") else "submission.ipynb"


def _write_if_changed(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if target.read_bytes() == data:
            return target
    except OSError:
        pass
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target
