"""Grade many notebooks: discovery, parallel workers, resume, progress, class-level outputs.

Each submission is graded by ``grading.grade_notebook`` and written to ``OUT/<stem>/``. A report
records two fingerprints: ``source_fingerprint`` (notebook bytes, the grader's and the pack's
files, library versions, seed) and ``fingerprint`` (that plus the submission's manual marks). A
submission whose source fingerprint is unchanged is not graded again (unless ``force``); if only
its marks changed it is re-scored from its ``report.json``. So an interrupted run resumes, and a
re-grade keeps the marks imported with ``grader manual import``.

One submission's failure never stops the others: an exception in the grader becomes that
submission's ``grader-error`` report, and a worker process that dies (killed, out of memory, a
crash in native code) is replaced; the submissions it held are graded again one at a time, and
the one that kills its worker alone gets the ``grader-error`` report.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.metadata
import importlib.util
import json
import multiprocessing
import multiprocessing.util
import os
import re
import signal
import stat
import sys
import time
import traceback
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Self

from grader import __version__
from grader.manual import apply_marks, load_marks, marks_digest
from grader.moodle.download import MoodleSubmission
from grader.problems import Problem
from grader.reports.jsonreport import dump_json
from grader.results import Report
from grader.scoring import ManualMark

#: Written in OUT: which report folders the last run graded, and how (read by ``manual import``).
MANIFEST = "batch.json"
#: Exit statuses of ``grade_all`` (and ``grader grade``).
EXIT_OK = 0  # every submission graded, none needing a person (notes and unmarked answers may remain)
EXIT_USAGE = 1  # nothing graded: a path that does not exist, no notebook, an unreadable ZIP, a weak sandbox
EXIT_NEEDS_PERSON = 2  # graded, but some submission needs a person (``needs_a_person``)
EXIT_INTERRUPTED = 130  # Ctrl-C: what finished is kept, the same command resumes
#: Libraries whose version can change a verdict: part of every fingerprint.
_VERSIONED = ("numpy", "scipy", "torch", "hypothesis", "nbformat")


@dataclass(frozen=True, eq=False)
class Job:
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


def combined_fingerprint(source_fingerprint: str, marks: Mapping[str, ManualMark] | None) -> str:
    digest = marks_digest(marks)
    return (
        hashlib.sha256(f"{source_fingerprint}:{digest}".encode()).hexdigest()
        if digest
        else source_fingerprint
    )


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
    from grader.moodle.download import is_download, stage

    plain, moodle = [], {}
    for path in paths:
        if is_download(Path(path)):
            moodle |= {s.notebook: s for s in stage(Path(path), Path(out))}
        else:
            plain.append(path)
    return list(dict.fromkeys([*discover(plain), *moodle])), moodle


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


#: What a run writes in OUT beside the report folders (lower case: names are compared so).
CLASS_FILES = frozenset({
    MANIFEST, "gradebook.csv", "summary.html", "manual_marks.csv", "manual_marks.html",
    "manual_marks.json", "similarity",
})  # fmt: skip
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff/\\:*?\"<>|]+")


def folder_name(stem: str) -> str:
    """A report folder name made from a notebook's stem: no path separator, control character,
    undecodable byte or leading dot (so never ``.``, ``..`` or hidden), at most 120 characters."""
    name = _UNSAFE_NAME.sub("_", stem).strip(" .")[:120].rstrip(" .")
    return name or "notebook"


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


def pack_salt(assignment_name: str, seed: int) -> str:
    """What else decides a verdict: the grader's, pack's and reference's files, library versions, seed."""
    import grader

    digest = hashlib.sha256(f"{__version__}:{assignment_name}:{seed}".encode())
    for library in _VERSIONED:
        try:
            digest.update(f"{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    roots = [Path(grader.__file__).parent]
    spec = importlib.util.find_spec(
        "reference"
    )  # the instructor's reference solution, beside the engine
    if spec is not None and spec.origin:
        roots.append(Path(spec.origin).parent)
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


def read_report(out_dir: Path) -> Report | None:
    try:
        return Report.from_dict(
            json.loads((Path(out_dir) / "report.json").read_text(encoding="utf-8"))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_submission(
    report: Report, out_dir: Path, source_fingerprint: str, marks: Mapping[str, ManualMark] | None
) -> Report:
    """Write every file of one submission; ``report.json`` (with the fingerprints) last and atomically,
    so that a run interrupted half-way through the files grades this submission again."""
    from grader.reports import STUDENT_DIR, write_report, write_student_report

    out_dir = Path(out_dir)
    (out_dir / "report.json").unlink(missing_ok=True)
    meta = {k: v for k, v in report.meta.items() if k not in ("fingerprint", "source_fingerprint")}
    meta["folder"] = out_dir.name  # what links to it (summary.html) point at
    write_report(replace(report, meta=meta), out_dir)
    write_student_report(report, out_dir / STUDENT_DIR)
    if source_fingerprint:  # a grader failure has none: the next run tries it again
        meta |= {
            "source_fingerprint": source_fingerprint,
            "fingerprint": combined_fingerprint(source_fingerprint, marks),
        }
    final = replace(report, meta=meta)
    tmp = out_dir / "report.json.tmp"
    dump_json(final.to_dict(), tmp)
    tmp.replace(out_dir / "report.json")
    return final


def _manifest(out: Path) -> dict:
    try:
        return json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def class_reports(out: Path) -> dict[str, Report]:
    """Report folder -> report, for every submission graded into ``out`` (by the manifest; every
    folder holding a report.json when no run wrote one)."""
    out = Path(out)
    folders = _manifest(out).get("submissions")
    if folders is None:
        folders = sorted(p.parent.name for p in out.glob("*/report.json"))
    reports = {}
    for folder in folders:
        report = read_report(out / folder)
        if report is not None:
            reports[folder] = report
    return reports


def write_class_files(out: Path, reports: Sequence[Report], csv_dialect: str | None = None) -> None:
    """The gradebook (in ``csv_dialect``, by default the one the last run recorded) and summary."""
    from grader.csvio import dialect
    from grader.reports.gradebook import write_gradebook
    from grader.reports.summary import write_summary

    if csv_dialect is None:
        csv_dialect = _manifest(out).get("csv_dialect", "excel")
    write_gradebook(reports, Path(out) / "gradebook.csv", dialect(csv_dialect))
    write_summary(reports, Path(out) / "summary.html")


def grader_failure(notebook: Path, max_score: float, detail: str) -> Report:
    """The report of a submission the grader itself could not grade (a grader bug, a dead worker)."""
    last = detail.strip().splitlines()[-1] if detail.strip() else "unknown error"
    return Report(
        submission=notebook.name,
        student=None,
        score=0.0,
        max_score=max_score,
        tasks=(),
        problems=(
            Problem(
                "grader-error", f"the grader failed on this notebook ({last}); it needs a person"
            ),
        ),
        meta={"traceback": detail[-4000:]},
    )


# -- the worker side --------------------------------------------------------------------------

_assignment = None


def _init_worker(assignment_name: str) -> None:
    """Load the pack once per worker. Ctrl-C is the driver's to handle; SIGTERM (the driver
    stopping an interrupted run) runs the exit hooks first, so the runtime's zygote and its
    temporary folder go too."""
    global _assignment
    from grader.assignment import load_assignment
    from grader.runtime import prestart

    if multiprocessing.parent_process() is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _exit_on_term)
        run_exit_hooks_at_exit()
    if _assignment is None or _assignment.name != assignment_name:
        prestart()  # the runtime's zygote boots while the pack and the reference import
        _assignment = load_assignment(assignment_name)


def run_exit_hooks_at_exit() -> None:
    """A multiprocessing child ends with ``os._exit``, skipping ``atexit``: run those hooks (the
    runtime's zygote and its temporary folder) when this worker process ends."""
    multiprocessing.util.Finalize(None, atexit._run_exitfuncs, exitpriority=0)


def _exit_on_term(signum: int, frame: object) -> None:
    atexit._run_exitfuncs()
    os._exit(128 + signum)


def _grade_job(job: Job, seed: int, allow_weak_sandbox: bool = False) -> dict:
    """Grade and write one submission; a grader failure becomes that submission's report."""
    from grader.grading import grade_notebook

    try:
        report = grade_notebook(
            job.notebook, _assignment, seed=seed, manual=job.marks, allow_weak_sandbox=allow_weak_sandbox
        )
        fingerprint = job.source_fingerprint
    except Exception:  # noqa: BLE001 - one submission's failure never stops the batch
        report = grader_failure(job.notebook, _assignment.rubric.max_score, traceback.format_exc())
        fingerprint = ""
    return write_submission(job.attach(report), job.out_dir, fingerprint, job.marks).to_dict()


# -- running the jobs -------------------------------------------------------------------------


def run_pool(
    todo: Sequence[Job],
    call: Callable[[Job], dict],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    on_death: Callable[[Job, str], dict] | None = None,
) -> Iterator[tuple[Job, dict]]:
    """Yield ``(job, call(job))`` as workers finish them, ``workers`` jobs in flight at a time.

    When a worker dies the pool is broken for every job in flight; those are graded again one
    at a time in a fresh single-worker pool, so that only the job that kills its worker alone
    is lost (``on_death(job, detail)`` gives its result), and the pool restarts for the rest.
    """
    context = multiprocessing.get_context("spawn")  # no fork of a process that holds torch threads
    queue = deque(todo)
    while queue:
        suspects: list[Job] = []
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=initializer, initargs=initargs
        )
        try:
            inflight: dict[Future, Job] = {}
            while (queue or inflight) and not suspects:
                while queue and len(inflight) < workers:
                    job = queue.popleft()
                    inflight[pool.submit(call, job)] = job
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    job = inflight.pop(future)
                    if isinstance(future.exception(), BrokenProcessPool):
                        suspects.append(job)
                    else:
                        yield job, _result(future, job, on_death)
            for future, job in inflight.items():  # the pool broke: what finished stands
                if future.done() and not isinstance(future.exception(), BrokenProcessPool):
                    yield job, _result(future, job, on_death)
                else:
                    suspects.append(job)
        finally:
            _stop(pool, now=bool(suspects) or sys.exc_info()[0] is not None)
        for job in suspects:
            yield job, _alone(job, call, initializer, initargs, on_death)


