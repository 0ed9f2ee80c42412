"""The spawner: this process's zygote, and the channels to the student processes it forks.

One zygote per grader process (started on first use, shared by every StudentRuntime of that
process and its threads; parallel grading processes each start their own, so no socket is
ever shared between processes). A student process is reached through a socket pair and an
output memfd (``new_channel``); ``roundtrip`` sends it a request and returns the reply to
that request, never bytes the student wrote to the socket.

The wire (``protocol``, which imports numpy) is imported where a frame is read or written:
a cold command starts its zygote, and torch's import there, before numpy's import here.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ProtocolError, RuntimeFailure
from grader.runtime import sandbox
from grader.runtime.results import DEFAULT_PRELOAD

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory holding the `grader` package
CONTROL_TIMEOUT = 30.0  # a builder answering a control request (fork, wait)
READY_TIMEOUT = 300.0  # the zygote importing a pack's preloads (torch...)

_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from grader.runtime.zygote import serve; serve(int(sys.argv[2]), sys.argv[1], sys.argv[3:])"
)


# ----------------------------------------------------------------------------- zygote


class Zygote:
    """A ``python -I`` process with the pack's preloads (torch & co.) imported, forking one
    builder per submission."""

    def __init__(self, preload: Sequence[str] = ()) -> None:
        self.pid_owner = os.getpid()
        self.lock = threading.Lock()
        self.home = tempfile.mkdtemp(prefix="grader-zygote-")
        ours, theirs = socket.socketpair()
        env = sandbox.scrubbed_environ(self.home, PYTHONHASHSEED="0")
        if "LD_LIBRARY_PATH" in os.environ:  # some Python installs cannot start without it
            env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
        with open(os.path.join(self.home, "stderr"), "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, str(PACKAGE_ROOT), str(theirs.fileno()), *preload],
                env=env,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                cwd="/",
                start_new_session=True,
            )
        theirs.close()
        self.sock = ours
        self.ready = False

    def wait_ready(self) -> None:
        """Wait for the zygote's hello (its imports done); started and awaited apart, so that
        ``prestart`` overlaps the imports with the grader's own start-up."""
        from grader.runtime import protocol  # see the module's note on numpy

        if self.ready:
            return
        try:
            protocol.recv(self.sock, deadline=time.monotonic() + READY_TIMEOUT)
        except (EOFError, TimeoutError, ProtocolError) as exc:
            message = Path(self.home, "stderr").read_text(errors="replace")[-2000:]
            self.close()
            raise RuntimeFailure(f"the runtime zygote did not start ({exc}): {message}") from None
        self.ready = True

    def alive(self) -> bool:
        return self.pid_owner == os.getpid() and self.proc.poll() is None

    def _ask(self, msg: dict, fds: Sequence[int] = (), timeout: float = CONTROL_TIMEOUT) -> dict:
        from grader.runtime import protocol

        self.sock.settimeout(timeout)
        protocol.send(self.sock, msg)
        if fds:
            socket.send_fds(self.sock, [b"f"], list(fds))
        reply = protocol.recv(self.sock, deadline=time.monotonic() + timeout)
        if type(reply) is not dict:
            raise RuntimeFailure("bad reply from the zygote")
        return reply

    def spawn(self, config: dict, sock_fd: int, output_fd: int, preload: Sequence[str] = ()) -> int:
        """Fork a submission's builder; the zygote first imports what of ``preload`` it lacks
        (another pack's modules: as long as its start may take)."""
        msg = {"op": "spawn", "config": config, "preload": list(preload)}
        timeout = READY_TIMEOUT if preload else CONTROL_TIMEOUT
        with self.lock:
            return int(self._ask(msg, (sock_fd, output_fd), timeout)["pid"])

    def wait(self, pid: int) -> int | None:
        with self.lock:
            return self._ask({"op": "wait", "pid": pid})["code"]

    def close(self) -> None:
        self.sock.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


_zygote: Zygote | None = None
_zygote_lock = threading.Lock()


