"""Every way a call can go wrong ends that call only: the next call has the same namespace."""

from __future__ import annotations

import time

import pytest

from grader.runtime import Limits, StudentRuntime
from tests.support.runtime import TORCH_STACK, alive, descendants, statements_from_code

HOSTILE = """
import ctypes, os, re, signal, subprocess, sys, threading, time
import numpy as np

marker = "built"

def ping():
    return marker

def spin():
    while True:
        pass

def sleep():
    time.sleep(60)

def c_hang():
    return re.match(r'(a+)+$', 'a' * 64 + 'b')

def sys_exit():
    sys.exit(3)

def os_exit():
    os._exit(4)

def builtin_exit():
    exit()

def raise_system_exit():
    raise SystemExit("bye")

def raise_keyboard_interrupt():
    raise KeyboardInterrupt

class Odd(BaseException):
    pass

def raise_base_exception():
    raise Odd("odd")

def segfault():
    ctypes.string_at(0)

def kill_self():
    os.kill(os.getpid(), signal.SIGKILL)

def numpy_50gb():
    return np.ones(50 * 1024**3 // 8)

def torch_50gb():
    import torch
    return torch.ones(50 * 1024**3 // 4)

def grow():
    hoard = []
    while True:
        hoard.append(np.empty(50 * 1024**2, np.uint8))  # RLIMIT_DATA counts it untouched

def shared_50gb():
    import mmap
    m = mmap.mmap(-1, 50 * 1024**3, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    return len(m)

def big_file():
    with open("big.bin", "wb") as f:
        for _ in range(32):
            f.write(b"x" * 1024**2)

def file_size():
    return os.path.getsize("big.bin")

def fork_bomb():
    while True:
        try:
            os.fork()
        except OSError:
            pass

def print_flood():
    t = time.time()
    while time.time() - t < 10:
        print("flood " * 20)

def big_print():
    print("x" * 100_000_000)
    return 1

def fork_and_return():
    os.fork()
    return 7

def fd_flood():
    chunk = b"z" * (1 << 20)
    for _ in range(4096):
        os.write(1, chunk)

def patch_numpy():
    np.sum = lambda *a, **k: 42
    import builtins
    builtins.len = lambda x: -1
    return float(np.sum([1, 2]))

def np_sum():
    return float(np.sum([1, 2]))

def _socket_fd():
    return next(fd for fd in range(3, 64) if _is_socket(fd))

def _is_socket(fd):
    import stat
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False

def forge_reply():
    import json, struct
    header = json.dumps({"status": "ok", "value": "forged", "id": 1}).encode()
    os.write(_socket_fd(), struct.pack("!QI", len(header), 0) + header)
    return "real"

def forge_a_status_with_the_id():
    import json, struct, sys
    frame = sys._getframe()  # the worker's own frames hold the request, and so its id
    while not (isinstance(frame.f_locals.get("msg"), dict) and "id" in frame.f_locals["msg"]):
        frame = frame.f_back
    reply = {"status": ["ok"], "id": frame.f_locals["msg"]["id"]}  # a status that does not hash
    header = json.dumps({"__dict__": reply}).encode()
    os.write(_socket_fd(), struct.pack("!QI", len(header), 0) + header)
    time.sleep(5)  # the grader reads the forgery before any real reply

def garbage_reply():
    os.write(_socket_fd(), b"\\xff" * 64)
    return "real"

def hostile_exception():
    class Nasty(Exception):
        def __str__(self):
            raise RuntimeError("no str")
    raise Nasty()

def exit_with_a_list():
    raise SystemExit(["not", "a", "code"])

def die_later():
    def die():
        time.sleep(0.2)
        os._exit(9)
    threading.Thread(target=die).start()

def _host_pid():  # pids as the grader sees them (the submission has a PID namespace)
    return os.readlink("/proc/self").encode().ljust(16)

def leak():
    threading.Thread(target=time.sleep, args=(60,), daemon=False).start()
    r, w = os.pipe()
    if os.fork() == 0:  # a child running a program
        os.write(w, _host_pid())
        os.execv("/bin/sleep", ["sleep", "60"])
    if os.fork() == 0:
        if os.fork() == 0:  # a daemon: double fork, new session, orphaned
            os.setsid()
            os.write(w, _host_pid())
            time.sleep(60)
        os._exit(0)
    return [int(_host_pid()), int(os.read(r, 16)), int(os.read(r, 16))]
"""


@pytest.fixture(scope="module")
def rt():
    with StudentRuntime(statements_from_code(HOSTILE), limits=Limits(call_timeout=1.5), preload=TORCH_STACK) as runtime:
        assert all(o.ok if hasattr(o, "ok") else o.status == "ok" for o in runtime.outcomes)
        yield runtime


def still_works(rt):
    assert rt.call("ping").value == "built"


@pytest.mark.parametrize("name", ["spin", "sleep", "c_hang"])
def test_a_hang_times_out(rt, name):
    start = time.monotonic()
    r = rt.call(name)
    assert r.status == "timeout" and r.detail == "timed out after 1.5 s"
    assert time.monotonic() - start < 5
    still_works(rt)


