"""The plain records the runtime shares with the grader: code and limits in, outcomes out.

Imports nothing heavy: a pack's declaration (``Limits``, the default preload) reads it before
the zygote starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

# How a statement or call ended; the values appear in reports (``statement-<status>``).
RunStatus = Literal["ok", "error", "timeout", "exited", "crashed", "memory"]
STATUSES: frozenset[RunStatus] = frozenset(get_args(RunStatus))


#: What the zygote imports when no pack says otherwise: numpy, which the runtime itself uses
#: (``helpers``, ``convert``) and every submission's arrays cross the wire as. A pack adds its
#: own stack (``Pack.preload``: torch & co.). Not only speed: a library that maps more
#: memory than a confined process may (torch maps ~3 GB, see ``sandbox.set_rlimits``) cannot be
#: imported by a submission unless the zygote imported it before forking.
DEFAULT_PRELOAD = ("numpy",)


@dataclass(frozen=True)
class Code:
    """One top-level statement to run in the student's namespace, and where the notebook has it.

    The runtime's own record: the grader turns what its source reader classified as "run"
    into these, so that the runtime needs nothing of how notebooks are read.
    """

    cell: int  # 1-based notebook cell index
    line: int  # 1-based first line within the cell
    source: str  # the statement's Python source (magics already neutralised)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's processes: the one place they are set."""

    call_timeout: float = 10.0  # wall seconds per call
    statement_timeout: float = 5.0  # wall seconds per namespace statement
    cpu_seconds: int = 300  # RLIMIT_CPU per worker process
    memory_bytes: int = (
        2 * 1024**3
    )  # RLIMIT_DATA (RLIMIT_AS can't be used: torch maps ~3.2 GB on import)
    max_processes: int = 32
    max_file_bytes: int = 16 * 1024**2
    max_open_files: int = 256
    max_output_chars: int = 10_000
    # Budgets of the whole submission (every process, the build and every call together).
    submission_seconds: float = 300.0  # wall time from start() to close()
    submission_memory_bytes: int = 4 * 1024**3  # memory of all its processes together (PSS)
    disk_bytes: int = 256 * 1024**2  # its private folder (a tmpfs of this size)
    max_statements: int = 20_000  # statements run to rebuild the namespace


@dataclass(frozen=True)
class StudentError:
    """An exception raised by student code: type, message and the student's own frames."""

    type: str
    message: str
    traceback: tuple[str, ...]  # '<cell 5>, line 3, in loss_gradient'

    def __str__(self) -> str:
        where = f" ({self.traceback[-1]})" if self.traceback else ""
        return f"{self.type}: {self.message}{where}"


@dataclass(frozen=True)
class CallResult:
    """What one call into the runtime produced."""

    status: RunStatus
    value: Any = (
        None  # None, bool, int, float, str, list, tuple, dict[str, ...], np.ndarray, Handle, Opaque
    )
    type_name: str = (
        ""  # the Python type the student returned: "numpy.ndarray", "torch.Tensor", "tuple"
    )
    error: StudentError | None = None
    output: str = ""  # captured stdout+stderr, truncated to max_output_chars with a marker
    detail: str = ""  # a sentence for non-ok statuses: "timed out after 10 s"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class BuildOutcome:
    """How one namespace statement went."""

    statement: Code
    status: RunStatus
    error: StudentError | None
    detail: str
    output: str = ""
    stand_ins: tuple[str, ...] = ()  # modules this machine lacks, imported as stand-ins (runtime.compat)
