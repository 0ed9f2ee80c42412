"""The zygote's memory in huge pages: only dense private mappings are collapsed, and only once
the zygote serves a second submission (a cold command grading one notebook never pays for it)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_only_dense_private_memory_is_collapsed():
    found = _run(
        """
        import ctypes, json, mmap
        from grader.runtime import hugepages
        dense = bytearray(b"\\x01" * (32 << 20))  # every page written
        sparse = mmap.mmap(-1, 64 << 20)
        sparse[0] = 1  # one page of 16,384 resident
        mappings = hugepages._dense_private_mappings()
        sparse_at = ctypes.addressof(ctypes.c_char.from_buffer(sparse))
        dense_at = ctypes.addressof((ctypes.c_char * len(dense)).from_buffer(dense))
        collapsed = hugepages.collapse_private_memory()
        huge = next(int(l.split()[1]) for l in open("/proc/self/smaps_rollup") if l.startswith("AnonHugePages"))
        fields, inside = {}, False
        for line in open("/proc/self/smaps"):
            head = line.split()[0]
            if "-" in head and ":" not in head:
                low, high = (int(x, 16) for x in head.split("-"))
                inside = low <= dense_at + (16 << 20) < high  # its middle: collapsed, a mapping of its own
            elif inside:
                fields[head.rstrip(":")] = line.split()[1]
        print(json.dumps({
            "dense_eligible": fields.get("THPeligible"),
            "dense_listed": any(a <= dense_at < b for a, b in mappings),
            "sparse_listed": any(a <= sparse_at < b for a, b in mappings),
            "collapsed": collapsed,
            "huge_kib": huge,
        }))
        """
    )
    assert found["dense_listed"] and not found["sparse_listed"]
    if found["collapsed"] == 0:
        pytest.skip("this kernel has no MADV_COLLAPSE (Linux < 6.1): nothing is collapsed")
    assert found["collapsed"] >= 16 << 20  # most of the 32 MiB buffer: 2 MiB-aligned parts of it
    assert found["huge_kib"] << 10 >= found["collapsed"] // 2  # and the kernel says so
    assert found["dense_eligible"] == "0"  # and asks for no more: new faults there stay 4 KiB


def test_the_zygote_collapses_when_it_serves_a_second_submission():
    """Seen by the flag a collapse leaves on what it collapsed (``nh``: no more huge pages
    there). The pages themselves may not stay huge in a zygote this small: its own writes after
    a fork split the ones it shares with its children."""
    seen = _run(
        """
        import json
        from grader.runtime import Code, StudentRuntime, hugepages, spawner

        def collapsed_mappings(pid):
            return sum(1 for l in open(f"/proc/{pid}/smaps") if l.startswith("VmFlags") and " nh" in l)

        supported = hugepages.collapse_private_memory() > 0  # this process's own memory
        after = []
        for _ in range(3):
            rt = StudentRuntime([Code(1, 1, "def size(a): return len(a)")], preload=("numpy", "scipy"))
            rt.start()
            assert rt.call("size", [1, 2]).value == 2
            after.append(collapsed_mappings(spawner.zygote().proc.pid))
            rt.close()
        print(json.dumps({"supported": supported, "after": after}))
        """
    )
    if not seen["supported"]:
        pytest.skip("this kernel has no MADV_COLLAPSE (Linux < 6.1): nothing is collapsed")
    first, _, third = seen["after"]  # the second spawn's reply comes before its collapse
    assert first == 0  # one notebook: no collapse
    assert third > 0  # the zygote answers the third spawn once it has collapsed
