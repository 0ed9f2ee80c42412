"""Grade on a Dask cluster: ``grader grade ... --scheduler ADDRESS``.

The unit of work is one submission. The client sends the notebook's bytes (workers need not
share a file system with it), each worker loads the assignment pack once (``LoadAssignment``, a
Dask ``WorkerPlugin``; ``grader.frontends.pool.load_pack_here``, the one per-process cache, also loads
it on first use should a worker join after registration), and a result comes back as the report's plain JSON data, which the client
writes with ``classfolder.write_submission`` — the same files as a local run. Only submissions that
need grading are sent: resume and manual marks work as they do locally.

Requires the grader's optional extra ``dask`` (``pip install ".[dask]"`` in a checkout).
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any

from distributed import Client, WorkerPlugin, as_completed

from grader.assignment import LocatedPack
from grader.frontends.classfolder import Job, write_submission
from grader.frontends.pool import grader_failure, load_pack_here, run_exit_hooks_at_exit
from grader.grading.pipeline import grade_notebook
from grader.grading.scoring import ManualMark
from grader.model.results import Report


class LoadAssignment(WorkerPlugin):
    """Load the pack (checks, reference, rubric) once per worker process, when it starts."""

    def __init__(self, located: LocatedPack) -> None:
        self.located = located
        self.name = f"grader-assignment-{located.name}"

    def setup(self, worker: Any) -> None:
        run_exit_hooks_at_exit()
        load_pack_here(self.located)


def grade_remote(
    file_name: str,
    data: bytes | None,
    path: str,
    located: LocatedPack,
    seed: int,
    marks: Mapping[str, dict],
    allow_weak_sandbox: bool = False,
) -> dict:
    """Grade one notebook on a worker; the report as plain data. Never raises for a notebook
    (a worker whose sandbox is too weak answers a grader-error report that says why)."""
    assignment = load_pack_here(located)
    manual = {task: ManualMark(**mark) for task, mark in marks.items()}
    try:
        if data is None:  # the client could not read it: grade the path, whose report says why
            return grade_notebook(Path(path), assignment, seed=seed, manual=manual, allow_weak_sandbox=allow_weak_sandbox).to_dict()
        with tempfile.TemporaryDirectory(prefix="grader-dask-") as folder:
            notebook = Path(folder) / file_name
            notebook.write_bytes(data)
            return grade_notebook(notebook, assignment, seed=seed, manual=manual, allow_weak_sandbox=allow_weak_sandbox).to_dict()
    except Exception:  # noqa: BLE001 - one submission's failure never stops the batch
        report = grader_failure(
            Path(file_name), assignment.rubric.max_score, traceback.format_exc()
        )
        report.meta["grader_error"] = True
        return report.to_dict()


def run_dask(
    todo: list[Job], address: str, *, located: LocatedPack, seed: int, allow_weak_sandbox: bool = False
) -> Generator[tuple[Job, dict], None, None]:
    """Yield ``(job, report dict)`` as the cluster finishes them, each already written to its folder."""
    if not todo:
        return
    with Client(address) as client:
        client.register_plugin(LoadAssignment(located))
        futures = {}
        for job in todo:
            try:
                data = job.notebook.read_bytes()
            except OSError:
                data = None
            marks = {task: vars(mark) for task, mark in job.marks.items()}
            future = client.submit(
                grade_remote,
                job.notebook.name,
                data,
                str(job.notebook),
                located,
                seed,
                marks,
                allow_weak_sandbox,
                key=f"grade-{job.out_dir.name}-{job.fingerprint[:12]}",
                pure=False,
                retries=1,
            )
            futures[future] = job
        max_score = 0.0  # the rubric's, once a result has said it
        try:
            for future in as_completed(futures):
                job = futures.pop(future)
                try:
                    result = future.result()
                    failed = bool(result.get("meta", {}).pop("grader_error", False))
                    max_score = max_score or result.get("max_score", 0.0)
                except Exception:  # noqa: BLE001 - a lost worker (KilledWorker) costs its submission only
                    report = grader_failure(job.notebook, max_score, traceback.format_exc())
                    result, failed = report.to_dict(), True
                report = write_submission(
                    job.attach(Report.from_dict(result)),
                    job.out_dir,
                    "" if failed else job.source_fingerprint,
                    job.marks,
                    None if failed else job.notebook,  # the notebook is here, in the driver's folder
                )
                yield job, report.to_dict()
        finally:
            client.cancel(list(futures))
