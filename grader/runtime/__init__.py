"""The student runtime: a submission's namespace in an isolated process, called with plain data.

See ``client.StudentRuntime``. Nothing the runtime sends back is unpickled or executed: the
wire format (``protocol``) carries JSON and raw array buffers only.
"""

from grader.runtime.client import RuntimeFailure, StudentRuntime
from grader.runtime.protocol import Handle, Opaque, ProtocolError, as_tensor
from grader.runtime.results import BuildOutcome, CallResult, Limits, StudentError

__all__ = [
    "BuildOutcome",
    "CallResult",
    "Handle",
    "Limits",
    "Opaque",
    "ProtocolError",
    "RuntimeFailure",
    "StudentError",
    "StudentRuntime",
    "as_tensor",
]