def _result(future: Future, job: Job, on_death: Callable[[Job, str], dict] | None) -> dict:
    exc = future.exception()
    if exc is None:
        return future.result()
    detail = "".join(traceback.format_exception(exc))
    if on_death is None:
        raise exc
    return on_death(job, detail)


def _alone(job, call, initializer, initargs, on_death) -> dict:
    """Grade a suspect in a pool of its own: if the worker dies now, this job killed it."""
    pool = ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=initializer,
        initargs=initargs,
    )
    try:
        future = pool.submit(call, job)
        wait([future])
        if isinstance(future.exception(), BrokenProcessPool):
            detail = "the process grading this notebook died (killed by the system, out of memory, or a crash in native code)"
            if on_death is None:
                raise future.exception()
            return on_death(job, detail)
        return _result(future, job, on_death)
    finally:
        _stop(pool, now=sys.exc_info()[0] is not None)


def _stop(pool: ProcessPoolExecutor, *, now: bool) -> None:
    """Shut a pool down; ``now`` (interrupted, or broken) terminates its workers instead of waiting."""
    if not now:
        pool.shutdown(wait=True)
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


def _run_local(
    todo: list[Job], seed: int, assignment_name: str, workers: int, on_death, allow_weak: bool
) -> Iterator[tuple[Job, dict]]:
    """In this process when one worker suffices (no worker start-up cost), else in a pool."""
    grade = partial(_grade_job, seed=seed, allow_weak_sandbox=allow_weak)
    if workers == 1:
        _init_worker(assignment_name)
        for job in todo:
            yield job, grade(job)
        return
    yield from run_pool(todo, grade, workers, _init_worker, (assignment_name,), on_death)


