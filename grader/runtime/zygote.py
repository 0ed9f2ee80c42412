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

# Imported with this module, before serve() runs sandbox_paths(): that may cover a closed
# checkout (a ``mktemp -d`` clone) with a tmpfs, after which the project cannot be imported.
from grader.runtime import helpers, worker

PRELOAD = (
    "numpy",
    "scipy",
    "scipy.io",
    "matplotlib",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.optim",
    "torchvision",
    "torchvision.transforms",
    "torchvision.datasets",
)


def preload() -> None:
    """Import what submissions use, so that each fork gets it for free."""
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    for name in PRELOAD:
        importlib.import_module(name)
    import matplotlib.pyplot
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    helpers.seed(0)  # torch's first manual_seed initialises lazily: pay that once, here


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


def serve(fd: int, package_root: str) -> None:
    """Answer spawn/wait requests on the socket ``fd`` until the grader closes it."""
    from grader.runtime import protocol, sandbox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader's Ctrl-C is the grader's to handle
    sandbox.die_with_parent()
    sock = socket.socket(fileno=fd)
    preload()
    paths = sandbox_paths(package_root)
    protocol.send(sock, {"ready": True, "pid": os.getpid()})
    launchers: dict[int, int] = {}  # builder pid -> its launcher, the zygote's child
    spare = None
    while True:
        try:
            msg = protocol.recv(sock)
        except EOFError:
            return
        if msg["op"] == "spawn":
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
            spare = _fork_launcher(sock, paths)  # the next one, while this one is graded
        elif msg["op"] == "wait":
            try:
                _, status = os.waitpid(launchers.pop(msg["pid"], msg["pid"]), 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                code = None
            protocol.send(sock, {"code": code})
