"""The student runtime: a submission's namespace in an isolated process, called with plain data.

Process model: one *zygote* per grader process (a ``python -I`` interpreter with a scrubbed
environment that pre-imports numpy, scipy, matplotlib, torch, torchvision and the worker
code) forks one *launcher* per ``StudentRuntime``, which enters the submission's PID, IPC,
mount and network namespaces (``namespaces``) and forks the *builder* into them; the builder
confines itself (rlimits, private cwd, unprivileged uid of its own, Landlock, no Unix
sockets), executes the "run" statements, then only forks *call workers*. The grader watches
the submission's budgets (time, memory of all its processes, disk, statements: ``Limits``). A hang, exit, crash or memory blow-up costs the
worker; the next call gets a fresh fork with the same namespace and the defines replayed.

Wire format (``protocol``): JSON header plus raw array buffers, validated on decode; nothing
is unpickled or executed on the grader's side. Handles name objects kept in the worker; they
do not survive a restart (nor do defines that captured them).

    with StudentRuntime(statements, files={"data.mat": blob}) as rt:
        rt.outcomes                      # one BuildOutcome per "run" statement
        rt.call("gradient_nn", X, Y, Wi, bi, Wo, bo)
        net = rt.call("ConvNet", keep=True).value
        rt.call("@forward", net, as_tensor(batch))
"""

from grader.runtime.client import (
    REQUIRED_LAYERS,
    RuntimeFailure,
    SandboxTooWeak,
    Stub,
    StudentRuntime,
    missing_layers,
    prestart,
    probe_isolation,
)
from grader.runtime.protocol import Handle, Opaque, ProtocolError, as_tensor
from grader.runtime.results import BuildOutcome, CallResult, Limits, StudentError

__all__ = [
    "REQUIRED_LAYERS",
    "BuildOutcome",
    "CallResult",
    "Handle",
    "Limits",
    "Opaque",
    "ProtocolError",
    "RuntimeFailure",
    "SandboxTooWeak",
    "Stub",
    "StudentError",
    "StudentRuntime",
    "as_tensor",
    "missing_layers",
    "prestart",
    "probe_isolation",
]
