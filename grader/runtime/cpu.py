"""CPU accounting of one submission: the student's own code against everything its processes ran.

The yardstick of the grader's speed is what cannot be avoided, the student's own code. The
builder and the call workers time it themselves (the statements they run, the calls they
serve, less the callbacks and traces inside them) and every reply carries ``[student seconds
since the last reply, the process's CPU seconds so far]`` (``protocol.reply_cpu``). A process
killed before it replied (a hang, a crash) is read once from ``/proc`` before it goes, and
what it used since its last reply was the student's. These are figures for the benchmarks
and the report's ``meta``, never a verdict.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.runtime import protocol

_TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float | None:
    """utime + stime of ``pid`` from ``/proc`` (a zombie still has them); None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


class CpuLedger:
    """The CPU seconds of a submission's processes, as their replies and ``/proc`` tell them."""

    def __init__(self) -> None:
        self.student = 0.0  # in the student's own statements and functions
        self._running: dict[int, float] = {}  # pid -> its CPU seconds at its last word
        self._done = 0.0  # of the processes that are gone

    def reply(self, pid: int, reply: dict) -> None:
        """Count what a reply of process ``pid`` says."""
        student, total = protocol.reply_cpu(reply)
        self.student += student
        self._running[pid] = max(total, self._running.get(pid, 0.0))

    def killed(self, pid: int) -> None:
        """``pid`` is about to be killed, or died, in the middle of a request of the student's:
        what it ran since its last reply was the student's code."""
        total = process_seconds(pid)
        if total is not None:
            self.student += max(total - self._running.get(pid, 0.0), 0.0)
            self._running[pid] = max(total, self._running.get(pid, 0.0))

    def closed(self, pid: int) -> None:
        """``pid`` is gone: its figure is final (and its pid may be another's later)."""
        self._done += self._running.pop(pid, 0.0)

    @property
    def processes(self) -> float:
        """CPU seconds of every process of the submission (student code and the runtime's own)."""
        return self._done + sum(self._running.values())
