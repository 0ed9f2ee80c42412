"""A seccomp filter: no new Unix-domain socket, so no host socket can be reached; no memfd.

Landlock's file rules do not cover ``connect()`` on a path socket (an ssh agent, a session
bus, a database), and its scoping (ABI 6) covers abstract sockets only. Hiding every place a
socket may live with mounts is brittle; refusing to *create* a Unix socket closes both at
once: ``socket(AF_UNIX, ...)`` fails with EACCES. ``socketpair()`` (a connected pair, no
address) still works, and so do the sockets the grader passed in. ``io_uring_setup`` is
refused too, since io_uring can create sockets without the ``socket`` system call, and so is
any system call of another ABI (``int 0x80``, x32), which would bypass the numbers below.

``memfd_create`` fails with ENOSYS (``no-memfd``), as on a kernel without it, so libraries
that try it first (torch's JIT, libffi) take their fallback. A memfd is memory on no
filesystem of the submission's: the memory budget sees one only while a process holds it
open or mapped, and one sent over a ``socketpair`` and closed (in flight, up to
RLIMIT_NOFILE of them) is held by no process at all. Shared memory stays available in the
submission's own ``/dev/shm`` (``shm_open``, ``multiprocessing.shared_memory``), a tmpfs
whose used space the budget counts.
"""

from __future__ import annotations

import ctypes
import errno
import platform

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
_NR_SOCKET, _NR_MEMFD_CREATE, _NR_IO_URING_SETUP = 41, 319, 425
_AF_UNIX = 1
_LD_ABS_W, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW = 0x7FFF0000
_DENY = 0x00050000 | errno.EACCES  # SECCOMP_RET_ERRNO
_ABSENT = 0x00050000 | errno.ENOSYS
# struct seccomp_data: nr at 0, arch at 4, args[0] (low half, little endian) at 16.
_NR, _ARCH, _ARG0 = 0, 4, 16


class _Filter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def _program(memfd: bool) -> list[tuple[int, int, int, int]]:
    """The filter's lines: (code, jump if true, jump if false, constant); a jump is written as
    the label it goes to and resolved here into the count of lines skipped."""
    lines: list[tuple[int, int | str, int | str, int]] = [
        (_LD_ABS_W, 0, 0, _ARCH),
        (_JEQ_K, 0, "deny", _AUDIT_ARCH_X86_64),
        (_LD_ABS_W, 0, 0, _NR),
        (_JGE_K, "deny", 0, _X32_BIT),
        (_JEQ_K, "deny", 0, _NR_IO_URING_SETUP),
        *([(_JEQ_K, "absent", 0, _NR_MEMFD_CREATE)] if memfd else []),
        (_JEQ_K, 0, "allow", _NR_SOCKET),
        (_LD_ABS_W, 0, 0, _ARG0),
        (_JEQ_K, "deny", "allow", _AF_UNIX),
    ]
    labels = {"allow": _ALLOW, "deny": _DENY, "absent": _ABSENT}
    ends = {name: len(lines) + i for i, name in enumerate(labels)}

    def offset(i: int, jump: int | str) -> int:
        return ends[jump] - i - 1 if isinstance(jump, str) else jump

    resolved = [(code, offset(i, jt), offset(i, jf), k) for i, (code, jt, jf, k) in enumerate(lines)]
    return resolved + [(_RET_K, 0, 0, value) for value in labels.values()]


def install(memfd: bool = True) -> bool:
    """Install the filter on this process and its future children (``memfd``: refuse
    ``memfd_create`` too); False where impossible."""
    if platform.machine() != "x86_64":
        return False
    program = _program(memfd)
    lines = (_Filter * len(program))(*(_Filter(*line) for line in program))
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return (
        _libc.prctl(
            PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(_Program(len(program), lines)), 0, 0
        )
        == 0
    )
