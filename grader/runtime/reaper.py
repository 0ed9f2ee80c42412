"""The reaper: kill a submission's processes, and say how one of them ended.

Nothing a submission starts may outlive it: a student process may double-fork, call setsid
or change its process group, so its processes are found in ``/proc`` (the builder's
descendants, and every process of the submission's own uid); a pid a student process
reports is checked to belong to the submission before it is signalled.
"""

from __future__ import annotations

import os
import select
import signal
import time
from pathlib import Path

from grader.runtime import protocol
from grader.runtime.results import Limits, RunStatus


def kill_group(pgid: int, session: int) -> None:
    """SIGKILL process group ``pgid`` if it belongs to ``session`` (a pid from a student
    process is never trusted to name a group outside the submission)."""
    try:
        fields = Path(f"/proc/{pgid}/stat").read_text().rsplit(")", 1)[1].split()
        if int(fields[4]) == session:
            os.killpg(pgid, signal.SIGKILL)
    except (OSError, IndexError, ValueError):
        pass


def _live_processes(with_uid: bool) -> dict[int, tuple[int, int]]:
    """pid -> (ppid, uid or -1) of every process that is not a zombie.

    Raw reads: a scan runs after every call worker ends (15 to 60 a notebook) and visits every
    process of the machine, so pathlib's and text decoding's cost per process counted.
    """
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fd = os.open(f"/proc/{entry.name}/stat", os.O_RDONLY)
            try:
                stat = os.read(fd, 4096)
            finally:
                os.close(fd)
            uid = entry.stat(follow_symlinks=False).st_uid if with_uid else -1
            fields = stat.rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in (b"Z", b"X"):
            out[int(entry.name)] = (int(fields[1]), uid)
    return out


def kill_submission(builder: int, uid: int | None, keep_builder: bool) -> None:
    """SIGKILL every process of a submission: the builder's descendants, and with a uid of
    its own every process of that uid; the builder itself last, unless ``keep_builder``.

    The builder is a child subreaper, so a process that double-forks or calls setsid is
    still its descendant; while it lives no orphan can slip away to init. Scans repeat until
    one finds nothing, so processes forked during a scan are caught too; between two scans
    the killed processes are waited for (see ``_kill_and_wait``), not scanned for again.
    """
    for _ in range(1000):
        doomed = _submission_processes(builder, uid)
        if not doomed:
            break
        _kill_and_wait(doomed)
    if not keep_builder:
        try:
            os.kill(builder, signal.SIGKILL)
        except OSError:
            pass


def _submission_processes(builder: int, uid: int | None) -> set[int]:
    """The live processes of a submission but its builder: the builder's descendants, and
    with a uid of its own every process of that uid."""
    procs = _live_processes(with_uid=uid is not None)
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    doomed: set[int] = set()
    stack = [builder]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in doomed:
                doomed.add(child)
                stack.append(child)
    if uid is not None:
        doomed |= {pid for pid, (_, u) in procs.items() if u == uid and pid != builder}
    return doomed


#: How long one round of kills waits for its processes to end before scanning again.
KILL_WAIT_SECONDS = 2.0


def _kill_and_wait(pids: set[int]) -> None:
    """SIGKILL ``pids`` and wait until each has ended (a zombie, or gone).

    A killed process is not a zombie until the kernel has torn its memory down, milliseconds
    for one that imported torch: scanning ``/proc`` until it was cost the grader a scan of
    every process on the machine each time round. A pidfd says when it has ended, and names
    the process it was opened on even if its pid is reused meanwhile.
    """
    waiting = select.poll()
    opened: list[int] = []
    try:
        for pid in pids:
            try:
                fd = os.pidfd_open(pid)
            except OSError:  # gone already (or no pidfd here): a plain kill, nothing to wait on
                _kill(pid)
                continue
            opened.append(fd)
            try:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            except OSError:
                pass
            waiting.register(fd, select.POLLIN)
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        pending = len(opened)
        while pending and (left := deadline - time.monotonic()) > 0:
            for fd, _ in waiting.poll(left * 1000):
                waiting.unregister(fd)
                pending -= 1
    finally:
        for fd in opened:
            os.close(fd)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def verdict(code: int | None, limits: Limits) -> tuple[RunStatus, str]:
    """(status, detail) for a process that ended with waitstatus_to_exitcode ``code``."""
    if code is None:
        return "crashed", "the process ended (status unknown)"
    if code == protocol.BROKEN:
        return (
            "crashed",
            "the call broke the runtime's own code (did it patch something the engine uses?)",
        )
    if code >= 0:
        return "exited", f"exited with status {code}"
    sig = -code
    if sig == signal.SIGXCPU:
        return "timeout", f"ran out of CPU time (limit {limits.cpu_seconds} s)"
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = "unknown signal"
    return "crashed", f"killed by signal {sig} ({name})"
