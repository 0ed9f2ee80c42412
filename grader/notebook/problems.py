"""Problems found in a submission: reported to the student, never raised at the grader."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from grader.common.bounds import safe_text

#: Budgets of the student runtime that stop a submission's code: what was left did not run.
BUDGET_STOPS = frozenset({"time-budget", "memory-budget"})

#: Problems that stop the grader from seeing or running part of the work: the file could not be
#: read, a cell does not parse, there is no code, the runtime did not start or a budget stopped
#: it, two submissions claim one student. Every other problem is a *note* (the file name, run
#: order, a missing authorship statement, format details): worth fixing, but the work was
#: graded all the same, so a note alone does not make a self-check "not ready".
BLOCKING = frozenset({
    "missing-file", "not-a-file", "unreadable-file", "too-large", "empty-file", "not-utf8",
    "invalid-json", "not-a-notebook", "unsupported-format", "empty-notebook", "syntax-error",
    "no-code", "statement-budget", "too-many-cells", "runtime-failed", *BUDGET_STOPS,
    "identity-shared",
})  # fmt: skip


#: The blocking problems that mean the notebook itself could not be read: no grade is made from
#: such a submission (no total, no marking row, no Moodle grade) until a person has looked at
#: it. The others (a cell that does not parse, a budget stop, two submissions claiming one
#: student) cost what they cost and still need a person, but the work that was read is graded.
UNREAD = frozenset({
    "missing-file", "not-a-file", "unreadable-file", "too-large", "empty-file", "not-utf8",
    "invalid-json", "not-a-notebook", "unsupported-format", "empty-notebook",
})  # fmt: skip


class Severity(StrEnum):
    """What a problem costs: ``report.json``'s problem ``kind``."""

    BLOCKING = "blocking"  # the grader could not see part of the work (``BLOCKING``)
    NOTE = "note"  # worth fixing, but the work was graded all the same


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", safe_text(self.message))

    @property
    def blocking(self) -> bool:
        """The grader could not see part of the work (see ``BLOCKING``); else a note."""
        return self.code in BLOCKING

    @property
    def severity(self) -> Severity:
        return Severity.BLOCKING if self.blocking else Severity.NOTE

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "cell": self.cell,
            "line": self.line,
            "kind": str(self.severity),
        }
