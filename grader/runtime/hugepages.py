"""Back the zygote's memory with transparent huge pages, so that every fork below it is cheap.

A fork copies the parent's page tables: one entry per 4 KiB page of private memory, and
importing torch and torchvision leaves about 400 MiB of it (Python's objects, the libraries'
data). Every call worker is forked from its submission's builder, 15 to 20 a notebook, and
each fork of that image cost 15 ms of CPU in the builder, more than most checks. Collapsed
into 2 MiB pages, the same memory is 512 times fewer entries to copy.

Only the zygote's private anonymous memory that is nearly all in use is collapsed (a mapping
mostly reserved, a thread's stack, would grow to whole huge pages). A write to a huge page a
child shares splits it in that child alone (Linux copies 4 KiB on a write, huge page or not),
and the mappings ask for no more huge pages once collapsed (what a submission's processes
allocate comes in 4 KiB pages), so what they use, and the memory budget counts, does not change.
Linux before 6.1 has no ``MADV_COLLAPSE``: nothing is collapsed there and forks cost what they
did.
"""

from __future__ import annotations

import ctypes
import re

MADV_HUGEPAGE = 14
MADV_NOHUGEPAGE = 15
MADV_COLLAPSE = 25
HUGE_PAGE = 2 << 20

#: A mapping is collapsed when at least this share of it is resident.
DENSE = 0.9

_MAPPING = re.compile(rb"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+ *(.*)$")


def collapse_private_memory() -> int:
    """Collapse this process's dense private anonymous mappings into huge pages; returns the
    bytes collapsed (0 where the kernel cannot). Costs about 0.4 s of CPU for torch's image."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
    except (OSError, AttributeError):
        return 0
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    collapsed = 0
    for start, end in _dense_private_mappings():
        low = -(-start // HUGE_PAGE) * HUGE_PAGE
        high = end // HUGE_PAGE * HUGE_PAGE
        if high <= low:
            continue
        madvise(low, high - low, MADV_HUGEPAGE)
        if madvise(low, high - low, MADV_COLLAPSE) == 0:
            collapsed += high - low
        # the pages stay huge; the mapping does not ask for more, so what the processes forked
        # below allocate there comes in 4 KiB pages, as it did
        madvise(low, high - low, MADV_NOHUGEPAGE)
    return collapsed


def _dense_private_mappings() -> list[tuple[int, int]]:
    """(start, end) of each writable private anonymous mapping (the heap included) whose
    resident set is at least ``DENSE`` of its size."""
    found: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    try:
        with open("/proc/self/smaps", "rb") as smaps:
            for line in smaps:
                head = _MAPPING.match(line)
                if head is not None:
                    start, end, perms, name = head.groups()
                    anonymous = perms.startswith(b"rw") and perms.endswith(b"p") and name.strip() in (b"", b"[heap]")
                    current = (int(start, 16), int(end, 16)) if anonymous else None
                elif current is not None and line.startswith(b"Rss:"):
                    resident = int(line.split()[1]) << 10
                    if resident >= DENSE * (current[1] - current[0]):
                        found.append(current)
                    current = None
    except OSError:
        return []
    return found
