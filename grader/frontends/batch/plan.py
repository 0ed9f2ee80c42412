"""Which notebooks make the class, and the jobs that grade them: the paths named (notebooks,
folders, Moodle downloads staged under ``out``), each given its report folder, fingerprints and
marks, and the class's manifest written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from grader.assignment import LocatedPack
from grader.frontends import classfolder
from grader.frontends.classfolder import Job, class_reports, load_marks
from grader.frontends.moodle.download import MoodleSubmission, is_download, stage


def discover(paths: Iterable[Path]) -> list[Path]:
    """Notebooks named on the command line, and the .ipynb files inside named folders."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() == ".ipynb" and ".ipynb_checkpoints" not in p.parts
            )
        else:
            found.append(path)  # even a wrong name or a missing file: its report says so
    return list(dict.fromkeys(found))


def find_submissions(
    paths: Iterable[Path], out: Path
) -> tuple[list[Path], dict[Path, MoodleSubmission]]:
    """The notebooks to grade, and what Moodle says of those that came from a Moodle download
    (staged under ``out`` when they must be renamed or unzipped)."""
    plain: list[Path] = []
    moodle: dict[Path, MoodleSubmission] = {}
    for path in paths:
        if is_download(Path(path)):
            moodle |= {s.notebook: s for s in stage(Path(path), Path(out))}
        else:
            plain.append(path)
    return list(dict.fromkeys([*discover(plain), *moodle])), moodle


def plan_class(notebooks: list[Path], moodle: dict[Path, MoodleSubmission], out: Path, *,
               located: LocatedPack, seed: int, csv_dialect: str) -> list[Job]:
    """A job per notebook, and the manifest naming the class: these jobs' folders after those
    of earlier runs (OUT is the class: a later run on a few notebooks, a late submission, adds
    to it)."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = classfolder.plan(notebooks, out, classfolder.pack_salt(located, seed), load_marks(out), moodle)
    earlier = [f for f in class_reports(out) if f not in {j.out_dir.name for j in jobs}]
    classfolder.write_manifest(
        out,
        [*earlier, *(j.out_dir.name for j in jobs)],
        assignment_name=located.name,
        seed=seed,
        csv_dialect=csv_dialect,
    )
    return jobs