def test_the_timeout_can_be_set_per_call(rt):
    assert rt.call("spin", timeout=0.3).detail == "timed out after 0.3 s"
    still_works(rt)


@pytest.mark.parametrize(
    "name, status, detail",
    [
        ("sys_exit", "exited", "exited with status 3"),
        ("os_exit", "exited", "exited with status 4"),
        ("builtin_exit", "exited", "exited with status 0"),
        ("raise_system_exit", "exited", "exited with status 1"),
        ("exit_with_a_list", "exited", "exited with status 1"),
        ("segfault", "crashed", "killed by signal 11 (SIGSEGV)"),
        ("kill_self", "crashed", "killed by signal 9 (SIGKILL)"),
        ("numpy_50gb", "memory", "ran out of memory (limit 2.0 GiB)"),
        ("torch_50gb", "memory", "ran out of memory (limit 2.0 GiB)"),
        ("grow", "memory", "ran out of memory (limit 2.0 GiB)"),
        ("shared_50gb", "memory", "ran out of memory (limit 2.0 GiB)"),
    ],
)
def test_exits_crashes_and_memory_blowups_end_the_call_only(rt, name, status, detail):
    r = rt.call(name)
    assert (r.status, r.detail) == (status, detail)
    still_works(rt)


@pytest.mark.parametrize(
    "name, exc",
    [
        ("raise_keyboard_interrupt", "KeyboardInterrupt"),
        ("raise_base_exception", "Odd"),
        ("hostile_exception", "hostile_exception.<locals>.Nasty"),
    ],
)
def test_base_exceptions_are_errors(rt, name, exc):
    r = rt.call(name)
    assert r.status == "error" and r.error.type == exc
    still_works(rt)


def test_file_size_is_limited(rt):
    r = rt.call("big_file")
    assert r.status == "error" and r.error.type == "OSError" and "too large" in r.error.message
    assert rt.call("file_size").value == 16 * 1024**2


def test_a_fork_bomb_is_contained_and_cleaned_up(rt):
    r = rt.call("fork_bomb")
    assert r.status == "timeout"
    still_works(rt)
    assert descendants(rt._builder.pid) == {rt._worker.pid}  # the bomb is gone


@pytest.mark.parametrize("name", ["print_flood", "fd_flood"])
def test_an_output_flood_is_bounded_and_truncated(rt, name):
    r = rt.call(name)
    assert r.status in ("error", "timeout")
    assert len(r.output) < rt.limits.max_output_chars + 100
    assert "[output truncated" in r.output
    still_works(rt)


def test_a_huge_print_is_dropped_not_an_error(rt):
    r = rt.call("big_print")
    assert (r.status, r.value) == ("ok", 1)
    assert len(r.output) < rt.limits.max_output_chars + 100
    still_works(rt)


def test_a_process_forked_by_the_call_never_answers_for_it(rt):
    for _ in range(3):
        r = rt.call("fork_and_return")
        assert (r.status, r.value) == ("ok", 7)
    still_works(rt)


@pytest.mark.parametrize("name", ["forge_reply", "forge_a_status_with_the_id", "garbage_reply"])
def test_bytes_a_student_writes_to_its_socket_never_pass_for_a_reply(rt, name):
    r = rt.call(name)
    assert r.status == "crashed" and r.detail.startswith("sent a malformed reply")
    assert r.value is None
    still_works(rt)


def test_monkeypatching_affects_only_the_students_process(rt):
    import builtins

    import numpy as np

    assert rt.call("patch_numpy").value == 42.0
    assert np.sum([1, 2]) == 3 and builtins.len([1]) == 1
    assert rt.call("np_sum").value == 42.0  # the student's own worker keeps its patch
    rt.reset()
    assert rt.call("np_sum").value == 3.0  # a fresh worker does not


def test_cpu_time_is_limited():
    limits = Limits(cpu_seconds=1, call_timeout=20)
    with StudentRuntime(statements_from_code(HOSTILE), limits=limits, preload=TORCH_STACK) as rt:
        r = rt.call("spin")
        assert (r.status, r.detail) == ("timeout", "ran out of CPU time (limit 1 s)")
        still_works(rt)


@pytest.mark.parametrize("privileged", [True, False], ids=["root", "laptop"])
def test_threads_children_and_daemons_do_not_outlive_close(privileged):
    rt = StudentRuntime(statements_from_code(HOSTILE), privileged=privileged, preload=TORCH_STACK)
    rt.start()
    pids = rt.call("leak").value
    assert all(alive(p) for p in pids)
    rt.close()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)


def test_a_worker_that_dies_between_calls_does_not_fail_the_next_call(rt):
    assert rt.call("die_later").ok
    time.sleep(0.5)
    still_works(rt)


def test_arguments_over_the_message_limit_are_refused_before_sending(rt):
    import numpy as np

    with pytest.raises(TypeError, match="over the limit"):
        rt.call("ping", np.zeros(300 * 1024**2 // 8))
    with pytest.raises(TypeError, match="cannot be sent"):
        rt.call("ping", object())
    still_works(rt)
