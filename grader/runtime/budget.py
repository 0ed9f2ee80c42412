"""The memory budget of a whole submission: all its processes together, watched from the grader.

RLIMIT_DATA bounds each process; nothing in an rlimit bounds their sum (five children of
1.2 GB each stay under a 2 GB per-process limit). Where no cgroup can be made for the
submission (no cgroup v2 delegated to the grader, which is the case on most hosts and in
the containers graders run in), a thread of the grader sums the proportional set size (PSS:
a page shared by n processes counts 1/n to each, so a fork's copy-on-write pages are not
counted twice) of the builder and its descendants a few times a second. Past the budget it
kills every process but the builder: the call running then ends as ``memory``, the
namespace stays. A burst between two looks is bounded by the per-process limit.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

INTERVAL = 0.2  # seconds between two looks


def descendants(pid: int) -> list[int]:
    """The live descendants of ``pid`` (all of a PID namespace's processes, for its init)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                children = Path(f"/proc/{parent}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                stack.append(child)
    return found


def pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class MemoryWatch:
    """Kill the builder's descendants whenever the builder and they use more than ``limit``."""

    def __init__(
        self, builder: Callable[[], int | None], limit: int, exceeded: Callable[[int], None]
    ) -> None:
        self.builder = builder
        self.limit = limit
        self.exceeded = exceeded  # told the total before the kill
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="memory-budget", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.wait(INTERVAL):
            try:
                self._look()
            except Exception:  # noqa: BLE001, S112 - a watchdog that dies watches nothing: look again
                continue

    def _look(self) -> None:
        root = self.builder()
        if root is None:
            return
        others = descendants(root)
        total = pss(root) + sum(pss(p) for p in others)
        if total > self.limit and others:
            self.exceeded(total)
            for _ in range(1000):  # until none is left: they may be forking while we kill
                for p in others:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        pass
                others = [p for p in descendants(root) if _alive(p)]
                if not others:
                    break

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def _alive(pid: int) -> bool:
    """Not a zombie (a killed child stays one until the builder reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except (OSError, IndexError):
        return False
