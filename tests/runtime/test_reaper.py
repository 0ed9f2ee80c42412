"""The reaper kills a submission's process tree and returns only once every process of it has
ended, by waiting on the killed processes, not by scanning ``/proc`` again and again."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.runtime import reaper

#: A stand-in builder: three children, one of them a grandchild's parent, one holding 200 MB
#: of touched memory (its teardown takes the kernel milliseconds after the SIGKILL).
BUILDER = textwrap.dedent(
    """
    import os, sys, time
    ready_r, ready_w = os.pipe()
    pids = []
    for i in range(3):
        pid = os.fork()
        if pid == 0:
            if i == 1 and os.fork() == 0:
                time.sleep(60)
            held = b"\\x01" * (200 << 20) if i == 2 else b""
            os.write(ready_w, b".")
            time.sleep(60)
            os._exit(0)
        pids.append(pid)
    for _ in range(3):
        os.read(ready_r, 1)
    print(" ".join(map(str, pids)), flush=True)
    time.sleep(60)
    """
)


def _state(pid: int) -> str | None:
    """The process's state letter, None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            found.add(child)
            stack.append(child)
    return found


@pytest.fixture
def builder():
    process = subprocess.Popen([sys.executable, "-c", BUILDER], stdout=subprocess.PIPE, text=True)
    process.stdout.readline()  # every child forked
    yield process
    process.kill()
    process.wait()


def test_every_process_of_the_tree_has_ended_when_it_returns(builder, monkeypatch):
    tree = _descendants(builder.pid)
    assert len(tree) == 4
    scans = []
    real = reaper._live_processes
    monkeypatch.setattr(reaper, "_live_processes", lambda with_uid: scans.append(1) or real(with_uid))

    reaper.kill_submission(builder.pid, None, keep_builder=True)

    assert {_state(pid) for pid in tree} <= {"Z", None}  # ended: at most a zombie for the builder to reap
    assert _state(builder.pid) not in ("Z", None)  # the builder kept
    assert len(scans) == 2  # one to find the tree, one to see nothing is left: no polling of /proc


def test_the_builder_goes_too_unless_kept(builder):
    tree = _descendants(builder.pid)
    reaper.kill_submission(builder.pid, None, keep_builder=False)
    builder.wait(timeout=10)
    assert {_state(pid) for pid in tree} <= {"Z", None}

