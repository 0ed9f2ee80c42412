"""The submission's own namespaces, entered by its *launcher* before the builder is forked.

A PID namespace makes the builder its init: when the builder dies the kernel kills every
process of the submission, whatever it forked, double-forked, ``setsid``-ed or cloned with
``CLONE_PARENT``. An IPC namespace gives it SysV and POSIX message queue objects nobody else
sees, freed by the kernel with the namespace; as root its SysV shared memory is bounded
there too (``sysv-shm-bound``). A mount namespace carries a size-limited tmpfs over the
private folder (the disk budget) and another over ``/dev/shm`` (``private-shm``). A network
namespace has no interface but ``lo``.

As root the launcher unshares them directly; without root it first enters a user namespace
of its own (where the kernel allows one), in which it may. Each is tried on its own, so a
kernel without one of them still gets the others; the names of those entered are layers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.runtime.sandbox import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_REC,
    SandboxConfig,
    _check,
    _libc,
    drop_privileges,
)

# (flag, layer name), in the order they are entered; the mount namespace serves the quota.
NAMESPACES = (
    (CLONE_NEWNET, "no-network"),
    (CLONE_NEWIPC, "ipc-ns"),
    (CLONE_NEWPID, "pid-ns"),
    (CLONE_NEWNS, "disk-quota"),
)
INODES = 100_000  # files in the private folder: each costs kernel memory even when empty
SHM_DIR = "/dev/shm"
# The IPC namespace's own sysctls (root only: in a user namespace of its own they stay read-only).
_SYSV_SHM = "/proc/sys/kernel"


def enter_namespaces(cfg: SandboxConfig) -> tuple[list[str], bool]:
    """Enter the submission's namespaces (the launcher's, inherited by the builder it forks).

    Returns the layers entered and whether a user namespace of its own was made (then
    RLIMIT_NPROC counts this submission's tasks only). As root the private folder is given
    to ``cfg.uid`` first; ``privileged=False`` behaves as a grader without root would.
    """
    root = os.geteuid() == 0
    if root:
        _chown_tree(cfg.workdir, cfg.uid)
        if not cfg.privileged:
            drop_privileges(cfg.uid)
    userns = False
    if not (root and cfg.privileged):
        userns = "user-ns" not in cfg.without and _own_user_namespace()
        if not userns:
            return [], False
    layers = [
        name for flag, name in NAMESPACES if name not in cfg.without and _libc.unshare(flag) == 0
    ]
    owner = cfg.uid if root and cfg.privileged else None
    if "disk-quota" in layers:
        try:
            private_tmpfs(cfg.workdir, cfg.limits.disk_bytes, owner)
        except OSError:
            layers.remove("disk-quota")
        else:
            if "private-shm" not in cfg.without and _private_shm(cfg.limits.disk_bytes, owner):
                layers.append("private-shm")
    if (
        "ipc-ns" in layers
        and "sysv-shm-bound" not in cfg.without
        and root
        and cfg.privileged
        and bound_sysv_shm(cfg.limits.submission_memory_bytes)
    ):
        layers.append("sysv-shm-bound")
    return layers, userns


def _private_shm(size: int, owner: int | None) -> bool:
    """Cover ``/dev/shm`` with an empty tmpfs of ``size`` bytes (``shm_open``, multiprocessing's
    shared memory): the submission's files there are its own, counted in its memory budget
    (``budget.py`` reads the used space of its own tmpfs mounts) and gone with the namespace."""
    if not os.path.isdir(SHM_DIR):
        return False
    options = f"size={size},nr_inodes={INODES},mode=0700"
    if owner is not None:
        options += f",uid={owner},gid={owner}"
    flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    return _libc.mount(b"tmpfs", SHM_DIR.encode(), b"tmpfs", flags, options.encode()) == 0


def bound_sysv_shm(total: int) -> bool:
    """In this IPC namespace, SysV segments die with their last attachment and hold at most
    ``total`` bytes together. A segment that holds memory is then always mapped by a process
    of the submission, where the memory budget sees it; ``shmget`` past the bound fails."""
    pages = max(total // os.sysconf("SC_PAGE_SIZE"), 1)
    try:
        for name, value in (("shm_rmid_forced", 1), ("shmall", pages), ("shmmax", total)):
            Path(_SYSV_SHM, name).write_text(str(value))
    except OSError:
        return False
    return True


def _own_user_namespace() -> bool:
    """Enter a new user namespace, mapping our own ids so files keep looking like ours."""
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER) != 0:
        return False
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        Path(f"/proc/self/{name}").write_text(text)
    return True


def _chown_tree(top: str, uid: int) -> None:
    os.chown(top, uid, uid)
    for base, dirs, files in os.walk(top):
        for n in dirs + files:
            os.lchown(os.path.join(base, n), uid, uid)


def private_tmpfs(workdir: str, size: int, owner: int | None) -> None:
    """Cover ``workdir`` with a tmpfs of ``size`` bytes holding a copy of what it held.

    Writes past the size fail with ENOSPC in the student's own code. The grader's copy of the
    folder is untouched: the tmpfs exists in this mount namespace only and goes with it.
    """
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    below = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        options = f"size={size},nr_inodes={INODES},mode=0700"
        if owner is not None:
            options += f",uid={owner},gid={owner}"
        _check(
            _libc.mount(
                b"tmpfs", workdir.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode()
            ),
            f"tmpfs on {workdir}",
        )
        for rel, dirs, files, fd in os.fwalk(".", dir_fd=below):
            target = os.path.normpath(os.path.join(workdir, rel))
            for d in dirs:
                os.mkdir(os.path.join(target, d), 0o700)
            for f in files:
                src = os.open(f, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
                with os.fdopen(src, "rb") as fin, open(os.path.join(target, f), "wb") as fout:
                    shutil.copyfileobj(fin, fout)
        if owner is not None:
            _chown_tree(workdir, owner)
    finally:
        os.close(below)
