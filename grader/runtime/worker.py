"""The code that runs inside a submission's processes (after the zygote forked them).

The *launcher* enters the submission's namespaces and forks the builder into them. The
*builder* confines itself, rebuilds the student's namespace statement by statement, and
then only forks *call workers*: a worker inherits the namespace by fork, serves calls over its
own socket, and is thrown away after a hang, exit, crash or memory blow-up. The builder never
runs a call, so a restart costs one fork and the namespace is the one that was built.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import errno
import io
import os
import resource
import signal
import socket
import sys
import tempfile
import traceback
import types
from pathlib import Path
from time import process_time as _total
from time import thread_time as _cpu
from typing import Any

from grader.runtime import compat, helpers, protocol, sandbox
from grader.runtime.convert import safe_str, to_plain, type_name
from grader.runtime.namespaces import enter_namespaces
from grader.runtime.protocol import BROKEN, Handle, TensorArg
from grader.runtime.results import RunStatus
from grader.runtime.sandbox import SandboxConfig, confine, scrub_interpreter

# CPU clocks, bound at import (a notebook that patches ``time`` cannot change the figures).
# The student's code is timed on its thread's clock: RLIMIT_CPU arms a process-wide CPU
# timer, and while one is armed the process clock is read from a sum the kernel updates
# only at a tick or a switch, so a statement shorter than a tick read as nothing and its
# time went to the callback that blocked next. The process clock gives each reply's total.

# As root, each submission runs as uid UID_BASE + its launcher's pid: its own RLIMIT_NPROC
# count, and no signals to or from other submissions.
UID_BASE = 200_000


class StatementTimeout(BaseException):
    """Raised by SIGALRM in the builder when a statement runs past its time."""


# ----------------------------------------------------------------------------- output capture


class Capture:
    """fd 1 and 2 (C-level writes) and sys.stdout/err go to the grader's memfd, in append mode.

    The grader owns the memfd: it empties it before each request and reads it afterwards, even
    when the process died; RLIMIT_FSIZE bounds it, so a flood fails the student's own write.
    """

    def __init__(self, fd: int) -> None:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        self.stream = _Bounded(
            io.TextIOWrapper(io.FileIO(1, "w", closefd=False), errors="backslashreplace", write_through=True)
        )
        self.reset()

    def reset(self) -> None:
        """Flush what the student buffered and put our streams back in place."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001, S110 - a student may have replaced or broken them
                pass
        self.stream.written = 0
        self.stream.dropped = False
        sys.stdout = sys.stderr = self.stream


class _Bounded(io.TextIOBase):
    """sys.stdout/err of a call: what is printed past ``limit`` characters is dropped, not an
    error, so a debugging print in a loop costs the student nothing but the lost text."""

    limit = 1_000_000

    def __init__(self, inner: io.TextIOWrapper) -> None:
        self.inner = inner
        self.written = 0
        self.dropped = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.written
        if room > 0:
            self.inner.write(text[:room])
            self.written += min(len(text), room)
        if len(text) > room and not self.dropped:
            self.dropped = True
            self.inner.write("\n[... output past 1,000,000 characters dropped ...]\n")
        return len(text)

    def flush(self) -> None:
        self.inner.flush()


# ----------------------------------------------------------------------------- errors


def student_error(exc: BaseException) -> dict:
    """Type, message and the student's own frames ('<cell 5>, line 3, in f') of an exception."""
    frames = []
    try:
        for fs in traceback.extract_tb(exc.__traceback__):
            if fs.filename.startswith("<cell ") or fs.filename == "<grader>":
                frames.append(f"{fs.filename}, line {fs.lineno}, in {fs.name}")
    except BaseException:  # noqa: BLE001, S110 - frames of a hostile exception: keep what we have
        pass
    if isinstance(exc, SyntaxError):
        name = getattr(exc, "filename", None)
        if type(name) is str and name.startswith("<cell ") and type(exc.lineno) is int:
            frames.append(f"{name}, line {exc.lineno}")
    return {"type": type_name(exc), "message": safe_str(exc), "traceback": frames}


def _failure(exc: BaseException) -> tuple[RunStatus, str]:
    """(status, detail) for an exception that ended a statement or call."""
    if isinstance(exc, MemoryError):
        return "memory", "ran out of memory"
    if isinstance(exc, RuntimeError) and "allocate memory" in safe_str(exc):
        return "memory", "ran out of memory"
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        return "memory", "ran out of memory"
    if isinstance(exc, SystemExit):
        code = exc.code
        status = 0 if code is None else int.__index__(code) if isinstance(code, int) else 1
        return "exited", f"exited with status {status}"
    return "error", ""