def sandbox_refusal() -> str | None:
    """Why grading with hidden checks would be refused on this machine (None: it would not)."""
    from grader.runtime import SandboxTooWeak, missing_layers, probe_isolation

    missing = missing_layers(probe_isolation())
    return str(SandboxTooWeak(missing)) if missing else None


# -- progress ----------------------------------------------------------------------------------


class Progress:
    """A live bar on a terminal; elsewhere (CI logs, a file) one plain line per submission."""

    def __init__(self, total: int, done: int, stream=None) -> None:
        from rich.console import Console

        self.total, self.done, self.started_with = total, done, done
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream)
        self.live = self.console.is_terminal
        self.started = time.monotonic()
        self._bar = None

    def __enter__(self) -> Self:
        if self.live:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            columns = (
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
            )
            self._bar = Bar(*columns, console=self.console)
            self._bar.__enter__()
            self._task = self._bar.add_task("grading", total=self.total, completed=self.done)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def advance(self, job: Job, report: dict) -> None:
        self.done += 1
        failed = any(p.get("code") == "grader-error" for p in report.get("problems", ()))
        if self._bar is not None:
            self._bar.advance(self._task)
            if failed:  # printed above the bar, which stays
                self.console.print(f"{job.out_dir.name}: GRADER ERROR (see its report)", style="bold red", markup=False)
            return
        elapsed = time.monotonic() - self.started
        rate = (self.done - self.started_with) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        score, top = report.get("score", 0), report.get("max_score", 0)
        pending = sum(
            c.get("max_score", 0)
            for t in report.get("tasks", ())
            for c in t.get("checks", ())
            if c.get("status") == "manual"
        )
        verdict = (
            f"{score:g}/{top - pending:g} automatic + {pending:g} to mark by hand"
            if pending
            else f"{score:g}/{top:g}"
        )
        if failed:
            verdict += " GRADER ERROR"
        print(
            f"[{self.done}/{self.total}] {job.out_dir.name}: {verdict}  elapsed {_clock(elapsed)}  eta {_clock(eta)}",
            file=self.stream,
            flush=True,
        )


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


