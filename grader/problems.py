"""Problems found in a submission: reported to the student, never raised at the grader."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Something wrong with how a submission was handed in or run.

    ``code`` is a stable identifier that tools group by (``invalid-json``, ``bad-filename``,
    ``never-run``, ``syntax-error``, ...); ``message`` is the sentence a student reads.
    ``cell`` is the 1-based position of the cell in the notebook, ``line`` 1-based in that cell.
    """

    code: str
    message: str
    cell: int | None = None
    line: int | None = None

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "cell": self.cell, "line": self.line}