# ----------------------------------------------------------------------------- builder


def _on_alarm(signum: int, frame: Any) -> None:
    raise StatementTimeout()


def _compile_statement(source: str, cell: int, line: int) -> types.CodeType:
    try:
        tree = ast.parse(source, filename=f"<cell {cell}>")
    except SyntaxError as exc:
        exc.lineno = (exc.lineno or 1) + line - 1
        raise
    ast.increment_lineno(tree, line - 1)
    return compile(tree, f"<cell {cell}>", "exec", dont_inherit=True)


def run_launcher(control: socket.socket, report_fd: int, paths: dict) -> None:
    """Entry point of a submission's launcher, forked by the zygote ahead of time. Never returns.

    It waits on ``control`` for its submission (the config, then the submission's socket and
    output memfd), enters the submission's namespaces, forks the builder (init of the PID
    namespace, where there is one), writes the builder's pid to ``report_fd`` and waits for
    it; then it ends the way the builder ended, for the zygote to report. It dies with the
    zygote. No student code ever runs in it.
    """
    zygote = os.getppid()
    output_fd = 2  # the zygote's stderr, until the submission's own output arrives
    try:
        sandbox.die_with_parent(zygote)
        sandbox.adopt_orphans()
        try:
            cfg_doc = protocol.recv(control)
            _, fds, _, _ = socket.recv_fds(control, 1, 2)
        except (EOFError, OSError):  # the zygote is closing: no submission for this one
            os._exit(0)
        control.close()
        sock, output_fd = socket.socket(fileno=fds[0]), fds[1]
        cfg_doc["sandbox"].update(paths)
        cfg = _config(cfg_doc)
        namespaces, own_userns = enter_namespaces(cfg)
        sandbox.die_with_parent(zygote)  # again: entering a user namespace reset it
        pid = os.fork()
        if pid == 0:
            os.close(report_fd)
            run_builder(sock, output_fd, cfg, cfg_doc, tuple(namespaces), own_userns)
        sock.close()
        os.close(output_fd)
        os.write(report_fd, str(pid).encode())
        os.close(report_fd)
        status = os.waitpid(pid, 0)[1]
        _kill_children()
        _end_like(status)
    except BaseException:  # noqa: BLE001 - the grader shows the output memfd when we fail early
        os.write(output_fd, traceback.format_exc().encode())
    finally:
        os._exit(BROKEN)


def _kill_children() -> None:
    """Kill what is left under the launcher once the builder is gone. With a PID namespace
    nothing is; without one, a ``clone(CLONE_PARENT)`` child of the builder is the launcher's,
    and an orphan below it is adopted by the launcher (a subreaper)."""
    for _ in range(1000):
        children = [
            int(pid)
            for tid in os.listdir("/proc/self/task")
            for pid in Path(f"/proc/self/task/{tid}/children").read_text().split()
        ]
        if not children:
            return
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except OSError:
                pass
        while True:  # reap them, so that they leave the children lists
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break


def _config(cfg_doc: dict) -> SandboxConfig:
    cfg = SandboxConfig.from_doc(cfg_doc["sandbox"])
    if cfg.uid < 0:  # unique while the launcher lives: its pid is, in the zygote's namespace
        cfg = dataclasses.replace(cfg, uid=UID_BASE + os.getpid())
    return cfg


def _end_like(status: int) -> None:
    """Exit as the builder did: its exit code, or killed by its signal (no core dump)."""
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        os._exit(code)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if -code not in (signal.SIGKILL, signal.SIGSTOP):
        signal.signal(-code, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [-code])
    os.kill(os.getpid(), -code)


def run_builder(
    sock: socket.socket,
    output_fd: int,
    cfg: SandboxConfig,
    cfg_doc: dict,
    namespaces: tuple[str, ...],
    own_userns: bool,
) -> None:
    """The builder, just forked by the launcher. Never returns."""
    try:
        _serve_builder(sock, output_fd, cfg, cfg_doc, namespaces, own_userns)
    except BaseException:  # noqa: BLE001 - the grader shows our stderr (its memfd) when we die early
        traceback.print_exc()
    finally:
        os._exit(0)