# -- the driver -------------------------------------------------------------------------------


def grade_all(
    paths: Sequence[Path],
    out: Path,
    *,
    assignment_name: str = "a2",
    seed: int = 0,
    jobs: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
    csv_dialect: str = "excel",
    allow_weak_sandbox: bool = False,
) -> int:
    """Grade every notebook under ``paths`` into ``out`` (see ``EXIT_*``).

    A path may be a notebook, a folder of notebooks, or a Moodle "Download all submissions"
    (its ZIP or extracted folder; ``grader.moodle.download``). ``scheduler`` is the address of a
    Dask scheduler to grade on instead of local processes. Interrupted, what finished is kept
    and the same command resumes.
    Returns ``EXIT_USAGE`` without grading when the sandbox here lacks a required layer,
    unless ``allow_weak_sandbox`` (every report then says which layers were missing).
    """
    out = Path(out)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        notebooks, moodle = find_submissions(paths, out)
    except (OSError, zipfile.BadZipFile) as exc:
        print(f"error: cannot read the submissions: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not notebooks:
        print(f"error: no notebooks found in {', '.join(map(str, paths))}", file=sys.stderr)
        return EXIT_USAGE
    out.mkdir(parents=True, exist_ok=True)
    all_jobs = plan(notebooks, out, pack_salt(assignment_name, seed), load_marks(out), moodle)
    # OUT is the class: a later run on a few notebooks (a late submission) adds to it
    earlier = [f for f in class_reports(out) if f not in {j.out_dir.name for j in all_jobs}]
    folders = [*earlier, *(j.out_dir.name for j in all_jobs)]
    dump_json(
        {"assignment": assignment_name, "seed": seed, "csv_dialect": csv_dialect, "submissions": folders},
        out / MANIFEST,
    )

    todo, reports, rescored = [], {}, 0
    for job in all_jobs:
        cached = None if force else read_report(job.out_dir)
        if cached is None or cached.meta.get("source_fingerprint") != job.source_fingerprint:
            todo.append(job)
        elif cached.meta.get("fingerprint") == job.fingerprint:
            reports[job] = cached
        else:  # only the manual marks changed: score again, grade nothing
            reports[job] = write_submission(
                apply_marks(cached, job.marks), job.out_dir, job.source_fingerprint, job.marks
            )
            rescored += 1
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    max_score = next((r.max_score for r in reports.values() if r.tasks), 0.0)

    def on_death(job: Job, detail: str) -> dict:
        report = job.attach(grader_failure(job.notebook, max_score, detail))
        return write_submission(report, job.out_dir, "", job.marks).to_dict()

    if scheduler:
        try:
            from grader.distributed import run_dask
        except ImportError as exc:
            print(f"--scheduler needs Dask: pip install 'a2-grader[dask]' ({exc})", file=sys.stderr)
            return EXIT_USAGE
        results = run_dask(
            todo, scheduler, assignment_name=assignment_name, seed=seed, allow_weak_sandbox=allow_weak_sandbox
        )
    else:
        refusal = None if allow_weak_sandbox or not todo else sandbox_refusal()
        if refusal:
            print(refusal, file=sys.stderr)
            return EXIT_USAGE
        results = _run_local(todo, seed, assignment_name, workers, on_death, allow_weak_sandbox)
    graded = 0
    try:
        with Progress(len(all_jobs), len(reports)) as progress, closing(results):
            for job, result in results:
                reports[job] = Report.from_dict(result)
                max_score = max_score or reports[job].max_score
                graded += 1
                progress.advance(job, result)
        by_folder = {**class_reports(out), **{job.out_dir.name: r for job, r in reports.items()}}
        write_class_files(out, [by_folder[f] for f in sorted(by_folder)], csv_dialect)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: {graded} notebook(s) graded in this run are kept; run the same command again to resume"
        )
        return EXIT_INTERRUPTED
    skipped = len(all_jobs) - len(todo)
    note = f", {skipped} up to date" if skipped else ""
    note += f" ({rescored} re-scored with new manual marks)" if rescored else ""
    print(f"graded {graded} notebook(s){note} -> {out}/gradebook.csv, {out}/summary.html")
    return _verdict(list(reports.values()))


def needs_a_person(report: Report) -> bool:
    """The grader failed, could not see part of the work (a blocking problem), or a task crashed
    or hung: a person has to look before the total means anything."""
    from grader.reports.summary import BROKEN

    return any(p.blocking or p.code == "grader-error" for p in report.problems) or any(
        t.status in BROKEN for t in report.tasks
    )


def _verdict(reports: Sequence[Report]) -> int:
    """Print the run's last line, the counts a person acts on, and return the exit status."""
    from grader.reports.text import pending_points

    failed = sum(any(p.code == "grader-error" for p in r.problems) for r in reports)
    need = sum(needs_a_person(r) for r in reports)
    noted = sum(bool(r.problems) and not needs_a_person(r) for r in reports)
    pending = sum(1 for r in reports if pending_points(r))
    print(
        f"{len(reports)} submission(s): {failed} grader error(s), {need} needing a person, "
        f"{noted} with notes only (summary.html lists both), {pending} with written answers to mark"
    )
    return EXIT_NEEDS_PERSON if need else EXIT_OK
