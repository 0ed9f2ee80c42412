"""The student runtime: a submission's namespace in an isolated process, called with plain data.

Process model: one *zygote* per grader process (a ``python -I`` interpreter with a scrubbed
environment that pre-imports the worker code and the pack's preloads: numpy by default, a
pack's own stack such as torch) forks one *launcher* per ``StudentRuntime``, which enters the
submission's PID, IPC, mount and network namespaces (``namespaces``) and forks the *builder* into them; the builder
confines itself (rlimits, private cwd, unprivileged uid of its own, Landlock, no Unix
sockets), executes the statements it is given (``Code``), then only forks *call workers*. The
grader watches the submission's budgets (time, memory of all its processes, disk,
statements: ``Limits``, the one source of every limit, the sandbox's included). A hang,
exit, crash or memory blow-up costs the worker; the next call gets a fresh fork with the
same namespace and the defines replayed. Each statement and call ends with a ``RunStatus``.

On the grader's side, ``student.StudentRuntime`` drives one submission: ``spawner`` starts
the zygote and talks to the processes it forks, ``reaper`` kills them, ``protocol`` checks
every reply, and ``isolation`` says which layers grading with hidden checks relies on.

Wire format (``protocol``): JSON header plus raw array buffers, validated on decode; nothing
is unpickled or executed on the grader's side. Handles name objects kept in the worker; they
do not survive a restart (nor do defines that captured them).

    with StudentRuntime([Code(cell=1, line=1, source="...")], files={"data.mat": blob}) as rt:
        rt.outcomes                      # one BuildOutcome per statement
        rt.call("loss_gradient", X, Y, W, b)
        net = rt.call("Net", keep=True).value
        rt.call("@forward", net, as_tensor(batch))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from grader.errors import ProtocolError, RuntimeFailure
from grader.runtime.results import (
    STATUSES,
    BuildOutcome,
    CallResult,
    Code,
    Limits,
    RunStatus,
    StudentError,
)

if TYPE_CHECKING:
    from grader.runtime.isolation import (
        REQUIRED_LAYERS,
        SandboxTooWeak,
        missing_layers,
        probe_isolation,
    )
    from grader.runtime.protocol import Handle, Opaque, as_tensor
    from grader.runtime.spawner import prestart
    from grader.runtime.student import Stub, StudentRuntime

#: The names whose modules import numpy and the process machinery, imported on first use
#: (PEP 562): a pack's declaration reads ``Limits`` before the zygote starts, and must not wait
#: for them.
_LAZY = {
    "REQUIRED_LAYERS": "isolation",
    "SandboxTooWeak": "isolation",
    "missing_layers": "isolation",
    "probe_isolation": "isolation",
    "Handle": "protocol",
    "Opaque": "protocol",
    "as_tensor": "protocol",
    "prestart": "spawner",
    "Stub": "student",
    "StudentRuntime": "student",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "REQUIRED_LAYERS",
    "STATUSES",
    "BuildOutcome",
    "CallResult",
    "Code",
    "Handle",
    "Limits",
    "Opaque",
    "ProtocolError",
    "RunStatus",
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
