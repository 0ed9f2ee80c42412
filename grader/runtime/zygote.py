"""The zygote: a clean interpreter that has imported the heavy libraries once and forks submissions.

It is started with ``python -I`` and a scrubbed environment, never forked from the grader, so
nothing the grader holds (the reference solution, other students' results) is in its memory.
The grader talks to it over one Unix socket: ``spawn`` (with the submission's socket and
output memfd passed by SCM_RIGHTS) hands them to a launcher (forked ahead of time), which
enters the submission's namespaces and forks its builder, and answers the builder's pid;
``wait`` reaps a builder's launcher and reports how the builder ended.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Sequence

# Imported with this module, before serve() runs sandbox_paths(): that may cover a closed
# checkout (a ``mktemp -d`` clone) with a tmpfs, after which the project cannot be imported.
from grader.runtime import helpers, hugepages, worker


def preload(modules: Sequence[str]) -> None:
    """Import what submissions use (the pack's ``Pack.preload``), so that each fork gets it for
    free. Only speed depends on it: a module that does not import is left to the submissions."""
    import gc
    import importlib

    had_torch = "torch" in sys.modules
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - a pack's wish, not a condition of grading
            continue
        if name == "matplotlib":
            module.use("Agg")
    torch = sys.modules.get("torch")
    if torch is not None and not had_torch:
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        helpers.seed(0)  # torch's first manual_seed initialises lazily: pay that once, here
    # what was imported lives as long as the zygote: kept out of the cyclic collector, the
    # collections of a submission's processes do not write to (and so copy) its pages
    gc.freeze()


def sandbox_paths(package_root: str) -> dict:
    """The filesystem view of every submission, computed once; as root, enter it (mount-ns)."""
    from grader.runtime import sandbox

    sites = sandbox.site_dirs()
    # A checkout is hidden whole; an install in site-packages by leaving out its entries
    # (hiding the site-packages dir would hide its ancestors too: /usr, the Python itself).
    installed = os.path.realpath(package_root) in {os.path.realpath(s) for s in sites}
    hidden = () if installed else (package_root,)
    read, listed = sandbox.filesystem_view(hidden)
    mount_ns = False
    if os.geteuid() == 0:
        try:
            mount_ns = sandbox.expose_paths(read)
        except OSError:
            pass
    return {
        "read_paths": read,
        "list_paths": tuple(sorted({*sites, *listed})),
        "hidden_paths": hidden,
        "mount_ns": mount_ns,
    }


def _fork_launcher(sock: socket.socket, paths: dict) -> tuple[int, socket.socket, int]:
    """Fork a launcher that waits for its submission: (pid, its control socket, its report).

    Forking the zygote's image costs tens of milliseconds; done ahead, after a spawn was
    answered, it is off the next submission's start.
    """
    ours, theirs = socket.socketpair()
    told, tell = os.pipe()
    pid = os.fork()
    if pid == 0:
        sock.close()
        ours.close()
        os.close(told)
        worker.run_launcher(theirs, tell, paths)
    theirs.close()
    os.close(tell)
    return pid, ours, told


def _discard(launcher: tuple[int, socket.socket, int]) -> None:
    """A launcher forked before the last preload: told there is no submission, it exits."""
    pid, control, told = launcher
    control.close()
    os.close(told)
    os.waitpid(pid, 0)


def serve(fd: int, package_root: str, modules: Sequence[str] = ()) -> None:
    """Answer spawn/wait requests on the socket ``fd`` until the grader closes it."""
    from grader.runtime import protocol, sandbox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader's Ctrl-C is the grader's to handle
    sandbox.die_with_parent()
    sock = socket.socket(fileno=fd)
    preload(modules)
    paths = sandbox_paths(package_root)
    protocol.send(sock, {"ready": True, "pid": os.getpid()})
    launchers: dict[int, int] = {}  # builder pid -> its launcher, the zygote's child
    spare = None
    served = 0  # submissions spawned
    tried = set(modules)  # preloads asked for (one that does not import is not tried again)
    while True:
        try:
            msg = protocol.recv(sock)
        except EOFError:
            return
        if msg["op"] == "spawn":
            missing = [m for m in msg.get("preload", ()) if m not in sys.modules and m not in tried]
            if missing:  # another pack's submission: its modules, then a launcher forked after
                tried.update(missing)
                preload(missing)
                if spare is not None:
                    _discard(spare)
                    spare = None
            # the launcher first: forked after the fds arrive, it would hold a second copy of
            # the submission's socket, which every call worker would then inherit
            pid, control, told = spare or _fork_launcher(sock, paths)
            _, fds, _, _ = socket.recv_fds(sock, 1, 2)
            try:
                protocol.send(control, msg["config"])
                socket.send_fds(control, [b"f"], fds)
            except OSError:  # it died waiting: its report below is empty
                pass
            for f in fds:
                os.close(f)
            control.close()
            with os.fdopen(told, "rb") as pipe:
                told_pid = pipe.read()
            builder = int(told_pid) if told_pid else pid  # a launcher that failed: itself
            launchers[builder] = pid
            protocol.send(sock, {"pid": builder})
            served += 1
            if served == 2:  # a batch, not one notebook: from the next launcher on, forks are cheap
                hugepages.collapse_private_memory()
            spare = _fork_launcher(sock, paths)  # the next one, while this one is graded
        elif msg["op"] == "wait":
            try:
                _, status = os.waitpid(launchers.pop(msg["pid"], msg["pid"]), 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                code = None
            protocol.send(sock, {"code": code})
