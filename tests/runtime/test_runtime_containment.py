"""Nothing of a submission survives it, reaches the host, or outgrows its budgets.

Each test runs a hostile snippet as a grader with root ("root") and as one without
("laptop": the runtime's unprivileged path, with a user namespace of its own).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest

from grader.runtime import (
    REQUIRED_LAYERS,
    Limits,
    StudentRuntime,
    budget,
    ipc,
    sandbox,
    spawner,
    student,
)
from grader.runtime.student import WITHOUT_ENV
from tests.support.runtime import TORCH_STACK, alive, statements_from_code

MODES = pytest.mark.parametrize("privileged", [True, False], ids=["root", "laptop"])

LIBC = """
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
IPC_CREAT, CLONE_PARENT, SIGCHLD = 0o1000, 0x8000, 17

def host_pid():  # the pid as the grader sees it (the submission may have a PID namespace)
    return int(os.readlink("/proc/self"))

def clone_parent(w):
    # a raw clone(CLONE_PARENT): the child is its caller's sibling, not its child
    pid = libc.syscall(56, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        os.write(w, str(host_pid()).encode().ljust(16))
        time.sleep(120)
        os._exit(0)
    return pid
"""

ESCAPE = LIBC + """
r, w = os.pipe()
if clone_parent(w) < 0:  # the builder is the init of its PID namespace: refused; from a child
    if os.fork() == 0:
        clone_parent(w)
        os._exit(0)
if os.fork() == 0:
    if os.fork() == 0:  # a daemon: double fork, new session
        os.setsid()
        os.write(w, str(host_pid()).encode().ljust(16))
        time.sleep(120)
    os._exit(0)
escaped = [int(os.read(r, 16)), int(os.read(r, 16))]

def escapees():
    return escaped

def clone_from_a_call():
    r, w = os.pipe()
    clone_parent(w)
    return int(os.read(r, 16))
"""


@MODES
def test_no_process_outlives_the_submission(privileged):
    rt = StudentRuntime(statements_from_code(ESCAPE), privileged=privileged)
    rt.start()
    assert [o.status for o in rt.outcomes] == ["ok"] * len(rt.outcomes)
    pids = [*rt.call("escapees").value, rt.call("clone_from_a_call").value]
    assert all(alive(p) for p in pids)
    rt.close()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)
    assert "pid-ns" in rt.isolation


def test_without_a_pid_namespace_no_process_outlives_the_submission(monkeypatch):
    """The weaker fallback (a grader without root nor user namespaces, simulated): the builder
    and its launcher are subreapers and kill what is left below them."""
    monkeypatch.setenv(WITHOUT_ENV, "user-ns")
    rt = StudentRuntime(statements_from_code(ESCAPE), privileged=False)
    rt.start()
    assert "pid-ns" not in rt.isolation
    pids = [*rt.call("escapees").value, rt.call("clone_from_a_call").value]
    assert all(alive(p) for p in pids)
    rt.close()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)


def test_a_grader_without_root_gets_every_layer_and_leaves_nothing():
    """A real unprivileged grader: a child of this test becomes ``nobody`` (in a mount
    namespace where the Python, the venv and the checkout are reachable for it), starts its
    own zygote, and grades the hostile snippets; only user namespaces give it its layers."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            read, _ = sandbox.filesystem_view(())
            sandbox.expose_paths((*read, str(spawner.PACKAGE_ROOT / "grader")))  # the package, inside a checkout that may be 0700
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            code = _unprivileged_grader()
        except BaseException:  # noqa: BLE001, S110 - a forked child must never return into pytest
            pass
        finally:
            student.close_open_runtimes()
            spawner.stop_zygote()
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def _unprivileged_grader() -> int:
    """0 when every layer is there and nothing of the submissions is left; else which failed."""
    key = secrets.randbelow(2**30) + 1
    with StudentRuntime(statements_from_code(ESCAPE, SHM)) as rt:
        if set(REQUIRED_LAYERS) - set(rt.isolation) or "unprivileged-user" in rt.isolation:
            return 1
        pids = [*rt.call("escapees").value, rt.call("clone_from_a_call").value]
        if min(rt.call("make_segment", key).value) < 0 or not all(alive(p) for p in pids):
            return 2
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return 3 if any(alive(p) for p in pids) else 4 if key in segment_keys() else 0


@MODES
def test_no_process_outlives_the_grader(privileged):
    """The grader dies: its zygote goes with it, then each launcher, each builder, the rest."""
    rt = StudentRuntime(statements_from_code(ESCAPE), privileged=privileged)
    rt.start()
    pids = [*rt.call("escapees").value, rt.call("clone_from_a_call").value, rt._builder.pid]
    spawner.zygote().proc.kill()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)
    rt.close()


