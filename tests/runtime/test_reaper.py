"""The reaper kills a submission's process tree and returns only once every process of it has
ended, by waiting on the killed processes, not by scanning ``/proc`` again and again."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from grader.runtime import reaper
from tests.support.runtime import alive, descendants

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


@pytest.fixture
def builder():
    process = subprocess.Popen([sys.executable, "-c", BUILDER], stdout=subprocess.PIPE, text=True)
    process.stdout.readline()  # every child forked
    yield process
    process.kill()
    process.wait()


def test_every_process_of_the_tree_has_ended_when_it_returns(builder, monkeypatch):
    tree = descendants(builder.pid)
    assert len(tree) == 4
    scans = []
    real = reaper._live_processes
    monkeypatch.setattr(reaper, "_live_processes", lambda with_uid: scans.append(1) or real(with_uid))

    reaper.kill_submission(builder.pid, None, keep_builder=True)

    assert not any(alive(pid) for pid in tree)  # ended: at most a zombie for the builder to reap
    assert alive(builder.pid)  # the builder kept
    assert len(scans) == 2  # one to find the tree, one to see nothing is left: no polling of /proc


def test_the_builder_goes_too_unless_kept(builder):
    tree = descendants(builder.pid)
    reaper.kill_submission(builder.pid, None, keep_builder=False)
    builder.wait(timeout=10)
    assert not any(alive(pid) for pid in tree)

