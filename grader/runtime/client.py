"""The grader's side of the student runtime: start the zygote, drive a submission, enforce time.

One zygote per grader process (started on first use, shared by every StudentRuntime of that
process and its threads; parallel grading processes each start their own, so no socket is
ever shared between processes). A StudentRuntime owns one *builder* (its namespace) and at
most one *call worker* forked from it; everything it receives is validated plain data.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Self

import numpy as np

from grader.runtime import budget, ipc, protocol
from grader.runtime.convert import to_plain
from grader.runtime.protocol import Handle, ProtocolError
from grader.runtime.results import BuildOutcome, CallResult, Limits, StudentError
from grader.runtime.sandbox import SandboxConfig
from grader.source import Statement

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory holding the `grader` package
STATUSES = frozenset(["ok", "error", "timeout", "exited", "crashed", "memory"])
UNPRIVILEGED_ENV = "GRADER_RUNTIME_UNPRIVILEGED"  # "1": skip root-only layers, as on a laptop
WITHOUT_ENV = "GRADER_SANDBOX_WITHOUT"  # "landlock,pid-ns": grade as if this OS lacked them
DEFAULT_LIMITS = Limits()
GRACE = 1.0  # seconds past a statement's own SIGALRM before the builder is killed
CONTROL_TIMEOUT = 30.0  # a builder answering a control request (fork, wait)

_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from grader.runtime.zygote import serve; serve(int(sys.argv[2]), sys.argv[1])"
)


MAX_CALLBACK_BYTES = 8 * 1024**2  # the arrays one callback may hand the grader's functions


class RuntimeFailure(RuntimeError):
    """The runtime machinery itself failed (zygote would not start, builder would not answer)."""


# The layers grading with hidden checks relies on, and how to get each where it is missing.
REQUIRED_LAYERS = {
    "landlock": (
        "Landlock keeps the reference solution, other submissions and the project unreadable: "
        "Linux 5.13 or later with `landlock` in the LSM list (`cat /sys/kernel/security/lsm`; "
        "boot with `lsm=landlock,...`); in a container, a seccomp profile that allows the "
        "landlock_* system calls (Docker 20.10+)"
    ),
    "pid-ns": (
        "a PID namespace kills every process of a submission when it ends: run the grader as "
        "root, or allow unprivileged user namespaces (`sysctl user.max_user_namespaces=10000`, "
        "`kernel.apparmor_restrict_unprivileged_userns=0` on Ubuntu 24.04); in a container, "
        "`--security-opt seccomp=unconfined` or a profile that allows unshare"
    ),
    "ipc-ns": (
        "an IPC namespace keeps shared memory from passing between submissions: as for pid-ns"
    ),
    "socket-filter": (
        "a seccomp filter keeps host Unix sockets out of reach: an x86_64 kernel with "
        "CONFIG_SECCOMP_FILTER (every distribution kernel)"
    ),
}


def missing_layers(isolation: Sequence[str]) -> list[str]:
    """The required layers that ``isolation`` (a runtime's active layers) lacks."""
    return [name for name in REQUIRED_LAYERS if name not in isolation]


class SandboxTooWeak(RuntimeFailure):
    """Grading with hidden checks refused: the sandbox lacks a layer it relies on."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        how = "\n".join(f"  - {name}: {REQUIRED_LAYERS[name]}" for name in self.missing)
        super().__init__(
            f"grading refused: the student sandbox on this machine lacks {', '.join(self.missing)}."
            f"\n{how}\nTo grade anyway with the weaker sandbox, pass --allow-weak-sandbox "
            "(allow_weak_sandbox=True in the API); every report then says which layers were missing."
        )


def probe_isolation(privileged: bool | None = None) -> tuple[str, ...]:
    """The layers a submission gets on this machine (a runtime of no statements, started once)."""
    with StudentRuntime([], privileged=privileged) as runtime:
        return runtime.isolation


@dataclass(frozen=True)
class Stub:
    """A function bound in the student's namespace whose value the grader computes.

    ``answer(args, kwargs, local)`` runs in the grader's process on plain data; ``local`` is
    what the namespace's ``inner`` function returned on the same arguments (None without one).
    Only values cross: no grader source or code object enters the student's process.
    """

    answer: Callable[[tuple, dict, Any], Any]
    inner: str | None = None
    #: ``inner`` answers every call in the student's process; only the last call's arguments
    #: come back, with the request's reply, to ``answer`` (local None, its value unused).
    observe: bool = False


# ----------------------------------------------------------------------------- zygote


class _Zygote:
    """A ``python -I`` process with torch & co. imported, forking one builder per submission."""

    def __init__(self) -> None:
        self.pid_owner = os.getpid()
        self.lock = threading.Lock()
        self.home = tempfile.mkdtemp(prefix="grader-zygote-")
        ours, theirs = socket.socketpair()
        env = {  # scrubbed: nothing of the grader's environment but what the interpreter needs
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": self.home,
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": self.home,
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
        }
        if "LD_LIBRARY_PATH" in os.environ:  # some Python installs cannot start without it
            env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
        with open(os.path.join(self.home, "stderr"), "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, str(PACKAGE_ROOT), str(theirs.fileno())],
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
        if self.ready:
            return
        try:
            protocol.recv(self.sock, deadline=time.monotonic() + 300)
        except (EOFError, TimeoutError, ProtocolError) as exc:
            message = Path(self.home, "stderr").read_text(errors="replace")[-2000:]
            self.close()
            raise RuntimeFailure(f"the runtime zygote did not start ({exc}): {message}") from None
        self.ready = True

    def alive(self) -> bool:
        return self.pid_owner == os.getpid() and self.proc.poll() is None

    def _ask(self, msg: dict, fds: Sequence[int] = ()) -> dict:
        self.sock.settimeout(CONTROL_TIMEOUT)
        protocol.send(self.sock, msg)
        if fds:
            socket.send_fds(self.sock, [b"f"], list(fds))
        reply = protocol.recv(self.sock, deadline=time.monotonic() + CONTROL_TIMEOUT)
        if type(reply) is not dict:
            raise RuntimeFailure("bad reply from the zygote")
        return reply

    def spawn(self, config: dict, sock_fd: int, output_fd: int) -> int:
        with self.lock:
            return int(self._ask({"op": "spawn", "config": config}, (sock_fd, output_fd))["pid"])

    def wait(self, pid: int) -> int | None:
        with self.lock:
            return self._ask({"op": "wait", "pid": pid})["code"]

    def close(self) -> None:
        self.sock.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def prestart() -> None:
    """Start this process's zygote now without waiting for it, so that its imports (torch...)
    overlap with the grader's own start-up; the first runtime waits only for what is left.

    Started from the calling thread on purpose: the zygote dies with the thread that started
    it (PR_SET_PDEATHSIG), so a helper thread would take it down when it ends.
    """
    _zygote_process()


def _zygote_process() -> _Zygote:
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            if _zygote is not None and _zygote.pid_owner == os.getpid():
                _zygote.close()
            _zygote = _Zygote()
        return _zygote


def zygote() -> _Zygote:
    """This process's zygote, started on first use (and again if it died), ready to fork."""
    process = _zygote_process()
    with process.lock:
        process.wait_ready()
    return process


_open: weakref.WeakSet[StudentRuntime] = weakref.WeakSet()


@atexit.register
def _stop_everything() -> None:
    """At exit, runtimes left open are closed (their private dirs removed), then the zygote."""
    for runtime in list(_open):
        runtime.close()
    if _zygote is not None and _zygote.pid_owner == os.getpid():
        _zygote.close()


# ----------------------------------------------------------------------------- processes


@dataclass
class _Proc:
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


def _new_channel() -> tuple[socket.socket, socket.socket, int]:
    ours, theirs = socket.socketpair()
    return ours, theirs, os.memfd_create("student-output", os.MFD_CLOEXEC)


def _encode_request(msg: dict) -> tuple[bytes, list[memoryview]]:
    """Encode a request with a fresh random id (echoed by the reply)."""
    msg["id"] = secrets.randbits(62)
    return protocol.encode_message(msg)


def _roundtrip(
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
    header, buffers = encoded or _encode_request(msg)
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
    if _pending(sock):
        raise ProtocolError("unexpected data after the reply")
    return reply


def _pending(sock: socket.socket) -> bytes | None:
    """What can be read now without blocking: None (nothing yet), b"" (closed), or a byte."""
    sock.settimeout(0.0)  # non-blocking: with a timeout set, Python would wait for data to peek at
    try:
        return sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _killpg(pgid: int, session: int) -> None:
    """SIGKILL process group ``pgid`` if it belongs to ``session`` (a pid from a student
    process is never trusted to name a group outside the submission)."""
    try:
        fields = Path(f"/proc/{pgid}/stat").read_text().rsplit(")", 1)[1].split()
        if int(fields[4]) == session:
            os.killpg(pgid, signal.SIGKILL)
    except (OSError, IndexError, ValueError):
        pass


def _live_processes(with_uid: bool) -> dict[int, tuple[int, int]]:
    """pid -> (ppid, uid or -1) of every process that is not a zombie."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            uid = os.stat(f"/proc/{entry}").st_uid if with_uid else -1
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X"):
            out[int(entry)] = (int(fields[1]), uid)
    return out


def _kill_submission(builder: int, uid: int | None, keep_builder: bool) -> None:
    """SIGKILL every process of a submission: the builder's descendants, and with a uid of
    its own every process of that uid; the builder itself last, unless ``keep_builder``.

    The builder is a child subreaper, so a process that double-forks or calls setsid is
    still its descendant; while it lives no orphan can slip away to init. Scans repeat until
    one finds nothing, so processes forked during a scan are caught too.
    """
    for _ in range(1000):
        procs = _live_processes(with_uid=uid is not None)
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in procs.items():
            children.setdefault(ppid, []).append(pid)
        doomed: set[int] = set()
        stack = [builder]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in doomed:
                    doomed.add(child)
                    stack.append(child)
        if uid is not None:
            doomed |= {pid for pid, (_, u) in procs.items() if u == uid and pid != builder}
        if not doomed:
            break
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    if not keep_builder:
        try:
            os.kill(builder, signal.SIGKILL)
        except OSError:
            pass


def _ended(code: int | None, limits: Limits) -> tuple[str, str]:
    """(status, detail) for a process that ended with waitstatus_to_exitcode ``code``."""
    if code is None:
        return "crashed", "the process ended (status unknown)"
    if code == protocol.BROKEN:
        return (
            "crashed",
            "the call broke the runtime's own code (did it patch something the engine uses?)",
        )
    if code >= 0:
        return "exited", f"exited with status {code}"
    sig = -code
    if sig == signal.SIGXCPU:
        return "timeout", f"ran out of CPU time (limit {limits.cpu_seconds} s)"
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = "unknown signal"
    return "crashed", f"killed by signal {sig} ({name})"


def _builder_pid(runtime: StudentRuntime | None) -> int | None:
    builder = runtime._builder if runtime is not None else None
    return builder.pid if builder is not None else None


def _nbytes(value: Any) -> float:
    """Bytes of the arrays in decoded callback data; infinite for anything but numbers,
    strings, arrays and containers of them (handles, tensors, opaque objects)."""
    t = type(value)
    if t in (list, tuple):
        return sum(_nbytes(v) for v in value)
    if t is dict:
        return sum(_nbytes(v) for v in value.values())
    if t is np.ndarray:
        return value.nbytes
    return 0 if value is None or t in (bool, int, float, str) else float("inf")


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB"


# ----------------------------------------------------------------------------- the runtime


class StudentRuntime:
    """A submission's namespace in an isolated process, answering calls with plain data."""

    def __init__(
        self,
        statements: Sequence[Statement],
        *,
        limits: Limits = DEFAULT_LIMITS,
        files: Mapping[str, bytes] = {},
        seed: int = 0,
        privileged: bool | None = None,
    ) -> None:
        self.statements = [s for s in statements if s.action == "run"]
        self.limits = limits
        # Budgets of the whole submission that ran out: problem code -> the sentence for it.
        self.exhausted: dict[str, str] = {}
        if len(self.statements) > limits.max_statements:
            self.exhausted["statement-budget"] = (
                f"the notebook has {len(self.statements):,} statements to run; only the first "
                f"{limits.max_statements:,} were run"
            )
            self.statements = self.statements[: limits.max_statements]
        self.files = dict(files)
        for name in self.files:
            parts = PurePosixPath(name).parts
            if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
                raise ValueError(f"file name {name!r} leaves the working directory")
        self.seed = seed
        if privileged is None:
            privileged = os.environ.get(UNPRIVILEGED_ENV, "") != "1"
        self.privileged = privileged
        self.isolation: tuple[str, ...] = ()
        self.outcomes: list[BuildOutcome] | None = None
        self.workdir: str | None = None
        self._uid: int | None = None
        self._builder: _Proc | None = None
        self._worker: _Proc | None = None
        self._defines: list[tuple[str, dict, dict]] = []
        self._stubs: dict[str, Stub] = {}  # random token -> stub, for the defines in force
        self._skip: set[int] = set()  # statements not run again on a rebuild (killed it, timed out)
        self._deadline = float("inf")
        self._ipc: dict[int, frozenset] = {}  # uid -> its IPC objects at start, without an IPC namespace
        self._watchdog: budget.MemoryWatch | None = None
        self._memory_hit = 0  # bytes the submission's processes used when the watchdog struck
        self._generation = 0
        self._lock = threading.RLock()
        self._closed = False

    # -- lifecycle

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> list[BuildOutcome]:
        """Build the namespace: every "run" statement in order, each within statement_timeout."""
        with self._lock:
            if self._closed:
                raise RuntimeFailure("this runtime is closed")
            if self.outcomes is not None:
                return self.outcomes
            self.workdir = tempfile.mkdtemp(prefix="student-")
            self._deadline = time.monotonic() + self.limits.submission_seconds
            _open.add(self)
            me = weakref.ref(self)
            self._watchdog = budget.MemoryWatch(
                lambda: _builder_pid(me()), self.limits.submission_memory_bytes, self._over_memory
            )
            for name, data in self.files.items():
                path = Path(self.workdir, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            outcomes: list[BuildOutcome | None] = [None] * len(self.statements)
            try:
                self._build(outcomes)
            except BaseException:
                self.close()
                raise
            self.outcomes = [o for o in outcomes if o is not None]
            return self.outcomes

    def close(self) -> None:
        """Kill every process of the submission and remove its private directory."""
        with self._lock:
            self._closed = True
            self._end_worker(kill=True)
            self._end_builder()
            if self._watchdog is not None:
                self._watchdog.stop()
            for uid, before in self._ipc.items():
                ipc.remove_added(uid, before)
            self._ipc.clear()
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None
            _open.discard(self)

    def reset(self) -> None:
        """Back to the namespace as built: drop defines and handles (the next call gets a fresh worker)."""
        with self._lock:
            self._defines.clear()
            self._stubs.clear()
            self._end_worker(kill=True)

    # -- calls

    def names(self) -> dict[str, str]:
        """Namespace name -> "function" | "class" | "module" | "value" (defines included)."""
        result = self._request({"op": "names"}, self.limits.call_timeout)
        if not result.ok or type(result.value) is not dict:
            raise RuntimeFailure(f"could not list the namespace: {result.detail or result.error}")
        return {str(k): str(v) for k, v in result.value.items()}

    def call(
        self,
        target: str | Handle,
        *args: Any,
        timeout: float | None = None,
        keep: bool = False,
        **kwargs: Any,
    ) -> CallResult:
        """Call a namespace name, a Handle, or an engine helper "@name"; keep=True returns a Handle."""
        if not isinstance(target, (str, Handle)):
            raise TypeError("target must be a name or a Handle")
        msg = {"op": "call", "target": target, "args": list(args), "kwargs": kwargs, "keep": keep}
        return self._request(msg, timeout or self.limits.call_timeout)

    def call_method(
        self,
        handle: Handle,
        method: str,
        *args: Any,
        timeout: float | None = None,
        keep: bool = False,
        **kwargs: Any,
    ) -> CallResult:
        """Call ``method`` of the object behind ``handle``."""
        msg = {
            "op": "method",
            "target": handle,
            "method": method,
            "args": list(args),
            "kwargs": kwargs,
            "keep": keep,
        }
        return self._request(msg, timeout or self.limits.call_timeout)

    def define(
        self, source: str = "", values: Mapping[str, Any] = {}, stubs: Mapping[str, Stub] = {}
    ) -> CallResult:
        """Exec trusted grader ``source`` in the student's namespace after binding ``values``
        and ``stubs`` (name -> Stub: a function answered by the grader, see :class:`Stub`).

        A define that succeeds persists: it is replayed in every restarted worker until reset().
        Each stub gets a random token, so a notebook cannot forge or predict its callbacks.
        """
        values = dict(values)
        with self._lock:
            tokens = {}
            for name, stub in stubs.items():
                token = secrets.token_hex(16)
                self._stubs[token] = stub
                tokens[name] = [token, stub.inner, stub.observe]
            msg = {"op": "define", "source": source, "values": values, "stubs": tokens}
            result = self._request(msg, self.limits.call_timeout)
            if result.ok:
                self._defines.append((source, values, tokens))
            else:
                for token, *_ in tokens.values():
                    del self._stubs[token]
            return result

    # -- building

    def _build(self, outcomes: list[BuildOutcome | None]) -> None:
        """Run the statements in a fresh builder; one that killed it or timed out is not run
        again on a rebuild (it would only cost its time again), nor is anything once the
        submission's time budget is spent."""
        while True:
            self._spawn_builder()
            for i, stmt in enumerate(self.statements):
                if i in self._skip:
                    continue
                if self._remaining() <= 0:
                    outcomes[i] = outcomes[i] or BuildOutcome(
                        stmt, "timeout", None, self._out_of_time()
                    )
                    continue
                outcome, alive = self._exec(stmt)
                if outcomes[i] is None or not alive:
                    outcomes[i] = outcome
                if not alive or outcome.status == "timeout":
                    self._skip.add(i)
                if not alive:
                    break
            else:
                return

    def _over_memory(self, total: int) -> None:
        """The watchdog is about to kill every process but the builder (its thread)."""
        self._memory_hit = total
        self.exhausted["memory-budget"] = (
            f"the submission's processes together used {_gib(total)}, more than its memory "
            f"budget ({_gib(self.limits.submission_memory_bytes)}): they were killed"
        )

    def _memory_verdict(self, status: str, detail: str) -> tuple[str, str]:
        """A process the memory watchdog killed ran out of memory, whatever its exit says."""
        if not self._memory_hit:
            return status, detail
        self._memory_hit = 0
        budget_text = _gib(self.limits.submission_memory_bytes)
        return "memory", f"ran out of memory (the submission's budget, {budget_text}, for all its processes)"

    def _remaining(self) -> float:
        """Seconds left of the submission's time budget."""
        return self._deadline - time.monotonic()

    def _out_of_time(self) -> str:
        """Say the time budget is spent (a problem of the report), as a call's detail."""
        seconds = f"{self.limits.submission_seconds:g} s"
        self.exhausted["time-budget"] = (
            f"the submission used its whole time budget ({seconds} for building the namespace "
            "and every check); what was left was not run"
        )
        return f"not run: the submission's time budget ({seconds}) is spent"

    def _timed_out(self, timeout: float) -> str:
        """The detail of a statement or call that ran out of time, its own or the budget's."""
        if self._remaining() <= 0:
            self._out_of_time()
            return f"timed out after {timeout:g} s: the submission's time budget is spent"
        return f"timed out after {timeout:g} s"

    def _budgeted(self, timeout: float) -> float:
        """``timeout`` cut to what is left of the time budget."""
        return max(min(timeout, self._remaining()), 0.0)

    def _spawn_builder(self) -> None:
        self._end_builder()
        cfg = SandboxConfig(
            workdir=self.workdir,
            privileged=self.privileged,
            cpu_seconds=self.limits.cpu_seconds,
            memory_bytes=self.limits.memory_bytes,
            max_processes=self.limits.max_processes,
            max_file_bytes=self.limits.max_file_bytes,
            disk_bytes=self.limits.disk_bytes,
            without=tuple(filter(None, os.environ.get(WITHOUT_ENV, "").split(","))),
        )
        config = {"sandbox": asdict(cfg), "seed": self.seed}
        ours, theirs, output = _new_channel()
        try:
            pid = zygote().spawn(config, theirs.fileno(), output)
        finally:
            theirs.close()
        self._builder = _Proc(ours, output, pid)
        try:
            hello = protocol.recv(ours, deadline=time.monotonic() + CONTROL_TIMEOUT)
            self.isolation = tuple(str(x) for x in hello["isolation"])
            self._uid = int(hello["uid"])
            if "ipc-ns" not in self.isolation and self._uid not in self._ipc:
                self._ipc[self._uid] = ipc.objects(self._uid)
        except (EOFError, TimeoutError, ProtocolError, KeyError, TypeError) as exc:
            text = self._builder.output_text(2000)
            self._end_builder()
            raise RuntimeFailure(f"the student process did not start ({exc}): {text}") from None

    def _exec(self, stmt: Statement) -> tuple[BuildOutcome, bool]:
        b = self._builder
        b.clear_output()
        timeout = self._budgeted(self.limits.statement_timeout)
        msg = {
            "op": "exec",
            "source": stmt.source,
            "cell": stmt.cell,
            "line": stmt.line,
            "timeout": timeout,
        }
        try:
            reply = _roundtrip(b.sock, msg, timeout + GRACE)
            status, error, detail = self._parse_status(reply)
            stand_ins = reply.get("stand_ins", [])
            if type(stand_ins) is not list or not all(type(n) is str and len(n) < 200 for n in stand_ins):
                raise ProtocolError("bad stand-in list")
            if status == "timeout":
                detail = self._timed_out(timeout)
            return BuildOutcome(
                stmt, status, error, detail, b.output_text(self.limits.max_output_chars), tuple(stand_ins[:20])
            ), True
        except TimeoutError:
            status, detail = "timeout", self._timed_out(timeout)
        except (EOFError, OSError, ProtocolError, ValueError):
            status, detail = "crashed", "the process died"
        output = b.output_text(self.limits.max_output_chars)
        code = self._end_builder()
        if status == "crashed":
            status, detail = self._memory_verdict(*_ended(code, self.limits))
        return BuildOutcome(stmt, status, None, detail, output), False

    def _end_builder(self) -> int | None:
        """Kill the builder and everything of its uid; return how it ended."""
        w, self._worker = self._worker, None
        b, self._builder = self._builder, None
        if w is not None:  # no need to reap it: it dies with the builder
            w.close()
        if b is None:
            return None
        _kill_submission(b.pid, self._own_uid(), keep_builder=False)
        b.close()
        return zygote().wait(b.pid)

    # -- call workers

    def _spawn_worker(self) -> None:
        """Fork a call worker from the builder (rebuilt first if unhealthy), replay the defines."""
        if self.outcomes is None or self._closed:
            raise RuntimeFailure(
                "the runtime is not running: start() it first, and not after close()"
            )
        for attempt in (1, 2):
            if self._builder is not None and _pending(self._builder.sock) is not None:
                self._end_builder()  # it died, or student threads wrote to its socket
            if self._builder is None:
                self._build([None] * len(self.statements))
            pid = self._fork_worker()
            if pid is not None:
                break
            if attempt == 2:
                raise RuntimeFailure("could not start a call worker")
        for source, values, tokens in self._defines:
            msg = {"op": "define", "source": source, "values": values, "stubs": tokens}
            self._send_request(self._worker, msg, self.limits.call_timeout)
            if self._worker is None:  # the replay itself killed it
                return

    def _fork_worker(self) -> int | None:
        """Ask the builder for a worker; None (and no builder) if it does not answer properly."""
        self._generation += 1
        ours, theirs, output = _new_channel()
        msg = {"op": "fork", "handle_base": self._generation * 1_000_000}
        try:
            pid = _roundtrip(
                self._builder.sock, msg, CONTROL_TIMEOUT, fds=(theirs.fileno(), output)
            )["pid"]
            if type(pid) is not int:
                raise ProtocolError("bad pid")
        except (OSError, EOFError, ProtocolError, KeyError, TypeError, ValueError):
            ours.close()
            os.close(output)
            self._end_builder()
            return None
        finally:
            theirs.close()
        self._worker = _Proc(ours, output, pid)
        return pid

    def _end_worker(self, kill: bool) -> int | None:
        """Stop the call worker (its whole group, and strays of the uid); return how it ended."""
        w, self._worker = self._worker, None
        if w is None:
            return None
        b = self._builder
        w.close()
        if b is None:
            return None
        if kill:
            _killpg(w.pid, session=b.pid)
        _kill_submission(b.pid, self._own_uid(), keep_builder=True)
        try:
            code = _roundtrip(b.sock, {"op": "wait", "pid": w.pid}, CONTROL_TIMEOUT)["code"]
            return code if type(code) is int else None
        except (OSError, EOFError, ProtocolError, KeyError, TypeError):
            self._end_builder()
            return None

    def _request(self, msg: dict, timeout: float) -> CallResult:
        with self._lock:
            if self._remaining() <= 0:
                return CallResult("timeout", detail=self._out_of_time())
            timeout = self._budgeted(timeout)
            if self._worker is not None and _pending(self._worker.sock) is not None:
                # it died (or wrote to its socket) between calls: not this call's fault
                self._end_worker(kill=True)
            if self._worker is None:
                self._spawn_worker()
            if self._worker is None:
                return CallResult(
                    "crashed", detail="the worker died replaying the grader's defines"
                )
            return self._send_request(self._worker, msg, timeout)

    def _send_request(self, w: _Proc, msg: dict, timeout: float) -> CallResult:
        w.clear_output()
        try:
            encoded = _encode_request(msg)
        except ProtocolError as exc:
            raise TypeError(f"an argument cannot be sent to the runtime: {exc}") from None
        max_chars = self.limits.max_output_chars
        try:
            reply = _roundtrip(w.sock, msg, timeout, encoded=encoded, answer=self._answer)
            status, error, detail = self._parse_status(reply)
            value = reply.get("value")
            type_name = reply.get("type_name", "")
            if type(type_name) is not str:
                raise ProtocolError("bad type name")
        except TimeoutError:
            output = w.output_text(max_chars)
            self._end_worker(kill=True)
            return CallResult("timeout", output=output, detail=self._timed_out(timeout))
        except (EOFError, OSError) as exc:
            output = w.output_text(max_chars)
            code = self._end_worker(kill=True)
            status, detail = self._memory_verdict(
                *(_ended(code, self.limits) if code is not None else ("crashed", str(exc)))
            )
            return CallResult(status, output=output, detail=detail)
        except (ProtocolError, ValueError, AttributeError) as exc:
            output = w.output_text(max_chars)
            self._end_worker(kill=True)
            return CallResult("crashed", output=output, detail=f"sent a malformed reply ({exc})")
        output = w.output_text(max_chars)
        if status in ("exited", "memory"):
            self._end_worker(kill=True)
        self._observed(reply.get("observed"))
        return CallResult(status, value, type_name, error, output, detail)

    def _observed(self, observed: Any) -> None:
        """Hand observing stubs the last call's arguments that came with a reply."""
        if type(observed) is not dict:
            return
        for token, call in observed.items():
            stub = self._stubs.get(token)
            if stub is None or not stub.observe or type(call) is not dict:
                continue
            args, kwargs = call.get("args"), call.get("kwargs")
            if type(args) is list and type(kwargs) is dict and _nbytes(call) <= MAX_CALLBACK_BYTES:
                stub.answer(tuple(args), kwargs, None)

    def _answer(self, request: dict) -> dict:
        """A stub's value, computed here from the plain data a callback sent; errors as text."""
        stub = self._stubs.get(request.get("callback"))
        call = request.get("call")
        if stub is None or type(call) is not dict:
            return {"error": "no such function"}
        args, kwargs, local = call.get("args"), call.get("kwargs"), call.get("local")
        if type(args) is not list or type(kwargs) is not dict or _nbytes(call) > MAX_CALLBACK_BYTES:
            return {
                "error": "the arguments must be numbers, arrays or lists of them, "
                f"{MAX_CALLBACK_BYTES:,} bytes at most"
            }
        try:
            value = stub.answer(tuple(args), kwargs, local)
        except Exception as exc:  # noqa: BLE001 - the student's arguments made it fail: their error
            return {"error": f"{type(exc).__name__}: {exc}"[:500]}
        return {"value": to_plain(value)[0]}

    def _own_uid(self) -> int | None:
        """The submission's uid if it has one of its own (whose every process may be killed).

        Never when unprivileged: a grader without root (or simulating one) has no such uid.
        """
        if not self.privileged:
            return None
        if self._uid is not None and self._uid not in (0, os.getuid()) and os.geteuid() == 0:
            return self._uid
        return None

    def _parse_status(self, reply: Any) -> tuple[str, StudentError | None, str]:
        """Validate the status part of a reply from student processes."""
        if type(reply) is not dict or reply.get("status") not in STATUSES:
            raise ProtocolError("reply without a valid status")
        status = reply["status"]
        detail = reply.get("detail", "")
        if type(detail) is not str:
            raise ProtocolError("bad detail")
        if status == "memory":
            detail = f"ran out of memory (limit {_gib(self.limits.memory_bytes)})"
        err = reply.get("error")
        error = None
        if err is not None:
            if (
                type(err) is not dict
                or type(err.get("type")) is not str
                or type(err.get("message")) is not str
                or type(err.get("traceback")) is not list
                or not all(type(t) is str for t in err["traceback"])
            ):
                raise ProtocolError("bad error record")
            error = StudentError(err["type"], err["message"], tuple(err["traceback"]))
            if "[Errno 28]" in error.message:  # ENOSPC: only the private folder's quota is ours
                self.exhausted["disk-budget"] = (
                    f"the private folder's disk budget ({_gib(self.limits.disk_bytes)}) ran "
                    "out: the writes past it failed"
                )
        return status, error, detail
