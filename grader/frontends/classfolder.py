"""The class folder (``grader grade --out OUT``): the one module that knows its layout.

```
OUT/
  batch.json            the manifest: which report folders make the class, and how they were graded
  manual_marks.json     the marks people gave to written answers (``grader manual import``, ``grader mark``)
  marking.sqlite        the marking app's store: rubric items, what was applied, the audit trail
  gradebook.csv         one row per submission
  summary.html          the class at a glance, linking each submission's report.html
  moodle-submissions/   notebooks of a Moodle download that had to be renamed or unzipped
  <report folder>/      one per submission: report.json (with its fingerprints, written last),
                        report.html, report.md, results.json, junit.xml, student/
```

A report folder is named after the notebook's stem made safe (``folder_name``) and unique in the
class (``-2``, ``-3``... on a collision, see ``plan``). That name is the submission's key
everywhere: in the manifest, in the marks, in the marking sheet, and in every link to its
report. Each ``report.json`` records two fingerprints: ``source_fingerprint`` (the notebook's
bytes plus ``pack_salt``) and ``fingerprint`` (that plus the submission's manual marks), which
tell a later run what is up to date.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import grader
from grader import __version__
from grader.common import csvio
from grader.frontends.moodle.download import STAGING, MoodleSubmission
from grader.grading.scoring import ManualMark
from grader.model.results import Report
from grader.notebook.problems import UNREAD, Problem
from grader.reports import STUDENT_DIR, write_report, write_student_report
from grader.reports.gradebook import write_gradebook
from grader.reports.jsonreport import dump_json
from grader.reports.notebook_view import write_notebook_files
from grader.reports.summary import write_summary

if TYPE_CHECKING:
    from grader.assignment import LocatedPack

#: Which report folders make the class, and how the last run graded them.
MANIFEST = "batch.json"
#: The marks imported so far: report folder -> task id -> mark.
MARKS_FILE = "manual_marks.json"
#: The marking app's store (``grader.frontends.marking.store``), and SQLite's files beside it.
STORE_FILE = "marking.sqlite"
#: Each submission's data, from which every other file of its folder is rendered.
REPORT_FILE = "report.json"
#: The class's home page, which every instructor report links back to.
SUMMARY = "summary.html"
#: What a run writes in OUT beside the report folders (lower case: names are compared so),
#: the notebooks of a Moodle download staged there included.
CLASS_FILES = frozenset({
    MANIFEST, "gradebook.csv", SUMMARY, "manual_marks.csv", "manual_marks.html",
    MARKS_FILE, "similarity", STAGING, STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm",
})  # fmt: skip
#: Libraries whose version can change a verdict: part of every fingerprint.
_VERSIONED = ("numpy", "scipy", "torch", "hypothesis", "nbformat")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff/\\:*?\"<>|]+")

Marks = dict[str, dict[str, ManualMark]]  # report folder -> task id -> mark


@dataclass(frozen=True, eq=False)
class Job:
    """One submission to grade, and the report folder it is written to."""

    notebook: Path
    out_dir: Path
    source_fingerprint: str  # notebook + grader + pack + seed
    marks: Mapping[str, ManualMark] = field(default_factory=dict)
    moodle: Mapping | None = None  # what a Moodle download says of it (``Report.moodle``)

    def attach(self, report: Report) -> Report:
        """The report with this submission's Moodle data, when it came from a Moodle download."""
        return replace(report, moodle=dict(self.moodle)) if self.moodle else report

    @property
    def fingerprint(self) -> str:
        return combined_fingerprint(self.source_fingerprint, self.marks)


# -- naming -----------------------------------------------------------------------------------


def folder_name(stem: str) -> str:
    """A report folder name made from a notebook's stem: no path separator, control character,
    undecodable byte or leading dot (so never ``.``, ``..`` or hidden), at most 120 characters."""
    name = _UNSAFE_NAME.sub("_", stem).strip(" .")[:120].rstrip(" .")
    return name or "notebook"


def plan(
    notebooks: Sequence[Path],
    out: Path,
    salt: str,
    marks: Mapping[str, Mapping[str, ManualMark]] | None = None,
    moodle: Mapping[Path, MoodleSubmission] | None = None,
) -> list[Job]:
    """One output folder per notebook, named by its stem made safe (see ``folder_name``) and
    unique (``-2``, ``-3``... when names collide, whatever their case, or name a class file);
    a Moodle submission's folder also holds its participant id."""
    marks = marks or {}
    moodle = moodle or {}
    jobs, used = [], set(CLASS_FILES)
    for notebook in notebooks:
        found = moodle.get(notebook)
        stem = folder_name(found.folder if found else notebook.stem)
        name, k = stem, 1
        while name.casefold() in used:
            k += 1
            name = f"{stem}-{k}"
        used.add(name.casefold())
        info = {**found.info, "report_folder": name} if found else None
        # what Moodle says (other files, name) is part of the report: a change grades it again
        job_salt = salt + (json.dumps(info, sort_keys=True) if info else "")
        jobs.append(
            Job(notebook, out / name, _fingerprint(notebook, job_salt), dict(marks.get(name, {})), info)
        )
    return jobs


