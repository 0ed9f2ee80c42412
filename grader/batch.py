"""Grade many notebooks: discovery, parallel workers, resume, progress, class-level outputs.

Each submission is graded in a worker process by ``grading.grade_notebook`` and written to
``OUT/<stem>/``; a submission whose notebook, rubric, grader and seed are unchanged since its
report was written is not graded again (unless ``force``), so an interrupted run resumes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from grader import __version__
from grader.problems import Problem
from grader.results import Report


@dataclass(frozen=True)
class Job:
    notebook: Path
    out_dir: Path
    fingerprint: str


def discover(paths: Iterable[Path]) -> list[Path]:
    """Notebooks named on the command line, and the .ipynb files inside named folders."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix.lower() == ".ipynb" and ".ipynb_checkpoints" not in p.parts
            )
        else:
            found.append(path)  # even a wrong name or a missing file: its report says so
    return list(dict.fromkeys(found))


def plan(notebooks: Sequence[Path], out: Path, salt: str) -> list[Job]:
    """One output folder per notebook, named by its stem (made unique when stems collide)."""
    jobs, used = [], set()
    for notebook in notebooks:
        stem = notebook.stem or "notebook"
        name, k = stem, 1
        while name in used:
            k += 1
            name = f"{stem}-{k}"
        used.add(name)
        jobs.append(Job(notebook, out / name, _fingerprint(notebook, salt)))
    return jobs


def _fingerprint(notebook: Path, salt: str) -> str:
    digest = hashlib.sha256(salt.encode())
    try:
        with open(notebook, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        digest.update(repr(exc).encode())
    return digest.hexdigest()


def pack_salt(assignment_name: str, seed: int) -> str:
    """What else decides a verdict: the grader's and the pack's own files, and the seed."""
    import grader

    digest = hashlib.sha256(f"{__version__}:{assignment_name}:{seed}".encode())
    root = Path(grader.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".toml", ".json", ".html", ".md", ".css", ".mat"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def up_to_date(job: Job) -> Report | None:
    try:
        data = json.loads((job.out_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("meta", {}).get("fingerprint") != job.fingerprint:
        return None
    return Report.from_dict(data)


# -- the worker side --------------------------------------------------------------------------

_assignment = None


def _init_worker(assignment_name: str) -> None:
    global _assignment
    from grader.assignment import load_assignment

    _assignment = load_assignment(assignment_name)


def _grade_job(job: Job, seed: int) -> dict:
    """Grade and write one submission; a grader failure becomes that submission's report."""
    from grader.grading import grade_notebook
    from grader.reports import write_report

    try:
        report = grade_notebook(job.notebook, _assignment, seed=seed)
    except Exception:  # noqa: BLE001 - one submission's failure never stops the batch
        report = grader_failure(job.notebook, _assignment.rubric.max_score, traceback.format_exc())
    report.meta["fingerprint"] = job.fingerprint
    write_report(report, job.out_dir)
    return report.to_dict()


def grader_failure(notebook: Path, max_score: float, detail: str) -> Report:
    """The report of a submission the grader itself could not grade (a grader bug)."""
    last = detail.strip().splitlines()[-1] if detail.strip() else "unknown error"
    return Report(
        submission=notebook.name,
        student=None,
        score=0.0,
        max_score=max_score,
        tasks=(),
        problems=(Problem("grader-error", f"the grader failed on this notebook ({last}); it needs a person"),),
        meta={"traceback": detail[-4000:]},
    )


# -- the driver -------------------------------------------------------------------------------


def grade_all(
    paths: Sequence[Path],
    out: Path,
    *,
    assignment_name: str = "a2",
    seed: int = 0,
    jobs: int | None = None,
    force: bool = False,
) -> int:
    """Grade every notebook under ``paths`` into ``out``; 0 when grading ran, whatever the scores."""
    from grader.reports.gradebook import write_gradebook
    from grader.reports.summary import write_summary

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    notebooks = discover(paths)
    if not notebooks:
        print(f"no notebooks found in {', '.join(map(str, paths))}")
        return 2
    salt = pack_salt(assignment_name, seed)
    todo, reports = [], {}
    for job in plan(notebooks, out, salt):
        cached = None if force else up_to_date(job)
        if cached is None:
            todo.append(job)
        else:
            reports[job] = cached
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))

    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress:
        bar = progress.add_task("grading", total=len(notebooks), completed=len(reports))
        for job, result in _run(todo, seed, assignment_name, workers):
            reports[job] = Report.from_dict(result)
            progress.advance(bar)

    ordered = [reports[job] for job in sorted(reports, key=lambda j: j.out_dir.name)]
    write_gradebook(ordered, out / "gradebook.csv")
    write_summary(ordered, out / "summary.html")
    skipped = len(notebooks) - len(todo)
    print(f"graded {len(todo)} notebook(s){f', {skipped} up to date' if skipped else ''} -> {out}/gradebook.csv, {out}/summary.html")
    return 0


def _run(todo: list[Job], seed: int, assignment_name: str, workers: int):
    """Yield (job, report dict) as they finish; in this process when one worker suffices."""
    if workers == 1:
        _init_worker(assignment_name)
        for job in todo:
            yield job, _grade_job(job, seed)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process that holds torch threads
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(assignment_name,)) as pool:
        futures = {pool.submit(_grade_job, job, seed): job for job in todo}
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception:  # noqa: BLE001 - a dead worker costs its submission only
                report = grader_failure(job.notebook, 0.0, traceback.format_exc())
                report.meta["fingerprint"] = ""
                result = report.to_dict()
            yield job, result
