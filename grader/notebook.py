"""Read a submitted notebook: cells, saved outputs, the student's identity, and problems.

Reading never raises on bad input: a corrupt, truncated or misnamed notebook becomes a
``Submission`` whose ``problems`` say what is wrong, so that a batch always goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.problems import Problem


@dataclass(frozen=True)
class Identity:
    last_name: str
    first_name: str


@dataclass(frozen=True)
class Output:
    """One saved output of a code cell, reduced to what evidence rules look at."""

    output_type: str  # stream | execute_result | display_data | error
    text: str  # stream text, text/plain, or "EName: message" for errors
    images: tuple[str, ...] = ()  # MIME types of images in it (image/png, image/jpeg, image/svg+xml)


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position in the notebook, as a student counts cells
    cell_type: str  # code | markdown | raw
    source: str
    execution_count: int | None = None
    outputs: tuple[Output, ...] = ()


@dataclass
class Submission:
    path: Path
    identity: Identity | None
    cells: tuple[Cell, ...]
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.cell_type == "code")

    @property
    def markdown_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.cell_type == "markdown")
