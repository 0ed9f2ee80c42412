"""Turn a notebook's code cells into the statements that rebuild the student's namespace.

Magics and shell escapes are neutralised, each cell is parsed on its own (a syntax error
costs that cell only), and every top-level statement is classified: ``run`` (imports,
definitions, cheap assignments) or ``skip`` with the reason (training, plotting, downloads...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.problems import Problem


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a code cell, as the runtime will execute it."""

    cell: int  # 1-based notebook cell index
    line: int  # 1-based first line within the cell
    source: str  # the statement's Python source (magics already neutralised)
    action: str  # "run" | "skip"
    reason: str  # why: "import", "definition", "cheap assignment", "training loop", ...
    defines: tuple[str, ...] = ()  # names bound by this statement

    @property
    def filename(self) -> str:
        """The name tracebacks show, so that a student finds the cell."""
        return f"<cell {self.cell}>"


@dataclass
class Program:
    statements: list[Statement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def to_run(self) -> list[Statement]:
        return [s for s in self.statements if s.action == "run"]