SHM = LIBC + """
def make_segment(key):
    shmid = libc.shmget(key, 1 << 20, IPC_CREAT | 0o666)
    sem = libc.semget(key, 1, IPC_CREAT | 0o666)
    msg = libc.msgget(key, IPC_CREAT | 0o666)
    return [shmid, sem, msg]

def attach(key):
    shmid = libc.shmget(key, 0, 0o666)
    if shmid < 0:
        return "no such segment"
    return "attached" if libc.shmat(shmid, None, 0) not in (None, 2**64 - 1) else "refused"
"""


def segment_keys() -> set[int]:
    rows = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return {int(row.split()[0]) for row in rows}


@MODES
def test_shared_memory_is_private_and_freed(privileged):
    key = secrets.randbelow(2**30) + 1
    with StudentRuntime(statements_from_code(SHM), privileged=privileged) as first:
        assert all(i >= 0 for i in first.call("make_segment", key).value)
        assert first.call("attach", key).value == "attached"
        with StudentRuntime(statements_from_code(SHM), privileged=privileged) as second:
            assert second.call("attach", key).value == "no such segment"
        assert "ipc-ns" in first.isolation
        assert key not in segment_keys()  # not in the grader's namespace either
    assert key not in segment_keys()


def test_without_an_ipc_namespace_what_it_made_is_removed_at_close(monkeypatch):
    monkeypatch.setenv(WITHOUT_ENV, "ipc-ns")
    key = secrets.randbelow(2**30) + 1
    with StudentRuntime(statements_from_code(SHM), privileged=True) as rt:
        assert "ipc-ns" not in rt.isolation
        ids = rt.call("make_segment", key).value
        assert all(i >= 0 for i in ids) and key in segment_keys()
        uid = rt._uid
    assert key not in segment_keys()
    assert not {("shm", ids[0]), ("sem", ids[1]), ("msg", ids[2])} & ipc.objects(uid)


SOCKETS = """
import socket

def connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    s.connect(path)
    return "connected"
"""


@pytest.fixture
def open_dir():
    """A folder anyone may enter, as /run/user or an agent's folder would be to its socket."""
    path = tempfile.mkdtemp(prefix="grader-sockets-")
    os.chmod(path, 0o755)
    yield Path(path)
    shutil.rmtree(path)


@MODES
def test_no_host_unix_socket_can_be_reached(privileged, open_dir, monkeypatch):
    path = str(open_dir / "agent.sock")
    abstract = f"\0grader-test-{secrets.token_hex(8)}"
    servers = []
    for address in (path, abstract):
        server = socket.socket(socket.AF_UNIX)
        server.bind(address)
        server.listen()
        servers.append(server)
    os.chmod(path, 0o777)
    try:
        with StudentRuntime(statements_from_code(SOCKETS), privileged=privileged) as rt:
            assert "socket-filter" in rt.isolation
            for address in (path, abstract):
                r = rt.call("connect", address)
                assert r.status == "error" and r.error.type == "PermissionError", r
        monkeypatch.setenv(WITHOUT_ENV, "socket-filter")  # what the filter is there for
        with StudentRuntime(statements_from_code(SOCKETS), privileged=privileged) as rt:
            assert rt.call("connect", path).value == "connected"
    finally:
        for server in servers:
            server.close()


DISK = """
import os

def fill(n):
    written = 0
    for i in range(n):
        with open(f"part{i}.bin", "wb") as f:
            f.write(b"x" * 4 * 1024**2)
        written += 1
    return written

def total():
    return sum(os.path.getsize(f) for f in os.listdir())

def remove():
    for f in os.listdir():
        os.remove(f)
"""


@MODES
def test_the_private_folder_has_a_disk_budget(privileged):
    limits = Limits(disk_bytes=16 * 1024**2)
    with StudentRuntime(statements_from_code(DISK), limits=limits, privileged=privileged) as rt:
        r = rt.call("fill", 8)  # 32 MiB in files of 4 MiB each, under the per-file limit
        assert r.status == "error" and "No space left" in r.error.message
        assert rt.call("total").value <= 16 * 1024**2
        assert "disk-budget" in rt.exhausted
        rt.call("remove")
        assert rt.call("fill", 2).value == 2  # it cost the writes past the budget, nothing else


MEMORY = """
import os, time
import numpy as np

def children(n, mib):
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            hoard = np.ones(mib * 1024**2 // 8)  # touched: resident, not only reserved
            time.sleep(60)
            os._exit(0)
        pids.append(pid)
    time.sleep(30)
    return "never"

def ping():
    return "alive"
"""


