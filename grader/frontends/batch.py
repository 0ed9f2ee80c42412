"""Grade a class: find the submissions, grade what changed, write the class folder, say what happened.

``grade_all`` is the driver. The class folder's layout, the fingerprints that make a run resume
and the manual marks a re-grade keeps belong to ``grader.frontends.classfolder``; the worker processes to
``grader.frontends.pool`` (or ``grader.frontends.distributed`` on a Dask cluster). A submission whose source
fingerprint is unchanged is not graded again (unless ``force``); if only its marks changed it is
re-scored from its ``report.json``. The run's ``BatchResult`` says what was graded, skipped,
failed and needs a person; ``grader.cli`` turns it into the exit status.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import zipfile
from collections.abc import Generator, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self

from grader.assignments import DEFAULT
from grader.frontends import classfolder
from grader.frontends.classfolder import (
    Job,
    class_reports,
    flag_shared_identities,
    load_marks,
    read_report,
    write_class_files,
    write_submission,
)
from grader.frontends.manual import apply_marks
from grader.frontends.moodle.download import MoodleSubmission, is_download, stage
from grader.frontends.pool import grader_failure, load_pack_here, run_local
from grader.model.results import Report, Status
from grader.notebook.problems import Severity
from grader.reports.summary import BROKEN
from grader.reports.text import pending_points, unread_problems
from grader.runtime import SandboxTooWeak, missing_layers, probe_isolation

if TYPE_CHECKING:
    from types import TracebackType

    from rich.progress import Progress as Bar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchResult:
    """What one run did. ``error`` says why nothing was graded (a path that does not exist, no
    notebook, an unreadable ZIP, a weak sandbox); else ``reports`` holds every submission named
    in this run, by report folder, each graded, re-scored or up to date."""

    error: str | None = None
    reports: dict[str, Report] = field(default_factory=dict)
    graded: tuple[str, ...] = ()  # report folders graded in this run
    rescored: tuple[str, ...] = ()  # only their manual marks changed: scored again, not graded
    up_to_date: tuple[str, ...] = ()  # unchanged since the run that graded them
    interrupted: bool = False  # Ctrl-C: what finished is kept, the same command resumes

    @property
    def failed(self) -> list[str]:
        """The submissions the grader itself failed on (``grader-error``)."""
        return [f for f, r in self.reports.items() if any(p.code == "grader-error" for p in r.problems)]

    @property
    def need_a_person(self) -> list[str]:
        return [f for f, r in self.reports.items() if needs_a_person(r)]

    @property
    def noted(self) -> list[str]:
        """Submissions with problems that are notes only (a file name, the run order...)."""
        return [f for f, r in self.reports.items() if r.problems and not needs_a_person(r)]

    @property
    def to_mark(self) -> list[str]:
        """Submissions with written answers still to mark by hand (one the grader could not
        read has none: a person looks at the notebook itself)."""
        return [f for f, r in self.reports.items() if pending_points(r) and not unread_problems(r)]


def needs_a_person(report: Report) -> bool:
    """The grader failed, could not see part of the work (a blocking problem), or a task crashed
    or hung: a person has to look before the total means anything."""
    return any(p.blocking or p.code == "grader-error" for p in report.problems) or any(
        t.status in BROKEN for t in report.tasks
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
    plain: list[Path] = []
    moodle: dict[Path, MoodleSubmission] = {}
    for path in paths:
        if is_download(Path(path)):
            moodle |= {s.notebook: s for s in stage(Path(path), Path(out))}
        else:
            plain.append(path)
    return list(dict.fromkeys([*discover(plain), *moodle])), moodle


def sandbox_refusal(preload: Sequence[str] = ()) -> str | None:
    """Why grading with hidden checks would be refused on this machine (None: it would not).

    ``preload``: what this process's runtime zygote imports if the probe starts it (see
    ``probe_isolation``)."""
    missing = missing_layers(probe_isolation(preload=preload))
    return str(SandboxTooWeak(missing)) if missing else None


# -- progress ----------------------------------------------------------------------------------


class Progress:
    """A live bar on a terminal; elsewhere (CI logs, a file) one plain line per submission."""

    def __init__(self, total: int, done: int, stream=None, *, shown: bool = True) -> None:
        from rich.console import Console

        self.total, self.done, self.started_with = total, done, done
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream)
        self.shown = shown  # False: nothing printed (``grader -q``)
        self.live = shown and self.console.is_terminal
        self.started = time.monotonic()
        self._bar: Bar | None = None

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

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def advance(self, job: Job, report: dict) -> None:
        self.done += 1
        failed = any(p.get("code") == "grader-error" for p in report.get("problems", ()))
        if not self.shown:
            return
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
            if c.get("status") == Status.MANUAL
        )
        verdict = (
            f"{score:g}/{top - pending:g} automatic + {pending:g} to mark by hand"
            if pending
            else f"{score:g}/{top:g}"
        )
        if any(p.get("kind") == Severity.BLOCKING for p in report.get("problems", ())):
            verdict = "no grade, not read: " + ", ".join(
                p["code"] for p in report["problems"] if p.get("kind") == Severity.BLOCKING
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


def _log_graded(folder: str, report: Report) -> None:
    failure = next((p for p in report.problems if p.code == "grader-error"), None)
    if failure is not None:
        log.error("%s: grader error: %s", folder, failure.message)
        log.debug("%s: the grader's traceback\n%s", folder, report.meta.get("traceback", ""))
    elif unread_problems(report):
        log.info("%s: not read, needs a person: %s", folder, "; ".join(p.message for p in unread_problems(report)))
    else:
        log.info("%s: graded, %s / %s", folder, report.score, report.max_score)


def _finished(job: Job) -> bool:
    """The job's report is on disk, complete (its fingerprints are written last) and current."""
    report = read_report(job.out_dir)
    return report is not None and report.meta.get("fingerprint") == job.fingerprint


