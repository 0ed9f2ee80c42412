"""The memory budget of a whole submission: all its processes together, watched from the grader.

RLIMIT_DATA bounds each process; nothing in an rlimit bounds their sum (five children of
1.2 GB each stay under a 2 GB per-process limit). Where no cgroup can be made for the
submission (no cgroup v2 delegated to the grader, which is the case on most hosts and in
the containers graders run in), a thread of the grader sums, a few times a second, what the
builder and its descendants hold:

- their proportional set size (PSS: a page shared by n processes counts 1/n to each, so a
  fork's copy-on-write pages are not counted twice), less its shared-memory part;
- every shared-memory object they hold open or mapped, once, at its allocated size: a
  ``memfd_create`` file, a SysV segment, a ``MAP_SHARED`` anonymous mapping, a file of a
  tmpfs (``/dev/shm``). PSS alone misses them: a memfd filled with ``posix_fallocate`` and
  never mapped is in no process's PSS, and a shared page another process touched is not in
  the PSS of the one that still maps it;
- the used space of the tmpfs mounts of the submission's own mount namespace (its private
  folder, its ``/dev/shm``), read through the builder's ``/proc/PID/root``: that covers files
  no process holds open any more.

Past the budget it kills every process but the builder: the call running then ends as
``memory``, the namespace stays. A burst between two looks is bounded by the per-process
limit. Without ``CAP_SYS_ADMIN`` (a grader without root) ``/proc/PID/map_files`` cannot be
read: mapped shared memory is then counted by PSS (the pages that process touched) and
held-open objects not mapped by their holder by their size.

PSS costs: ``smaps_rollup`` walks a process's page tables, 15 ms for one that imported torch,
30 ms a look for a builder and its worker, five looks a second while a notebook is graded.
A look therefore first counts each process by its resident set (``/proc/PID/status``'s O(1)
counters: RSS is never below PSS, part by part), plus ``SLACK`` for counters a thread has not
yet folded in; only when that bound comes near the budget does it count again by PSS. The
kill happens exactly when it did.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path

INTERVAL = 0.2  # seconds between two looks
SLACK = 64 * 1024**2  # bytes added to a look by resident sets before it may skip the one by PSS
_MEMORY_FILESYSTEMS = {"tmpfs", "shm", "ramfs"}


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


def _rollup(pid: int) -> dict[str, int]:
    """``/proc/PID/smaps_rollup`` in bytes, by field name (empty when the process is gone)."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                fields[name] = int(parts[0]) * 1024
    except (OSError, ValueError):
        pass
    return fields


def _resident(pid: int) -> dict[str, int]:
    """Upper bounds of ``_rollup``'s ``Pss`` and ``Pss_Shmem`` from ``/proc/PID/status``
    (VmRSS and RssShmem: O(1) counters, no walk of the page tables)."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            parts = rest.split()
            if name in ("VmRSS", "RssShmem") and len(parts) == 2 and parts[1] == "kB":
                fields[name] = int(parts[0]) * 1024
    except (OSError, ValueError):
        pass
    # VmRSS = RssAnon + RssFile + RssShmem: ``Pss`` is at most VmRSS, ``Pss - Pss_Shmem``
    # (Pss_Anon + Pss_File) at most RssAnon + RssFile
    return {"Pss": fields.get("VmRSS", 0), "Pss_Shmem": fields.get("RssShmem", 0)}


def _internal_shmem_device() -> int | None:
    """The device of the kernel's own shared-memory mount (memfds, SysV segments and shared
    anonymous mappings live there), seen on a memfd of our own."""
    try:
        fd = os.memfd_create("grader-probe", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return None
    try:
        return os.fstat(fd).st_dev
    finally:
        os.close(fd)


_INTERNAL_SHMEM = _internal_shmem_device()


def _unescape(field: str) -> str:
    """A mountinfo path field (spaces and the like written as octal escapes)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)


def _memory_mounts(pid: int) -> dict[int, str]:
    """Device -> mount point of every in-memory filesystem (tmpfs) mounted in ``pid``'s view."""
    mounts: dict[int, str] = {}
    try:
        lines = Path(f"/proc/{pid}/mountinfo").read_text().splitlines()
    except OSError:
        return mounts
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, kind = before.split(), after.split()
        if len(fields) >= 5 and kind and kind[0] in _MEMORY_FILESYSTEMS:
            major, minor = fields[2].split(":")
            mounts.setdefault(os.makedev(int(major), int(minor)), _unescape(fields[4]))
    return mounts


class Holdings:
    """What one look finds a submission holding: each shared-memory object counted once."""

    def __init__(self, root: int, exact: bool = True) -> None:
        self.usage = _rollup if exact else _resident
        mounts = _memory_mounts(root)
        # The submission's own tmpfs mounts (not in the grader's view) count whole, by their
        # used space; a file there is not counted again. Every other in-memory object counts
        # by its allocated size: those on the internal shmem mount and on shared tmpfs mounts.
        ours = _memory_mounts(os.getpid())
        self.private = {dev: path for dev, path in mounts.items() if dev not in ours}
        self.shared = set(mounts) - set(self.private)
        if _INTERNAL_SHMEM is not None:
            self.shared.add(_INTERNAL_SHMEM)
        self.root = root
        self.seen: set[tuple[int, int]] = set()

    def mounts_used(self) -> int:
        """Bytes used on the submission's own tmpfs mounts."""
        used = 0
        for path in self.private.values():
            try:
                st = os.statvfs(f"/proc/{self.root}/root{path}")
            except OSError:
                continue
            used += (st.f_blocks - st.f_bfree) * st.f_frsize
        return used

    def _new(self, st: os.stat_result) -> int:
        """The allocated size of the object ``st`` if it is shared memory not yet counted."""
        key = (st.st_dev, st.st_ino)
        if st.st_dev not in self.shared or key in self.seen:
            return 0
        self.seen.add(key)
        return st.st_blocks * 512

    def process(self, pid: int) -> int:
        """Bytes ``pid`` holds that no earlier process of this look was charged for."""
        rollup = self.usage(pid)
        mapped: set[tuple[int, int]] = set()  # (device, inode) of its shared-memory mappings
        ranges: list[str] = []
        try:
            for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
                fields = line.split()
                major, minor = (int(x, 16) for x in fields[3].split(":"))
                dev = os.makedev(major, minor)
                if dev in self.shared:
                    mapped.add((dev, int(fields[4])))
                    ranges.append(fields[0])
        except (OSError, ValueError, IndexError):
            pass
        total = 0
        try:  # each mapped object by its size, not by the pages this process touched
            for span in ranges:
                total += self._new(os.stat(f"/proc/{pid}/map_files/{span}"))
            total += rollup.get("Pss", 0) - rollup.get("Pss_Shmem", 0)
        except FileNotFoundError:  # the mapping went away: count by the pages it had
            total += rollup.get("Pss", 0) - rollup.get("Pss_Shmem", 0)
        except OSError:  # no CAP_SYS_ADMIN: its mapped objects by the pages it touched
            total += rollup.get("Pss", 0)
            self.seen |= mapped
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            return total
        for fd in fds:
            try:
                total += self._new(os.stat(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                continue
        return total


def held(root: int, others: list[int], exact: bool = True) -> int:
    """Bytes of memory the builder ``root`` and its descendants ``others`` hold together; not
    ``exact``: a bound at least that, by resident sets instead of PSS (see the module's note)."""
    look = Holdings(root, exact)
    return look.mounts_used() + sum(look.process(p) for p in (root, *others))


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
        total = held(root, others, exact=False) + SLACK
        if total > self.limit:
            total = held(root, others)
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
