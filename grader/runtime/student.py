"""The grader's side of the student runtime: drive one submission's processes, enforce its budgets.

A StudentRuntime owns one *builder* (its namespace, forked by this process's zygote: see
``spawner``) and at most one *call worker* forked from it; it answers the callbacks of the
grader's stubs, checks every reply (``protocol``) and kills what a submission started
(``reaper``) whenever a process fails or the runtime closes.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Self

from grader.errors import ProtocolError, RuntimeFailure
from grader.runtime import budget, ipc, protocol, reaper
from grader.runtime.convert import to_plain
from grader.runtime.cpu import CpuLedger
from grader.runtime.protocol import Handle
from grader.runtime.results import (
    DEFAULT_PRELOAD,
    BuildOutcome,
    CallResult,
    Code,
    Limits,
    RunStatus,
    StudentError,
)
from grader.runtime.sandbox import SandboxConfig
from grader.runtime.spawner import (
    CONTROL_TIMEOUT,
    StudentProcess,
    encode_request,
    new_channel,
    pending,
    roundtrip,
    zygote,
)

UNPRIVILEGED_ENV = "GRADER_RUNTIME_UNPRIVILEGED"  # "1": skip root-only layers, as on a laptop
WITHOUT_ENV = "GRADER_SANDBOX_WITHOUT"  # "landlock,pid-ns": grade as if this OS lacked them
DEFAULT_LIMITS = Limits()
GRACE = 1.0  # seconds past a statement's own SIGALRM before the builder is killed


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
    #: With ``observe``: ``local`` is every call's numbers, one row per call (its arguments,
    #: then its result, flattened), or None where the calls could not be followed.
    trace: bool = False


_open: weakref.WeakSet[StudentRuntime] = weakref.WeakSet()


@atexit.register
def close_open_runtimes() -> None:
    """At exit, runtimes left open are closed (their processes killed, private dirs removed)."""
    for runtime in list(_open):
        runtime.close()


def _builder_pid(runtime: StudentRuntime | None) -> int | None:
    builder = runtime._builder if runtime is not None else None
    return builder.pid if builder is not None else None


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB"


# ----------------------------------------------------------------------------- the runtime


class StudentRuntime:
    """A submission's namespace in an isolated process, answering calls with plain data."""

    def __init__(
        self,
        statements: Sequence[Code],
        *,
        limits: Limits = DEFAULT_LIMITS,
        files: Mapping[str, bytes] = {},
        seed: int = 0,
        privileged: bool | None = None,
        preload: Sequence[str] = DEFAULT_PRELOAD,
    ) -> None:
        self.preload = tuple(preload)  # what the zygote imports before forking the builder
        self.statements = list(statements)
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
        self._builder: StudentProcess | None = None
        self._worker: StudentProcess | None = None
        self._defines: list[tuple[str, dict, dict]] = []
        self._stubs: dict[str, Stub] = {}  # random token -> stub, for the defines in force
        self._skip: set[int] = set()  # statements not run again on a rebuild (killed it, timed out)
        self._deadline = float("inf")
        self._ipc: dict[int, frozenset] = {}  # uid -> its IPC objects at start, without an IPC namespace
        self._watchdog: budget.MemoryWatch | None = None
        self._memory_hit = 0  # bytes the submission's processes used when the watchdog struck
        self._generation = 0
        #: CPU seconds of the student's own code and of the submission's processes in all
        self.cpu = CpuLedger()
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
            tokens: dict[str, list[Any]] = {}
            for name, stub in stubs.items():
                token = secrets.token_hex(16)
                self._stubs[token] = stub
                tokens[name] = [token, stub.inner, stub.observe, stub.trace]
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

    def _memory_verdict(self, status: RunStatus, detail: str) -> tuple[RunStatus, str]:
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
        if self.workdir is None:
            raise RuntimeFailure("the runtime is not started")
        cfg = SandboxConfig(
            workdir=self.workdir,
            privileged=self.privileged,
            limits=self.limits,
            without=tuple(filter(None, os.environ.get(WITHOUT_ENV, "").split(","))),
        )
        config = {"sandbox": cfg.to_doc(), "seed": self.seed}
        ours, theirs, output = new_channel()
        try:
            pid = zygote(self.preload).spawn(config, theirs.fileno(), output, self.preload)
        finally:
            theirs.close()
        self._builder = StudentProcess(ours, output, pid)
        try:
            hello = protocol.recv(ours, deadline=time.monotonic() + CONTROL_TIMEOUT)
            self.isolation, self._uid = protocol.reply_hello(hello)
            if "ipc-ns" not in self.isolation and self._uid not in self._ipc:
                self._ipc[self._uid] = ipc.objects(self._uid)
        except (EOFError, TimeoutError, ProtocolError, KeyError, TypeError) as exc:
            text = self._builder.output_text(2000)
            self._end_builder()
            raise RuntimeFailure(f"the student process did not start ({exc}): {text}") from None

    def _exec(self, stmt: Code) -> tuple[BuildOutcome, bool]:
        b = self._running_builder()
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
            reply = roundtrip(b.sock, msg, timeout + GRACE)
            self.cpu.reply(b.pid, reply)
            status, error, detail = self._parse_status(reply)
            stand_ins = protocol.reply_stand_ins(reply)
            if status == "timeout":
                detail = self._timed_out(timeout)
            return BuildOutcome(
                stmt, status, error, detail, b.output_text(self.limits.max_output_chars), stand_ins
            ), True
        except TimeoutError:
            status, detail = "timeout", self._timed_out(timeout)
        except (EOFError, OSError, ProtocolError, ValueError):
            status, detail = "crashed", "the process died"
        output = b.output_text(self.limits.max_output_chars)
        self.cpu.killed(b.pid)
        code = self._end_builder()
        if status == "crashed":
            status, detail = self._memory_verdict(*reaper.verdict(code, self.limits))
        return BuildOutcome(stmt, status, None, detail, output), False

    def _running_builder(self) -> StudentProcess:
        """The builder, which every statement and fork needs (spawned by then)."""
        if self._builder is None:
            raise RuntimeFailure("the submission's builder is not running")
        return self._builder

    def _end_builder(self) -> int | None:
        """Kill the builder and everything of its uid; return how it ended."""
        w, self._worker = self._worker, None
        b, self._builder = self._builder, None
        if w is not None:  # no need to reap it: it dies with the builder
            w.close()
            self.cpu.closed(w.pid)
        if b is None:
            return None
        reaper.kill_submission(b.pid, self._own_uid(), keep_builder=False)
        b.close()
        code = zygote().wait(b.pid)
        self.cpu.closed(b.pid)
        return code

    # -- call workers

    def _spawn_worker(self) -> None:
        """Fork a call worker from the builder (rebuilt first if unhealthy), replay the defines."""
        if self.outcomes is None or self._closed:
            raise RuntimeFailure(
                "the runtime is not running: start() it first, and not after close()"
            )
        for attempt in (1, 2):
            if self._builder is not None and pending(self._builder.sock) is not None:
                self._end_builder()  # it died, or student threads wrote to its socket
            if self._builder is None:
                self._build([None] * len(self.statements))
            pid = self._fork_worker()
            if pid is not None:
                break
            if attempt == 2:
                raise RuntimeFailure("could not start a call worker")
        for source, values, tokens in self._defines:
            if self._worker is None:  # the replay itself killed it
                return
            msg = {"op": "define", "source": source, "values": values, "stubs": tokens}
            self._send_request(self._worker, msg, self.limits.call_timeout)

    def _fork_worker(self) -> int | None:
        """Ask the builder for a worker; None (and no builder) if it does not answer properly."""
        builder = self._running_builder()
        self._generation += 1
        ours, theirs, output = new_channel()
        msg = {"op": "fork", "handle_base": self._generation * 1_000_000}
        try:
            reply = roundtrip(builder.sock, msg, CONTROL_TIMEOUT, fds=(theirs.fileno(), output))
            pid = protocol.reply_int(reply, "pid")
            self.cpu.reply(builder.pid, reply)
        except (OSError, EOFError, ProtocolError, KeyError, TypeError, ValueError):
            ours.close()
            os.close(output)
            self._end_builder()
            return None
        finally:
            theirs.close()
        self._worker = StudentProcess(ours, output, pid)
        return pid

    def _end_worker(self, kill: bool) -> int | None:
        """Stop the call worker (its whole group, and strays of the uid); return how it ended."""
        w, self._worker = self._worker, None
        if w is None:
            return None
        b = self._builder
        w.close()
        self.cpu.closed(w.pid)
        if b is None:
            return None
        if kill:
            reaper.kill_group(w.pid, session=b.pid)
        reaper.kill_submission(b.pid, self._own_uid(), keep_builder=True)
        try:
            reply = roundtrip(b.sock, {"op": "wait", "pid": w.pid}, CONTROL_TIMEOUT)
            self.cpu.reply(b.pid, reply)
            code = reply["code"]
            return code if type(code) is int else None
        except (OSError, EOFError, ProtocolError, KeyError, TypeError):
            self._end_builder()
            return None

    def _request(self, msg: dict, timeout: float) -> CallResult:
        with self._lock:
            if self._remaining() <= 0:
                return CallResult("timeout", detail=self._out_of_time())
            timeout = self._budgeted(timeout)
            if self._worker is not None and pending(self._worker.sock) is not None:
                # it died (or wrote to its socket) between calls: not this call's fault
                self._end_worker(kill=True)
            if self._worker is None:
                self._spawn_worker()
            if self._worker is None:
                return CallResult(
                    "crashed", detail="the worker died replaying the grader's defines"
                )
            return self._send_request(self._worker, msg, timeout)

    def _send_request(self, w: StudentProcess, msg: dict, timeout: float) -> CallResult:
        w.clear_output()
        try:
            encoded = encode_request(msg)
        except ProtocolError as exc:
            raise TypeError(f"an argument cannot be sent to the runtime: {exc}") from None
        max_chars = self.limits.max_output_chars
        try:
            reply = roundtrip(w.sock, msg, timeout, encoded=encoded, answer=self._answer)
            self.cpu.reply(w.pid, reply)
            status, error, detail = self._parse_status(reply)
            value = reply.get("value")
            type_name = protocol.reply_type_name(reply)
        except TimeoutError:
            output = w.output_text(max_chars)
            self.cpu.killed(w.pid)
            self._end_worker(kill=True)
            return CallResult("timeout", output=output, detail=self._timed_out(timeout))
        except (EOFError, OSError) as exc:
            output = w.output_text(max_chars)
            self.cpu.killed(w.pid)
            code = self._end_worker(kill=True)
            status, detail = self._memory_verdict(
                *(reaper.verdict(code, self.limits) if code is not None else ("crashed", str(exc)))
            )
            return CallResult(status, output=output, detail=detail)
        except (ProtocolError, ValueError, AttributeError) as exc:
            output = w.output_text(max_chars)
            self.cpu.killed(w.pid)
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
            arguments = protocol.callback_arguments(call)
            if arguments is not None:
                args, kwargs, trace = arguments
                stub.answer(args, kwargs, trace if stub.trace else None)

    def _answer(self, request: dict) -> dict:
        """A stub's value, computed here from the plain data a callback sent; errors as text."""
        token, call = request.get("callback"), request.get("call")
        stub = self._stubs.get(token) if type(token) is str else None
        if stub is None or type(call) is not dict:
            return {"error": "no such function"}
        arguments = protocol.callback_arguments(call)
        if arguments is None:
            return {"error": protocol.CALLBACK_REFUSED}
        try:
            value = stub.answer(*arguments)
        except Exception:  # noqa: BLE001 - the student's arguments made it fail: their error
            # one fixed text whatever failed: an exception's own words could tell one stub from
            # another, or show how the reference computes (``shapes (3,) and (2,1) not aligned``)
            return {"error": protocol.STUB_FAILED}
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

    def _parse_status(self, reply: Any) -> tuple[RunStatus, StudentError | None, str]:
        """The status part of a reply (checked by ``protocol``), read against the limits."""
        status, error, detail = protocol.reply_status(reply)
        if status == "memory":
            detail = f"ran out of memory (limit {_gib(self.limits.memory_bytes)})"
        # ENOSPC: of every disk, only the private folder's quota is the submission's own
        if error is not None and "[Errno 28]" in error.message:
            self.exhausted["disk-budget"] = (
                f"the private folder's disk budget ({_gib(self.limits.disk_bytes)}) ran "
                "out: the writes past it failed"
            )
        return status, error, detail
