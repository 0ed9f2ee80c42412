"""What one run of ``grade_all`` did (``BatchResult``), and which reports need a person: what
``grader.cli`` turns into the exit status."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.model.results import Report
from grader.reports.summary import BROKEN
from grader.reports.text import pending_points, unread_problems


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
