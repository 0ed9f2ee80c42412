"""Grade submissions in local worker processes, so that one submission's failure costs it alone.

An exception in the grader becomes that submission's ``grader-error`` report (``grader_failure``),
and a worker process that dies (killed, out of memory, a crash in native code) is replaced: the
submissions it held are graded again one at a time, and the one that kills its worker alone gets
the ``grader-error`` report (``run_pool``). Each worker loads the assignment pack once and runs
the exit hooks (the runtime's zygote and its temporary folder) when it ends, however it ends.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from grader.assignment import Assignment, LocatedPack
from grader.frontends.classfolder import Job, write_submission
from grader.grading import pipeline as grading
from grader.model.results import Report
from grader.notebook.problems import Problem
from grader.runtime import prestart

T = TypeVar("T")
#: ``on_death(job, detail)``: the result of a job whose worker died (None: the pool raises).
OnDeath = Callable[[Any, str], dict]


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

#: The packs loaded in this process, by the located pack the driver passed down (a pickled
#: ``LocatedPack`` imports the very pack the command found: a folder's pack included).
_loaded: dict[LocatedPack, Assignment] = {}


def _init_worker(located: LocatedPack) -> None:
    """Load the pack once per worker. Ctrl-C is the driver's to handle; SIGTERM (the driver
    stopping an interrupted run) runs the exit hooks first, so the runtime's zygote and its
    temporary folder go too."""
    if multiprocessing.parent_process() is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _exit_on_term)
        run_exit_hooks_at_exit()
    load_pack_here(located)


def load_pack_here(located: LocatedPack) -> Assignment:
    """The pack that submissions graded in this process use, loaded once (by the local workers
    and the Dask ones); this process's runtime zygote is started first, so that its imports
    (torch...) overlap the loading."""
    if located not in _loaded:
        prestart(located.pack.preload)
        _loaded[located] = located.load()
    return _loaded[located]


def run_exit_hooks_at_exit() -> None:
    """A multiprocessing child ends with ``os._exit``, skipping ``atexit``: run those hooks (the
    runtime's zygote and its temporary folder) when this worker process ends."""
    multiprocessing.util.Finalize(None, atexit._run_exitfuncs, exitpriority=0)


def _exit_on_term(signum: int, frame: object) -> None:
    atexit._run_exitfuncs()
    os._exit(128 + signum)


def _grade_job(job: Job, located: LocatedPack, seed: int, allow_weak_sandbox: bool = False) -> dict:
    """Grade and write one submission; a grader failure becomes that submission's report."""
    assignment = load_pack_here(located)  # loaded by _init_worker
    try:
        report = grading.grade_notebook(
            job.notebook, assignment, seed=seed, manual=job.marks, allow_weak_sandbox=allow_weak_sandbox
        )
        fingerprint, notebook = job.source_fingerprint, job.notebook
    except Exception:  # noqa: BLE001 - one submission's failure never stops the batch
        report = grader_failure(job.notebook, assignment.rubric.max_score, traceback.format_exc())
        fingerprint, notebook = "", None
    return write_submission(job.attach(report), job.out_dir, fingerprint, job.marks, notebook).to_dict()


def run_local(
    todo: Sequence[Job],
    seed: int,
    located: LocatedPack,
    workers: int,
    on_death: OnDeath | None,
    allow_weak: bool,
) -> Generator[tuple[Job, dict], None, None]:
    """Grade and write ``todo``, yielding ``(job, report dict)``: in this process when one worker
    suffices (no worker start-up cost, and no protection from a dying process), else in a pool."""
    grade = partial(_grade_job, located=located, seed=seed, allow_weak_sandbox=allow_weak)
    if workers == 1:
        _init_worker(located)
        for job in todo:
            yield job, grade(job)
        return
    yield from run_pool(todo, grade, workers, _init_worker, (located,), on_death)


# -- the pool ---------------------------------------------------------------------------------


def run_pool(
    todo: Sequence[T],
    call: Callable[[T], dict],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    on_death: OnDeath | None = None,
) -> Iterator[tuple[T, dict]]:
    """Yield ``(job, call(job))`` as workers finish them, ``workers`` jobs in flight at a time.

    When a worker dies the pool is broken for every job in flight; those are graded again one
    at a time in a fresh single-worker pool, so that only the job that kills its worker alone
    is lost (``on_death(job, detail)`` gives its result), and the pool restarts for the rest.
    """
    context = multiprocessing.get_context("spawn")  # no fork of a process that holds torch threads
    queue = deque(todo)
    while queue:
        suspects: list[T] = []
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=initializer, initargs=initargs
        )
        try:
            inflight: dict[Future, T] = {}
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


def _result(future: Future, job: T, on_death: OnDeath | None) -> dict:
    exc = future.exception()
    if exc is None:
        return future.result()
    detail = "".join(traceback.format_exception(exc))
    if on_death is None:
        raise exc
    return on_death(job, detail)


def _alone(
    job: T,
    call: Callable[[T], dict],
    initializer: Callable[..., None] | None,
    initargs: tuple,
    on_death: OnDeath | None,
) -> dict:
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
        exc = future.exception()
        if isinstance(exc, BrokenProcessPool):
            detail = "the process grading this notebook died (killed by the system, out of memory, or a crash in native code)"
            if on_death is None:
                raise exc
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