def _serve_builder(
    sock: socket.socket,
    output_fd: int,
    cfg: SandboxConfig,
    cfg_doc: dict,
    namespaces: tuple[str, ...],
    own_userns: bool,
) -> None:
    """Confine this process, then build statement by statement and fork workers on request."""
    os.setsid()
    sandbox.adopt_orphans()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    capture = Capture(output_fd)
    os.chdir(cfg.workdir)
    os.environ.clear()
    os.environ.update(sandbox.scrubbed_environ(cfg.workdir, TMPDIR=cfg.workdir))
    tempfile.tempdir = cfg.workdir
    layers = confine(cfg, namespaces, own_userns)
    sandbox.die_with_parent()
    scrub_interpreter(cfg.hidden_paths)
    compat.install()
    signal.signal(signal.SIGALRM, _on_alarm)
    seed = int(cfg_doc["seed"])
    helpers.seed(seed)
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    pristine = dict(builtins.__dict__)
    sys.dont_write_bytecode = True  # the sandbox would refuse the writes anyway
    protocol.send(sock, {"isolation": list(layers), "uid": os.getuid()})
    workers: dict[int, int] = {}  # a call worker's pid in the grader's namespace -> in ours
    while True:
        try:
            msg = protocol.recv(sock)
        except EOFError:
            break
        op = msg["op"]
        if op == "exec":
            reply = _exec_statement(ns, msg, pristine)
            capture.reset()
            protocol.send(sock, {**reply, "id": msg["id"]})
        elif op == "fork":
            _, fds, _, _ = socket.recv_fds(sock, 1, 2)
            told, tell = os.pipe()
            pid = os.fork()
            if pid == 0:
                sock.close()
                os.close(told)
                os.write(tell, os.readlink("/proc/self").encode())  # its pid as the grader sees it
                os.close(tell)
                _run_worker(
                    socket.socket(fileno=fds[0]), fds[1], ns, seed, msg["handle_base"], pristine
                )
            os.close(tell)
            host_pid = int(os.read(told, 32) or pid)
            os.close(told)
            workers[host_pid] = pid
            for fd in fds:
                os.close(fd)
            protocol.send(sock, {"pid": host_pid, "id": msg["id"], "cpu": [0.0, _total()]})
        elif op == "wait":
            try:
                code = os.waitstatus_to_exitcode(os.waitpid(workers.pop(msg["pid"], -1), 0)[1])
            except ChildProcessError:
                code = None
            _reap_orphans()
            protocol.send(sock, {"code": code, "id": msg["id"], "cpu": [0.0, _total()]})