def prestart(preload: Sequence[str] = DEFAULT_PRELOAD) -> None:
    """Start this process's zygote now without waiting for it, so that its imports (the pack's
    ``preload``: torch...) overlap with the grader's own start-up; the first runtime waits
    only for what is left. A zygote already running is kept: it imports what it lacks when a
    submission of another pack asks for it.

    Started from the calling thread on purpose: the zygote dies with the thread that started
    it (PR_SET_PDEATHSIG), so a helper thread would take it down when it ends.
    """
    _zygote_process(preload)


def _zygote_process(preload: Sequence[str] = ()) -> Zygote:
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            if _zygote is not None and _zygote.pid_owner == os.getpid():
                _zygote.close()
            _zygote = Zygote(preload)
        return _zygote


def zygote(preload: Sequence[str] = ()) -> Zygote:
    """This process's zygote, started on first use (and again if it died), ready to fork."""
    process = _zygote_process(preload)
    with process.lock:
        process.wait_ready()
    return process


@atexit.register
def stop_zygote() -> None:
    """At exit, this process's zygote (registered before the runtime's own hook, so it runs
    after the runtimes left open were closed: atexit runs hooks in reverse)."""
    if _zygote is not None and _zygote.pid_owner == os.getpid():
        _zygote.close()


# ----------------------------------------------------------------------------- channels


@dataclass
class StudentProcess:
    """One student process as the grader sees it: its socket, its output memfd, its pid."""

    sock: socket.socket
    output: int
    pid: int

    def output_text(self, max_chars: int) -> str:
        try:
            size = os.fstat(self.output).st_size
            raw = os.pread(self.output, min(size, 4 * max_chars + 4), 0)
        except OSError:
            return ""
        text = raw.decode("utf-8", errors="replace")
        if len(text) > max_chars or size > len(raw):
            text = text[:max_chars] + f"\n... [output truncated: {size} bytes in all]"
        return text

    def clear_output(self) -> None:
        os.ftruncate(self.output, 0)

    def close(self) -> None:
        self.sock.close()
        os.close(self.output)


def new_channel() -> tuple[socket.socket, socket.socket, int]:
    """(our socket, the student process's socket, its output memfd) for a process to spawn."""
    ours, theirs = socket.socketpair()
    return ours, theirs, os.memfd_create("student-output", os.MFD_CLOEXEC)


def encode_request(msg: dict) -> tuple[bytes, list[memoryview]]:
    """Encode a request with a fresh random id (echoed by the reply)."""
    from grader.runtime import protocol

    msg["id"] = secrets.randbits(62)
    return protocol.encode_message(msg)


def roundtrip(
    sock: socket.socket,
    msg: dict,
    timeout: float,
    fds: Sequence[int] = (),
    encoded: tuple[bytes, list[memoryview]] | None = None,
    answer: Callable[[dict], dict] | None = None,
) -> dict:
    """Send a request to a student process and return its reply, checked to be the reply to it.

    The process is untrusted: a reply must echo the request's random id and be all there is
    on the socket, so that bytes a student writes to the socket cannot pass for a later reply.
    With ``answer``, callback requests sent mid-call (a stub asking for a value) are answered
    until the reply comes, all within ``timeout``.
    """
    from grader.runtime import protocol

    header, buffers = encoded or encode_request(msg)
    sock.settimeout(max(timeout, CONTROL_TIMEOUT))
    protocol.send_encoded(sock, header, buffers)
    if fds:
        socket.send_fds(sock, [b"f"], list(fds))
    deadline = time.monotonic() + timeout
    reply = protocol.recv(sock, deadline=deadline)
    while answer is not None and type(reply) is dict and "callback" in reply:
        if reply.get("id") != msg["id"]:
            raise ProtocolError("a callback for another request")
        protocol.send(sock, {**answer(reply), "id": msg["id"]})
        reply = protocol.recv(sock, deadline=deadline)
    if type(reply) is not dict or reply.get("id") != msg["id"]:
        raise ProtocolError("a reply to another request")
    if pending(sock):
        raise ProtocolError("unexpected data after the reply")
    return reply


def pending(sock: socket.socket) -> bytes | None:
    """What can be read now without blocking: None (nothing yet), b"" (closed), or a byte."""
    sock.settimeout(0.0)  # non-blocking: with a timeout set, Python would wait for data to peek at
    try:
        return sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return None
    except OSError:
        return b""
