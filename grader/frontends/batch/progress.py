"""What a run shows while it grades: a live bar on a terminal, one plain line per submission
elsewhere, and a log record per submission."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Self

from grader.frontends.classfolder import Job
from grader.model.results import Report, Status
from grader.notebook.problems import Severity
from grader.reports.text import unread_problems

if TYPE_CHECKING:
    from types import TracebackType

    from rich.progress import Progress as Bar

log = logging.getLogger("grader.frontends.batch")


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


def log_graded(folder: str, report: Report) -> None:
    failure = next((p for p in report.problems if p.code == "grader-error"), None)
    if failure is not None:
        log.error("%s: grader error: %s", folder, failure.message)
        log.debug("%s: the grader's traceback\n%s", folder, report.meta.get("traceback", ""))
    elif unread_problems(report):
        log.info("%s: not read, needs a person: %s", folder, "; ".join(p.message for p in unread_problems(report)))
    else:
        log.info("%s: graded, %s / %s", folder, report.score, report.max_score)
