"""Where the jobs to grade run: local worker processes (``grader.frontends.pool``), or a Dask
cluster (``grader.frontends.distributed``); and the refusal to grade on a machine whose sandbox
lacks a layer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from grader.frontends.classfolder import Job, write_submission
from grader.frontends.pool import grader_failure, load_pack_here, run_local
from grader.reports.notebook_view import render_ahead
from grader.runtime import SandboxTooWeak, missing_layers, prestart, probe_isolation

if TYPE_CHECKING:
    from grader.assignment import LocatedPack

log = logging.getLogger("grader.frontends.batch")

Results = Generator[tuple[Job, dict], None, None]


def sandbox_refusal(preload: Sequence[str] = ()) -> str | None:
    """Why grading with hidden checks would be refused on this machine (None: it would not).

    ``preload``: what this process's runtime zygote imports if the probe starts it (see
    ``probe_isolation``)."""
    missing = missing_layers(probe_isolation(preload=preload))
    return str(SandboxTooWeak(missing)) if missing else None


def run_jobs(
    todo: list[Job],
    *,
    located: LocatedPack,
    seed: int,
    workers: int,
    max_score: Callable[[], float],
    scheduler: str | None,
    allow_weak_sandbox: bool,
) -> Results | str:
    """The graded reports as they come (job, report as a dict), or why nothing can be graded
    (Dask not installed, a weak sandbox). ``max_score()`` is read into the report written
    for a job whose worker died: the class's, as far as the run knows it then."""

    def on_death(job: Job, detail: str) -> dict:
        log.debug("%s: its grading process died\n%s", job.out_dir.name, detail)
        report = job.attach(grader_failure(job.notebook, max_score(), detail))
        return write_submission(report, job.out_dir, "", job.marks).to_dict()

    if scheduler:
        try:
            from grader.frontends.distributed import run_dask  # Dask is an optional extra
        except ImportError as exc:
            return f"--scheduler needs Dask: install the grader with its 'dask' extra ({exc})"
        return run_dask(
            todo, scheduler, located=located, seed=seed, allow_weak_sandbox=allow_weak_sandbox
        )
    here = workers == 1 and bool(todo)
    # graded here: the pack loads while the zygote imports its preloads (started first)
    preload: Sequence[str] = load_pack_here(located).pack.preload if here else ()

    def probe() -> str | None:
        return None if allow_weak_sandbox or not todo else sandbox_refusal(preload)

    if here:
        # the probe waits for that zygote's imports: the first page renders meanwhile. The
        # zygote is (re)started from this thread first: one started from the probe's thread
        # would die with it (see grader.runtime.spawner.prestart)
        prestart(preload)
        with ThreadPoolExecutor(1, thread_name_prefix="sandbox-probe") as probing:
            probed = probing.submit(probe)
            render_ahead(todo[0].notebook)
            refusal = probed.result()
    else:
        refusal = probe()
    if refusal:
        return refusal
    return run_local(todo, seed, located, workers, on_death, allow_weak_sandbox)
