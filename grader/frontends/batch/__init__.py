"""Grade a class: find the submissions, grade what changed, write the class folder, say what happened.

``grade_all`` is the driver, one module per step: ``plan`` (the notebooks and their jobs),
``cache`` (what is up to date or only re-scored), ``schedule`` (local workers or Dask),
``progress`` (the bar and the log), ``classfiles`` (the gradebook and summary), ``result``
(the ``BatchResult``). The class folder's layout, the fingerprints that make a run resume
and the manual marks a re-grade keeps belong to ``grader.frontends.classfolder``; the worker processes to
``grader.frontends.pool`` (or ``grader.frontends.distributed`` on a Dask cluster). A submission whose source
fingerprint is unchanged is not graded again (unless ``force``); if only its marks changed it is
re-scored from its ``report.json``. The run's ``BatchResult`` says what was graded, skipped,
failed and needs a person; ``grader.cli`` turns it into the exit status.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from grader.assignment import LocatedPack, locate
from grader.assignments import DEFAULT
from grader.frontends.batch.cache import finished, sort_jobs
from grader.frontends.batch.classfiles import write_class
from grader.frontends.batch.plan import find_submissions, plan_class
from grader.frontends.batch.progress import Progress, log_graded
from grader.frontends.batch.result import BatchResult
from grader.frontends.batch.schedule import run_jobs
from grader.model.results import Report

log = logging.getLogger(__name__)


def grade_all(
    paths: Sequence[Path],
    out: Path,
    *,
    assignment: str | LocatedPack = DEFAULT,
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
    Dask scheduler to grade on instead of local processes. ``assignment`` names the pack
    (``grader.assignment.locate``), or is the pack already located. Interrupted, what finished is
    kept and the same command resumes.
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
    located = locate(assignment)
    all_jobs = plan_class(notebooks, moodle, out, located=located, seed=seed, csv_dialect=csv_dialect)
    cached = sort_jobs(all_jobs, force=force)
    todo, reports = cached.todo, cached.reports
    max_score = next((r.max_score for r in reports.values() if r.tasks), 0.0)
    results = run_jobs(
        todo,
        located=located,
        seed=seed,
        workers=max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1)),
        max_score=lambda: max_score,  # read when a worker dies: the first report graded sets it
        scheduler=scheduler,
        allow_weak_sandbox=allow_weak_sandbox,
    )
    if isinstance(results, str):
        return BatchResult(results)
    graded: list[str] = []
    interrupted = False
    try:
        log.info(
            "%d submission(s): %d to grade, %d up to date, %d re-scored",
            len(all_jobs), len(todo), len(cached.up_to_date), len(cached.rescored),
        )
        with Progress(len(all_jobs), len(reports), shown=progress) as bar, closing(results):
            for job, result in results:
                reports[job] = Report.from_dict(result)
                max_score = max_score or reports[job].max_score
                graded.append(job.out_dir.name)
                bar.advance(job, result)
                log_graded(job.out_dir.name, reports[job])
        flagged = write_class(out, {job.out_dir.name: r for job, r in reports.items()}, csv_dialect)
        reports = {job: flagged[job.out_dir.name] for job in reports}
    except KeyboardInterrupt:
        # the workers are stopped by now (closing the results ends the pool): what they wrote
        # before is on disk whether or not its result reached this process, so count it there
        kept = [job.out_dir.name for job in todo if finished(job)]
        log.info("interrupted after %d submission(s) graded", len(kept))
        print(
            f"\ninterrupted: {len(kept)} notebook(s) graded in this run are kept; run the same command again to resume"
        )
        graded = kept
        interrupted = True
    else:
        up_to_date, rescored = cached.up_to_date, cached.rescored
        note = f", {len(up_to_date) + len(rescored)} up to date" if up_to_date or rescored else ""
        note += f" ({len(rescored)} re-scored with new manual marks)" if rescored else ""
        print(f"graded {len(graded)} notebook(s){note} -> {out}/gradebook.csv, {out}/summary.html")
    return BatchResult(
        reports={job.out_dir.name: report for job, report in reports.items()},
        graded=tuple(graded),
        rescored=tuple(cached.rescored),
        up_to_date=tuple(cached.up_to_date),
        interrupted=interrupted,
    )