@MODES
def test_all_processes_together_have_a_memory_budget(privileged):
    limits = Limits(submission_memory_bytes=600 * 1024**2, call_timeout=60)
    with StudentRuntime(statements_from_code(MEMORY), limits=limits, privileged=privileged) as rt:
        r = rt.call("children", 5, 200)  # each under the per-process limit, together over
        assert r.status == "memory" and "budget" in r.detail
        assert "memory-budget" in rt.exhausted
        assert rt.call("ping").value == "alive"


SLOW = """
import time

def slow():
    time.sleep(60)
"""


def test_the_time_budget_covers_the_build_and_every_call():
    cells = [f"time.sleep(0.6)\nx{i} = {i}" for i in range(6)]
    limits = Limits(submission_seconds=3.0, statement_timeout=2.0, call_timeout=5.0)
    with StudentRuntime(statements_from_code(SLOW, *cells), limits=limits) as rt:
        statuses = [o.status for o in rt.outcomes]
        assert statuses[:3] == ["ok"] * 3 and "timeout" in statuses
        r = rt.call("slow")
        assert r.status == "timeout" and "time budget" in r.detail
        assert "time-budget" in rt.exhausted


def test_a_statement_that_timed_out_is_not_run_again_on_a_rebuild():
    killer = """
for _ in range(1):
    try:
        time.sleep(3)
    except BaseException:
        while True:  # ignores the statement's alarm: the builder is killed
            pass
"""
    cells = ("import time", "time.sleep(10)", killer, "def ping():\n    return 'pong'")
    rt = StudentRuntime(statements_from_code(*cells), limits=Limits(statement_timeout=0.5))
    sent = []
    run_one = rt._exec
    rt._exec = lambda stmt: (sent.append(stmt.cell), run_one(stmt))[1]
    with rt:
        assert [o.status for o in rt.outcomes] == ["ok", "timeout", "timeout", "ok"]
        assert sent == [1, 2, 3, 1, 4]  # the rebuild after the killer skips the slow sleep
        assert rt.call("ping").value == "pong"


def test_statements_past_the_budget_are_not_run():
    code = "\n".join(f"x{i} = {i}" for i in range(30))
    with StudentRuntime(statements_from_code(code), limits=Limits(max_statements=10)) as rt:
        assert len(rt.outcomes) == 10
        assert "statement-budget" in rt.exhausted
        assert "x9" in rt.names() and "x10" not in rt.names()


HOARD = """
import ctypes, mmap, os, time
from multiprocessing import shared_memory

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
libc.shmdt.argtypes = (ctypes.c_void_p,)
CHUNK = 8 * 1024**2  # each piece under the per-file limit
kept = []

def memfd_fallocate():  # never mapped: in no process's PSS
    fd = os.memfd_create("hoard")
    os.posix_fallocate(fd, 0, CHUNK)
    kept.append(fd)

def memfd_write():
    fd = os.memfd_create("hoard")
    os.ftruncate(fd, CHUNK)
    os.write(fd, bytes(CHUNK))
    kept.append(fd)

def dev_shm():  # written and closed: held by no process at all
    with open(f"/dev/shm/hoard{len(kept)}", "wb") as f:
        f.write(bytes(CHUNK))
    kept.append(None)

def shared_memory_block():
    block = shared_memory.SharedMemory(create=True, size=CHUNK)
    block.buf[:] = bytes(CHUNK)
    kept.append(block)

def attach(size):
    ident = libc.shmget(0, size, 0o1000 | 0o600)
    if ident < 0:
        raise OSError(ctypes.get_errno(), "shmget refused")
    return ident, libc.shmat(ident, None, 0)

def sysv():
    ident, address = attach(CHUNK)
    ctypes.memset(address, 1, CHUNK)
    kept.append(address)

def shared_anonymous():  # pages a child touched and left: not in the PSS of the one mapping them
    area = mmap.mmap(-1, CHUNK, flags=mmap.MAP_SHARED)
    if os.fork() == 0:
        area.write(bytes(CHUNK))
        os._exit(0)
    os.wait()
    kept.append(area)

def hold(way, mib, seconds):
    for _ in range(mib * 1024**2 // CHUNK):
        globals()[way]()
    time.sleep(seconds)
    return len(kept)

def detached_segment_survives():
    ident, address = attach(CHUNK)
    ctypes.memset(address, 1, CHUNK)
    libc.shmdt(address)
    return libc.shmctl(ident, 2, ctypes.create_string_buffer(256)) == 0  # IPC_STAT

def memfd_refusal():
    try:
        os.memfd_create("hoard")
    except OSError as error:
        return error.strerror
"""
MiB = 1024**2
SHARED_MEMORY = ["memfd_fallocate", "memfd_write", "dev_shm", "shared_memory_block", "sysv", "shared_anonymous"]
# Without CAP_SYS_ADMIN the grader cannot read /proc/PID/map_files: shared pages a child
# touched and left are then out of sight (bounded by the per-process address space only).
NEEDS_MAP_FILES = {"shared_anonymous"}


