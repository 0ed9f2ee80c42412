"""The grader's own errors: what it cannot do for the person who ran it.

Every error the grader raises on purpose derives from :class:`GraderError`, and the ``grader``
command catches it once (``grader.cli.main``): the person reads one message, not a traceback.
A fault in a *submission* is never one of these: it is a ``Problem`` in that submission's
report, or a check's verdict (``CheckFailed``, ``StudentCallFailed``), and grading goes on.

Every such error is declared here, so that one module shows the whole hierarchy; the modules
that raise them import them from here. ``SandboxTooWeak`` (``grader.runtime.isolation``) is the
one exception: its message is built from the sandbox's own table of layers.

This module imports only the standard library: the student runtime and the student kit import
it too.
"""

from __future__ import annotations

import os


class GraderError(Exception):
    """Something the grader was asked to do cannot be done: a rubric that does not add up, a
    worksheet it cannot fill, a kit that would give something away, a sandbox too weak ...

    ``exit_status`` is what the ``grader`` command exits with (1 unless a subcommand
    documents another).
    """

    exit_status: int = 1


# -- what a pack and its rubric can get wrong --------------------------------------------------


class UnknownAssignment(GraderError):
    """No pack by that name, module or path (``grader.assignment.locate``)."""


class RubricError(GraderError, ValueError):
    """The rubric file contradicts itself or the checks it names."""


# -- the command's inputs ----------------------------------------------------------------------


class ConfigError(GraderError):
    """A defaults file the grader cannot apply: nothing runs."""


class LiveNotebookError(GraderError, RuntimeError):
    """The running notebook could not be found: say how to name it."""


class WorksheetError(GraderError, ValueError):
    """The file is not a grading worksheet the grader can fill."""


class MarkingError(GraderError):
    """``grader manual`` could not export or import: nothing was written."""

    exit_status = 2


class ManualMarksError(MarkingError, ValueError):
    """The sheet has rows that cannot be imported; the message lists every one."""

    def __init__(self, source: os.PathLike[str] | str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{source}: nothing imported, {len(problems)} problem(s):\n"
            + "\n".join(f"  {p}" for p in problems)
        )


class MarkingAppError(GraderError):
    """The marking app cannot start: nothing to mark, or the port is taken."""


# -- the student runtime (``SandboxTooWeak``, a ``RuntimeFailure``, says which layers lack) ------


class RuntimeFailure(GraderError, RuntimeError):
    """The runtime machinery itself failed (zygote would not start, builder would not answer)."""


class ProtocolError(GraderError):
    """A message that does not follow the wire format (malformed, oversize, bad dtype...)."""


# -- the student kit ---------------------------------------------------------------------------


class KitRefused(GraderError, RuntimeError):
    """The kit would not work without the project, or would give something away."""


class WheelBuildFailed(GraderError, RuntimeError):
    """pip could not build the kit's wheel (its output says why): the kit is not written."""
