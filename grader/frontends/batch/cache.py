"""What a run need not grade again: a report whose fingerprints match is up to date; one whose
notebook is unchanged but whose manual marks changed is scored again from its ``report.json``;
the rest is to grade."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from grader.frontends.classfolder import Job, read_report, write_submission
from grader.frontends.manual import apply_marks
from grader.model.results import Report

log = logging.getLogger("grader.frontends.batch")


@dataclass
class Sorted:
    """The jobs of a run, sorted by what they need."""

    todo: list[Job] = field(default_factory=list)
    reports: dict[Job, Report] = field(default_factory=dict)  # up to date or re-scored
    rescored: list[str] = field(default_factory=list)  # report folders
    up_to_date: list[str] = field(default_factory=list)


def sort_jobs(jobs: list[Job], *, force: bool) -> Sorted:
    """``jobs`` sorted against the reports on disk (every one to grade when ``force``);
    re-scoring writes the new report as it goes."""
    found = Sorted()
    for job in jobs:
        cached = None if force else read_report(job.out_dir)
        if cached is None or cached.meta.get("source_fingerprint") != job.source_fingerprint:
            found.todo.append(job)
        elif cached.meta.get("fingerprint") == job.fingerprint:
            found.reports[job] = cached
            found.up_to_date.append(job.out_dir.name)
            log.debug("%s: up to date", job.out_dir.name)
        else:  # only the manual marks changed: score again, grade nothing
            found.reports[job] = write_submission(
                apply_marks(cached, job.marks), job.out_dir, job.source_fingerprint, job.marks
            )
            found.rescored.append(job.out_dir.name)
            log.info("%s: re-scored with new manual marks", job.out_dir.name)
    return found


def finished(job: Job) -> bool:
    """The job's report is on disk, complete (its fingerprints are written last) and current."""
    report = read_report(job.out_dir)
    return report is not None and report.meta.get("fingerprint") == job.fingerprint
