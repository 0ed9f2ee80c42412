"""The grader's own errors: what it cannot do for the person who ran it.

Every error the grader raises on purpose derives from :class:`GraderError`, and the ``grader``
command catches it once (``grader.cli.main``): the person reads one message, not a traceback.
A fault in a *submission* is never one of these: it is a ``Problem`` in that submission's
report, or a check's verdict (``CheckFailed``, ``StudentCallFailed``), and grading goes on.

This module imports nothing: the student runtime and the student kit import it too.
"""

from __future__ import annotations


class GraderError(Exception):
    """Something the grader was asked to do cannot be done: a rubric that does not add up, a
    worksheet it cannot fill, a kit that would give something away, a sandbox too weak ...

    ``exit_status`` is what the ``grader`` command exits with (1 unless a subcommand
    documents another).
    """

    exit_status: int = 1