@MODES
@pytest.mark.parametrize("way", SHARED_MEMORY)
def test_shared_memory_counts_in_the_memory_budget(privileged, way, monkeypatch):
    """Memory held outside any PSS (a memfd never mapped, a closed /dev/shm file, a SysV
    segment) costs the budget as much as an array would; the same code holding a little is
    untouched. memfd_create is refused by the seccomp filter: left out here, as on a machine
    without it, the budget still counts memfds."""
    if way in NEEDS_MAP_FILES and not privileged:
        pytest.skip("a grader without CAP_SYS_ADMIN counts mapped shared memory by PSS")
    if way.startswith("memfd"):
        monkeypatch.setenv(WITHOUT_ENV, "no-memfd")
    limits = Limits(submission_memory_bytes=400 * MiB, disk_bytes=512 * MiB, call_timeout=30)
    with StudentRuntime(statements_from_code(HOARD), limits=limits, privileged=privileged) as rt:
        honest = rt.call("hold", way, 16, 1)
        assert honest.status == "ok", honest
        assert "memory-budget" not in rt.exhausted
        attack = rt.call("hold", way, 390, 20)  # with the interpreter, past the 400 MiB budget
        assert attack.status == "memory" and "budget" in attack.detail, attack
        assert "memory-budget" in rt.exhausted
        if way == "dev_shm":  # the submission's own /dev/shm, not the host's
            assert "private-shm" in rt.isolation
            assert not [n for n in os.listdir("/dev/shm") if n.startswith("hoard")]


@MODES
def test_memfd_create_is_refused_as_absent(privileged):
    with StudentRuntime(statements_from_code(HOARD), privileged=privileged) as rt:
        assert "no-memfd" in rt.isolation
        assert rt.call("memfd_refusal").value == "Function not implemented"


def test_a_sysv_segment_dies_with_its_last_attachment():
    """In the submission's IPC namespace a segment no process maps is freed (so any that holds
    memory is mapped, where the budget sees it), and one past the memory budget is refused."""
    limits = Limits(submission_memory_bytes=400 * MiB)
    with StudentRuntime(statements_from_code(HOARD), limits=limits, privileged=True) as rt:
        assert "sysv-shm-bound" in rt.isolation
        assert rt.call("detached_segment_survives").value is False
        r = rt.call("attach", 500 * MiB)
        assert r.status == "error" and "shmget refused" in r.error.message


TORCH = """
import torch
from torch import nn

def train_step():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 30 * 30, 10))
    loss = nn.functional.cross_entropy(net(torch.randn(8, 3, 32, 32)), torch.arange(8))
    loss.backward()
    torch.optim.SGD(net.parameters(), lr=0.1).step()
    quantized = torch.ao.quantization.quantize_dynamic(nn.Linear(16, 8), {nn.Linear}, dtype=torch.qint8)
    return float(loss), tuple(quantized(torch.randn(2, 16)).shape)
"""


def test_torch_works_without_memfd():
    """torch tries memfd_create for its JIT (asmjit, fbgemm's quantized kernels): refused as
    absent, it takes its fallback."""
    with StudentRuntime(statements_from_code(TORCH), preload=TORCH_STACK) as rt:
        assert "no-memfd" in rt.isolation
        loss, shape = rt.call("train_step").value
        assert loss > 0 and shape == (2, 8)


HELD = """
import mmap
import numpy as np
import torch

array = np.ones(40 * 1024**2 // 8)
shared = mmap.mmap(-1, 24 * 1024**2, flags=mmap.MAP_SHARED)
shared.write(bytes(24 * 1024**2))

def ping():
    return "alive"
"""


@MODES
def test_a_look_by_resident_sets_is_never_below_the_one_by_pss(privileged):
    """The watchdog skips the costly PSS count while the bound by resident sets is under the
    budget: that bound must hold for a process of torch, an array and shared memory."""
    with StudentRuntime(statements_from_code(HELD), privileged=privileged, preload=("numpy", "torch")) as rt:
        assert all(o.status == "ok" for o in rt.outcomes), rt.outcomes
        assert rt.call("ping").value == "alive"  # a worker forked: two processes share the pages
        root = rt._builder.pid
        others = budget.descendants(root)
        assert others
        exact, bound = budget.held(root, others), budget.held(root, others, exact=False)
        assert exact >= 64 * 1024**2  # the array and the shared mapping are counted
        assert bound >= exact