def grade_all(
    paths: Sequence[Path],
    out: Path,
    *,
    assignment_name: str = DEFAULT,
    seed: int = 0,
    jobs: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
    csv_dialect: str = "excel",
    allow_weak_sandbox: bool = False,
    progress: bool = True,
) -> BatchResult:
    """Grade every notebook under ``paths`` into the class folder ``out``.

    A path may be a notebook, a folder of notebooks, or a Moodle "Download all submissions"
    (its ZIP or extracted folder; ``grader.frontends.moodle.download``). ``scheduler`` is the address of a
    Dask scheduler to grade on instead of local processes. Interrupted, what finished is kept
    and the same command resumes.
    Refuses to grade (``BatchResult.error``) when the sandbox here lacks a required layer,
    unless ``allow_weak_sandbox`` (every report then says which layers were missing).
    ``progress``: print a line (or a bar) per submission graded. What happens to each submission
    is logged (``grader.frontends.batch``: each one at info, a grader error at error, its traceback at debug).
    """
    out = Path(out)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        return BatchResult(f"error: no such file or folder: {', '.join(missing)}")
    try:
        notebooks, moodle = find_submissions(paths, out)
    except (OSError, zipfile.BadZipFile) as exc:
        return BatchResult(f"error: cannot read the submissions: {exc}")
    if not notebooks:
        return BatchResult(f"error: no notebooks found in {', '.join(map(str, paths))}")
    out.mkdir(parents=True, exist_ok=True)
    all_jobs = classfolder.plan(notebooks, out, classfolder.pack_salt(assignment_name, seed), load_marks(out), moodle)
    # OUT is the class: a later run on a few notebooks (a late submission) adds to it
    earlier = [f for f in class_reports(out) if f not in {j.out_dir.name for j in all_jobs}]
    classfolder.write_manifest(
        out,
        [*earlier, *(j.out_dir.name for j in all_jobs)],
        assignment_name=assignment_name,
        seed=seed,
        csv_dialect=csv_dialect,
    )

    todo, reports, rescored, up_to_date = [], {}, [], []
    for job in all_jobs:
        cached = None if force else read_report(job.out_dir)
        if cached is None or cached.meta.get("source_fingerprint") != job.source_fingerprint:
            todo.append(job)
        elif cached.meta.get("fingerprint") == job.fingerprint:
            reports[job] = cached
            up_to_date.append(job.out_dir.name)
            log.debug("%s: up to date", job.out_dir.name)
        else:  # only the manual marks changed: score again, grade nothing
            reports[job] = write_submission(
                apply_marks(cached, job.marks), job.out_dir, job.source_fingerprint, job.marks
            )
            rescored.append(job.out_dir.name)
            log.info("%s: re-scored with new manual marks", job.out_dir.name)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    max_score = next((r.max_score for r in reports.values() if r.tasks), 0.0)

    def on_death(job: Job, detail: str) -> dict:
        log.debug("%s: its grading process died\n%s", job.out_dir.name, detail)
        report = job.attach(grader_failure(job.notebook, max_score, detail))
        return write_submission(report, job.out_dir, "", job.marks).to_dict()

    results: Generator[tuple[Job, dict], None, None]
    if scheduler:
        try:
            from grader.frontends.distributed import run_dask  # Dask is an optional extra
        except ImportError as exc:
            return BatchResult(f"--scheduler needs Dask: install the grader with its 'dask' extra ({exc})")
        results = run_dask(
            todo, scheduler, assignment_name=assignment_name, seed=seed, allow_weak_sandbox=allow_weak_sandbox
        )
    else:
        preload: Sequence[str] = ()
        if workers == 1 and todo:  # graded here: the pack loads while the zygote imports its preloads
            preload = load_pack_here(assignment_name).pack.preload
        refusal = None if allow_weak_sandbox or not todo else sandbox_refusal(preload)
        if refusal:
            return BatchResult(refusal)
        results = run_local(todo, seed, assignment_name, workers, on_death, allow_weak_sandbox)
    graded: list[str] = []
    interrupted = False
    try:
        log.info("%d submission(s): %d to grade, %d up to date, %d re-scored", len(all_jobs), len(todo), len(up_to_date), len(rescored))
        with Progress(len(all_jobs), len(reports), shown=progress) as bar, closing(results):
            for job, result in results:
                reports[job] = Report.from_dict(result)
                max_score = max_score or reports[job].max_score
                graded.append(job.out_dir.name)
                bar.advance(job, result)
                _log_graded(job.out_dir.name, reports[job])
        by_folder = {**class_reports(out), **{job.out_dir.name: r for job, r in reports.items()}}
        write_class_files(out, {f: by_folder[f] for f in sorted(by_folder)}, csv_dialect)
        # a student claimed twice needs a person, also when the other claim came in an earlier run
        flagged = flag_shared_identities(by_folder)
        reports = {job: flagged[job.out_dir.name] for job in reports}
    except KeyboardInterrupt:
        # the workers are stopped by now (closing the results ends the pool): what they wrote
        # before is on disk whether or not its result reached this process, so count it there
        kept = [job.out_dir.name for job in todo if _finished(job)]
        log.info("interrupted after %d submission(s) graded", len(kept))
        print(
            f"\ninterrupted: {len(kept)} notebook(s) graded in this run are kept; run the same command again to resume"
        )
        graded = kept
        interrupted = True
    else:
        note = f", {len(up_to_date) + len(rescored)} up to date" if up_to_date or rescored else ""
        note += f" ({len(rescored)} re-scored with new manual marks)" if rescored else ""
        print(f"graded {len(graded)} notebook(s){note} -> {out}/gradebook.csv, {out}/summary.html")
    return BatchResult(
        reports={job.out_dir.name: report for job, report in reports.items()},
        graded=tuple(graded),
        rescored=tuple(rescored),
        up_to_date=tuple(up_to_date),
        interrupted=interrupted,
    )