def _reap_orphans() -> None:
    """Collect the zombies of dead workers' descendants (adopted by us): they count for NPROC."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _exec_statement(ns: dict, msg: dict, pristine: dict) -> dict:
    """Run one statement; an import of a module this machine lacks is run again with a stand-in
    for it (``compat``), and the reply lists the stand-ins."""
    try:
        code = _compile_statement(msg["source"], msg["cell"], msg["line"])
    except SyntaxError as exc:
        return {"status": "error", "error": student_error(exc), "detail": ""}
    is_import = msg["source"].lstrip().startswith(("import ", "from "))
    stand_ins: list[str] = []
    student_cpu = 0.0
    while True:
        reply, failure = _run_statement(ns, code, msg, pristine)
        student_cpu += reply["cpu"][0]
        missing = compat.missing_module(failure) if is_import and failure is not None else None
        if missing is None or len(stand_ins) >= 20:
            return {**reply, "stand_ins": stand_ins, "cpu": [student_cpu, reply["cpu"][1]]}
        compat.stand_in(missing)
        stand_ins.append(missing)


def _run_statement(ns: dict, code: types.CodeType, msg: dict, pristine: dict) -> tuple[dict, BaseException | None]:
    """Run one compiled statement under its alarm; builtins it patched are put back before we go on."""
    signal.signal(signal.SIGALRM, _on_alarm)  # a previous statement may have replaced it
    signal.setitimer(signal.ITIMER_REAL, float(msg["timeout"]))
    failure = None
    started = _cpu()
    try:
        exec(code, ns)  # noqa: S102 - running the student's statement is the point
    except BaseException as exc:  # noqa: BLE001 - anything a statement raises is its outcome
        failure = exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _restore(builtins.__dict__, pristine)
    cpu = [_cpu() - started, _total()]
    if failure is None:
        return {"status": "ok", "error": None, "detail": "", "cpu": cpu}, None
    if isinstance(failure, StatementTimeout):
        return {"status": "timeout", "error": None, "detail": f"timed out after {msg['timeout']:g} s", "cpu": cpu}, failure
    status, detail = _failure(failure)
    return {"status": status, "error": student_error(failure), "detail": detail, "cpu": cpu}, failure


# ----------------------------------------------------------------------------- call worker


class _Worker:
    def __init__(self, ns: dict, handle_base: int, sock: socket.socket | None = None) -> None:
        self.ns = ns
        self.handles: dict[int, Any] = {}
        self.next_id = handle_base
        self.sock = sock
        self.request_id: int | None = None  # the grader's request being served (callbacks echo it)
        #: observing stub -> its last call's [args, kwargs, trace rows] (rows: tracing stubs only)
        self.observed: dict[str, list[Any]] = {}
        #: CPU seconds in the student's own code since the last reply (callbacks and traces,
        #: the grader's work inside a student's call, are taken out)
        self.student_cpu = 0.0

    def resolve(self, value: Any) -> Any:
        """Arguments from the grader: tensor markers become tensors, handles their objects."""
        t = type(value)
        if t is TensorArg:
            import torch

            return torch.from_numpy(value.array).to(getattr(torch, value.dtype))
        if t is Handle:
            return self.obj(value)
        if t is list:
            return [self.resolve(v) for v in value]
        if t is tuple:
            return tuple(self.resolve(v) for v in value)
        if t is dict:
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def obj(self, handle: Handle) -> Any:
        if handle.id not in self.handles:
            raise LookupError(
                f"handle {handle.id} does not exist (the runtime was restarted or reset)"
            )
        return self.handles[handle.id]

    def keep(self, value: Any) -> Handle:
        self.next_id += 1
        self.handles[self.next_id] = value
        return Handle(self.next_id, type_name(value))

    def target(self, target: Any) -> Any:
        if type(target) is Handle:
            return self.obj(target)
        if target.startswith("@"):
            fn = helpers.HELPERS.get(target[1:])
            if fn is None:
                raise LookupError(f"no engine helper {target!r}")
            return fn
        if target not in self.ns:
            raise NameError(f"name {target!r} is not defined")
        return self.ns[target]

    def run(self, msg: dict) -> Any:
        """Carry out a request; this is where student code runs."""
        op = msg["op"]
        if op == "names":
            return {k: _kind(v) for k, v in list(self.ns.items()) if not k.startswith("__")}
        if op == "define":
            self.ns.update(self.resolve(msg["values"]))
            for name, (token, inner, observe, trace) in msg.get("stubs", {}).items():
                self.ns[name] = self.stub(name, token, inner, observe, trace)
            exec(compile(msg["source"], "<grader>", "exec", dont_inherit=True), self.ns)  # noqa: S102 - grader code
            return None
        args = self.resolve(msg["args"])
        kwargs = self.resolve(msg["kwargs"])
        if op == "call":
            fn = self.target(msg["target"])
        else:  # method
            fn = getattr(self.obj(msg["target"]), msg["method"])
        started = _cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            self.student_cpu += _cpu() - started

    def stub(self, name: str, token: str, inner: str | None, observe: bool, trace: bool = False) -> Any:
        """A function whose value the grader computes: only plain data crosses, never code.

        ``inner`` (a namespace name, looked up now) is called first and its value sent along:
        every stub has the same shape, so none can be told from another by what it holds.
        An observing stub returns ``inner``'s value itself and only keeps its last call's
        arguments, sent with the request's reply (no round trip per call); kept before
        ``inner`` runs, so a call that raised is observed too. A tracing one also keeps every
        call's numbers as one row (see ``_trace``), sent as one array with the reply.
        """
        local_fn = self.ns.get(inner) if inner else None
        ask, observed, worker = self.ask, self.observed, self

        def stub(*args: Any, **kwargs: Any) -> Any:
            if observe:
                record = observed.setdefault(token, [args, kwargs, [] if trace else None])
                record[0], record[1] = args, kwargs
            local = local_fn(*args, **kwargs) if local_fn is not None else None
            if observe:
                if trace:
                    started = _cpu()
                    _trace(record, (*args, *kwargs.values()), local)
                    worker.student_cpu -= _cpu() - started
                return local
            return ask(token, args, kwargs, local)

        stub.__name__ = stub.__qualname__ = name
        stub.__module__ = "__main__"
        # a code object of its own, named as the function it stands for: two stubs never
        # share one (``f.__code__ is g.__code__`` for two stubbed names told the
        # isolated run apart), and none is named after this factory
        stub.__code__ = stub.__code__.replace(co_name=name, co_qualname=name)
        return stub

    def ask(self, token: str, args: tuple, kwargs: dict, local: Any) -> Any:
        """Send a callback request mid-call and wait for the grader's plain-data answer."""
        if self.sock is None:
            raise RuntimeError("no grader to ask")
        started = _cpu()
        try:
            plain, _ = to_plain({"args": list(args), "kwargs": kwargs, "local": local})
            protocol.send(self.sock, {"callback": token, "call": plain, "id": self.request_id})
            answer = protocol.recv(self.sock)
        finally:
            self.student_cpu -= _cpu() - started
        if type(answer) is not dict or answer.get("id") != self.request_id:
            raise RuntimeError("the grader's answer was lost")
        if "error" in answer:
            raise TypeError(str(answer["error"]))
        return answer.get("value")

    def reply(self, msg: dict, result: Any) -> dict:
        """The plain-data reply for a successful request."""
        if msg.get("keep"):
            h = self.keep(result)
            return {"status": "ok", "value": h, "type_name": h.type_name}
        value, name = to_plain(result)
        return {"status": "ok", "value": value, "type_name": name}


