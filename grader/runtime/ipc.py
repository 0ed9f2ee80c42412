"""IPC objects a submission left behind, removed when it had no IPC namespace of its own.

SysV shared memory, semaphores and message queues outlive every process that made them, and
so do POSIX shared memory files in ``/dev/shm``. In an IPC namespace (the usual case) the
kernel frees them with the namespace; without one, the grader takes a snapshot of the
submission uid's objects when the submission starts and removes the ones added by the time
it ends. Under a shared uid (a grader without root nor user namespaces) that also removes
what another submission graded at the same moment made: a weak sandbox in any case, which
the report says. POSIX message queues cannot be listed without ``/dev/mqueue`` mounted.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

_libc = ctypes.CDLL(None, use_errno=True)
IPC_RMID = 0
_KINDS = {"shm": "shmid", "sem": "semid", "msg": "msqid"}
SHM_DIR = "/dev/shm"


def objects(uid: int) -> frozenset[tuple[str, int | str]]:
    """(kind, id) of every SysV object and /dev/shm file ``uid`` owns now."""
    found: set[tuple[str, int | str]] = set()
    for kind, id_column in _KINDS.items():
        try:
            header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except OSError:
            continue
        columns = header.split()
        for row in rows:
            fields = dict(zip(columns, row.split()))
            if fields.get("uid") == str(uid) and id_column in fields:
                found.add((kind, int(fields[id_column])))
    try:
        with os.scandir(SHM_DIR) as entries:
            for entry in entries:
                if entry.stat(follow_symlinks=False).st_uid == uid:
                    found.add(("file", entry.name))
    except OSError:
        pass
    return frozenset(found)


def remove_added(uid: int, before: frozenset[tuple[str, int | str]]) -> int:
    """Remove what ``uid`` owns now and did not own at ``before``; how many were removed."""
    removed = 0
    for kind, ident in objects(uid) - before:
        if kind == "shm":
            ok = _libc.shmctl(ctypes.c_int(int(ident)), IPC_RMID, None) == 0
        elif kind == "sem":
            ok = _libc.semctl(ctypes.c_int(int(ident)), 0, IPC_RMID) == 0
        elif kind == "msg":
            ok = _libc.msgctl(ctypes.c_int(int(ident)), IPC_RMID, None) == 0
        else:
            try:
                os.unlink(os.path.join(SHM_DIR, str(ident)))
                ok = True
            except OSError:
                ok = False
        removed += ok
    return removed
