"""A seccomp filter: no new Unix-domain socket, so no host socket can be reached.

Landlock's file rules do not cover ``connect()`` on a path socket (an ssh agent, a session
bus, a database), and its scoping (ABI 6) covers abstract sockets only. Hiding every place a
socket may live with mounts is brittle; refusing to *create* a Unix socket closes both at
once: ``socket(AF_UNIX, ...)`` fails with EACCES. ``socketpair()`` (a connected pair, no
address) still works, and so do the sockets the grader passed in. ``io_uring_setup`` is
refused too, since io_uring can create sockets without the ``socket`` system call, and so is
any system call of another ABI (``int 0x80``, x32), which would bypass the numbers below.
"""

from __future__ import annotations

import ctypes
import errno
import platform

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
_NR_SOCKET, _NR_IO_URING_SETUP = 41, 425
_AF_UNIX = 1
_LD_ABS_W, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW = 0x7FFF0000
_DENY = 0x00050000 | errno.EACCES  # SECCOMP_RET_ERRNO
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


# Each line: (code, jump if true, jump if false, constant); jumps count the lines skipped.
_PROGRAM = (
    (_LD_ABS_W, 0, 0, _ARCH),
    (_JEQ_K, 1, 0, _AUDIT_ARCH_X86_64),
    (_RET_K, 0, 0, _DENY),
    (_LD_ABS_W, 0, 0, _NR),
    (_JGE_K, 5, 0, _X32_BIT),
    (_JEQ_K, 4, 0, _NR_IO_URING_SETUP),
    (_JEQ_K, 1, 0, _NR_SOCKET),
    (_RET_K, 0, 0, _ALLOW),
    (_LD_ABS_W, 0, 0, _ARG0),
    (_JEQ_K, 0, 1, _AF_UNIX),
    (_RET_K, 0, 0, _DENY),
    (_RET_K, 0, 0, _ALLOW),
)


def deny_unix_sockets() -> bool:
    """Install the filter on this process and its future children; False where impossible."""
    if platform.machine() != "x86_64":
        return False
    lines = (_Filter * len(_PROGRAM))(*(_Filter(*line) for line in _PROGRAM))
    program = _Program(len(_PROGRAM), lines)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) == 0