# -- fingerprints -----------------------------------------------------------------------------


def combined_fingerprint(source_fingerprint: str, marks: Mapping[str, ManualMark] | None) -> str:
    """The source fingerprint with the submission's manual marks in (itself when it has none)."""
    digest = marks_digest(marks)
    return (
        hashlib.sha256(f"{source_fingerprint}:{digest}".encode()).hexdigest()
        if digest
        else source_fingerprint
    )


def marks_digest(marks: Mapping[str, ManualMark] | None) -> str:
    """What one submission's marks add to its fingerprint ('' when it has none)."""
    if not marks:
        return ""
    canonical = json.dumps(
        {t: asdict(m) for t, m in marks.items()}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8", "backslashreplace")).hexdigest()


def _fingerprint(notebook: Path, salt: str) -> str:
    digest = hashlib.sha256(salt.encode())
    try:
        fd = os.open(notebook, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(fd, "rb") as f:
            if stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or device is never read (it may block)
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            else:
                digest.update(f"not a regular file: {os.fstat(fd).st_mode:o}".encode())
    except OSError as exc:
        digest.update(repr(exc).encode())
    return digest.hexdigest()


def pack_salt(located: LocatedPack, seed: int) -> str:
    """What else decides a verdict: the grader's, pack's and reference's files, library versions, seed."""
    digest = hashlib.sha256(f"{__version__}:{located.name}:{seed}".encode())
    for library in _VERSIONED:
        try:
            digest.update(f"{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    roots = [Path(grader.__file__).parent]
    # a pack outside the engine, and the pack's reference solution
    for folder in (located.folder, located.reference_folder):
        if not folder.is_relative_to(roots[0]):
            roots.append(folder)
    for root in roots:
        for path in sorted(root.rglob("*")):
            if _decides_verdicts(path):
                digest.update(f"{root.name}/{path.relative_to(root).as_posix()}".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _decides_verdicts(path: Path) -> bool:
    """Code, data and templates count; documentation (a README section) does not."""
    if "__pycache__" in path.parts or not path.is_file():
        return False
    if path.suffix == ".md":
        return "templates" in path.parts
    return path.suffix in {".py", ".toml", ".json", ".html", ".css", ".mat", ".png", ".j2"}


# -- one submission's folder ------------------------------------------------------------------


def read_report(out_dir: Path) -> Report | None:
    """The report a folder holds (None when it holds none, or one that cannot be read)."""
    try:
        return Report.from_dict(
            json.loads((Path(out_dir) / REPORT_FILE).read_text(encoding="utf-8"))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_submission(
    report: Report,
    out_dir: Path,
    source_fingerprint: str,
    marks: Mapping[str, ManualMark] | None,
    notebook: Path | None = None,
) -> Report:
    """Write every file of one submission; ``report.json`` (with the fingerprints) last and atomically,
    so that a run interrupted half-way through the files grades this submission again.
    ``notebook``: the file just graded, whose figures and rendered page go beside the report
    (the instructor's, which links them; a re-scored report keeps the links it had)."""
    out_dir = Path(out_dir)
    (out_dir / REPORT_FILE).unlink(missing_ok=True)
    meta = {k: v for k, v in report.meta.items() if k not in ("fingerprint", "source_fingerprint")}
    if notebook is not None and report.tasks and not any(p.code in UNREAD for p in report.problems):
        out_dir.mkdir(parents=True, exist_ok=True)
        written = write_notebook_files(notebook, out_dir, meta.get("figures") or {})
        meta |= {"figures_written": written["figures"], "notebook_view": written["notebook"]}
    write_report(replace(report, meta=meta), out_dir, summary=f"../{SUMMARY}")
    write_student_report(report, out_dir / STUDENT_DIR)
    if source_fingerprint:  # a grader failure has none: the next run tries it again
        meta |= {
            "source_fingerprint": source_fingerprint,
            "fingerprint": combined_fingerprint(source_fingerprint, marks),
        }
    final = replace(report, meta=meta)
    tmp = out_dir / (REPORT_FILE + ".tmp")
    dump_json(final.to_dict(), tmp)
    tmp.replace(out_dir / REPORT_FILE)
    return final


# -- the class --------------------------------------------------------------------------------


def manifest(out: Path) -> dict:
    """What the last run recorded in ``out`` (empty when no run wrote a manifest)."""
    try:
        return json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(
    out: Path, folders: Iterable[str], *, assignment_name: str, seed: int, csv_dialect: str
) -> None:
    dump_json(
        {"assignment": assignment_name, "seed": seed, "csv_dialect": csv_dialect, "submissions": list(folders)},
        Path(out) / MANIFEST,
    )


def class_reports(out: Path) -> dict[str, Report]:
    """Report folder -> report, for every submission graded into ``out`` (by the manifest; every
    folder holding a report.json when no run wrote one)."""
    out = Path(out)
    folders = manifest(out).get("submissions")
    if folders is None:
        folders = sorted(p.parent.name for p in out.glob(f"*/{REPORT_FILE}"))
    reports = {}
    for folder in folders:
        report = read_report(out / folder)
        if report is not None:
            reports[folder] = report
    return reports


def write_class_files(
    out: Path, reports: Mapping[str, Report], csv_dialect: str | None = None
) -> None:
    """The gradebook (in ``csv_dialect``, by default the one the last run recorded) and the
    summary, which links each submission to the report in its folder; rows in ``reports``' order,
    students claimed twice flagged (``flag_shared_identities``)."""
    if csv_dialect is None:
        csv_dialect = manifest(out).get("csv_dialect", "excel")
    reports = flag_shared_identities(reports)
    write_gradebook(list(reports.values()), Path(out) / "gradebook.csv", csvio.dialect(csv_dialect))
    write_summary(reports, Path(out) / SUMMARY)


# -- one student, one row ---------------------------------------------------------------------

#: A blocking problem: see ``flag_shared_identities``.
SHARED_IDENTITY = "identity-shared"


def flag_shared_identities(reports: Mapping[str, Report]) -> dict[str, Report]:
    """``reports`` (report folder -> report), where two or more name the same student and one of
    them took that name from its STUDENT cell (a free file name such as ``A2_end.ipynb``): each
    of those gets a blocking ``identity-shared`` problem naming the others. A notebook must not
    become a second row for a classmate unnoticed, and neither row is merged or dropped: a
    person decides whose work each is. Computed over the whole class on every write, never
    stored in a report, so a late submission is compared with the class too."""
    clean = {f: _without(r, SHARED_IDENTITY) for f, r in reports.items()}
    same: dict[tuple[str, str], list[str]] = {}
    for folder, report in clean.items():
        if report.student and any(report.student.values()):
            same.setdefault(_person(report.student), []).append(folder)
    for folders in same.values():
        if len(folders) < 2 or not any(_named_by_cell(clean[f]) for f in folders):
            continue
        for folder in folders:
            report = clean[folder]
            others = ", ".join(clean[f].submission for f in folders if f != folder)
            student = report.student or {}
            problem = Problem(
                SHARED_IDENTITY,
                f"{student.get('last_name', '')}, {student.get('first_name', '')} is also the student of "
                f"{others}, a name read from a notebook's STUDENT cell: a person must decide whose work "
                "each is (the rows are not merged).",
            )
            clean[folder] = replace(report, problems=(*report.problems, problem))
    return clean


def _without(report: Report, code: str) -> Report:
    if not any(p.code == code for p in report.problems):
        return report
    return replace(report, problems=tuple(p for p in report.problems if p.code != code))


def _named_by_cell(report: Report) -> bool:
    return any(p.code == "identity-from-cell" for p in report.problems)


def _person(student: Mapping[str, str]) -> tuple[str, str]:
    """A name as compared across submissions: case, accents, hyphens and spacing aside."""

    def plain(name: str) -> str:
        letters = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        return " ".join(re.sub(r"[-_'’.]", " ", letters.casefold()).split())

    return plain(student.get("last_name", "")), plain(student.get("first_name", ""))


# -- manual marks -----------------------------------------------------------------------------


def load_marks(out: Path) -> Marks:
    """The marks imported so far into ``out`` (none when nothing was imported)."""
    path = Path(out) / MARKS_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        folder: {task: ManualMark(**mark) for task, mark in tasks.items()}
        for folder, tasks in data.get("submissions", {}).items()
    }


def save_marks(out: Path, marks: Marks) -> None:
    data = {
        "version": 1,
        "submissions": {
            f: {t: asdict(m) for t, m in sorted(ts.items())} for f, ts in sorted(marks.items())
        },
    }
    tmp = Path(out) / (MARKS_FILE + ".tmp")
    dump_json(data, tmp)
    tmp.replace(Path(out) / MARKS_FILE)