def _trace(record: list[Any], arguments: tuple, result: Any) -> None:
    """One call's numbers as a row: every argument, then every part of the result, flattened
    to floats (copied now: a loop that updates its arrays in place changes them later). A call
    that holds anything else, or a trace past ``MAX_TRACE_ROWS``, leaves no trace at all."""
    import numpy

    rows = record[2]
    if rows is None:
        return
    parts = (*arguments, *(result if isinstance(result, (list, tuple)) else (result,)))
    try:
        row = numpy.concatenate([numpy.ravel(numpy.asarray(v, dtype=float)) for v in parts])
    except Exception:  # noqa: BLE001 - not numbers: nothing to follow
        record[2] = None
        return
    if len(rows) >= protocol.MAX_TRACE_ROWS or (rows and len(row) != len(rows[0])):
        record[2] = None
        return
    rows.append(row)


def _stacked(rows: list | None) -> Any:
    import numpy

    return numpy.stack(rows) if rows else None


def _kind(v: Any) -> str:
    if isinstance(v, type):
        return "class"
    if isinstance(v, types.ModuleType):
        return "module"
    if callable(v) and isinstance(
        v, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)
    ):
        return "function"
    return "value"


def _run_worker(
    sock: socket.socket, output_fd: int, ns: dict, seed: int, handle_base: int, pristine: dict
) -> None:
    """Serve calls on ``sock`` until the grader closes it; never returns."""
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        sandbox.die_with_parent()
        sandbox.scope_signals()  # cannot signal the builder (or anything outside this process tree)
        capture = Capture(output_fd)
        helpers.seed(seed)
        worker = _Worker(ns, handle_base, sock)
        me = os.getpid()
        while True:
            try:
                msg = protocol.recv(sock)
            except EOFError:  # the grader closed: a normal end
                os._exit(0)
            failure = None
            worker.request_id = msg.get("id")
            try:
                result = worker.run(msg)
            except BaseException as exc:  # noqa: BLE001 - the student's failure is the call's result
                failure = exc
            if os.getpid() != me:  # a process the student forked returns here: it must not reply
                os._exit(0)
            _restore(builtins.__dict__, pristine)  # our own code below needs the real len, str...
            if failure is None:
                reply = worker.reply(msg, result)
            else:
                status, detail = _failure(failure)
                reply = {"status": status, "error": student_error(failure), "detail": detail}
            if worker.observed:
                reply["observed"] = {
                    token: to_plain({"args": list(args), "kwargs": kwargs, "local": _stacked(rows)})[0]
                    for token, (args, kwargs, rows) in worker.observed.items()
                }
                worker.observed.clear()
            capture.reset()
            reply["id"] = msg["id"]
            reply["cpu"] = [max(worker.student_cpu, 0.0), _total()]
            worker.student_cpu = 0.0
            try:
                protocol.send(sock, reply)
            except protocol.ProtocolError as exc:
                protocol.send(
                    sock,
                    {
                        "status": "error",
                        "id": msg["id"],
                        "error": {"type": "ProtocolError", "message": str(exc), "traceback": []},
                    },
                )
            if reply["status"] == "exited":
                os._exit(0)
    finally:
        os._exit(BROKEN)  # only reached when our own code failed


def _restore(d: dict, pristine: dict) -> None:
    """Put ``d`` back to ``pristine`` (a call's patches to builtins last for that call only)."""
    for k in [k for k in d if k not in pristine]:
        del d[k]
    d.update(pristine)
