"""Find each task's part of a notebook from its headings.

A markdown cell whose first line names a task id ("### Question 1.4", "**Q1.4**", "Task 3.6:",
"1.4 Numerical gradient") opens that task's section; the section runs until the next cell
that opens another task. Output evidence and written answers are read from sections, so a
student who moves cells around still gets credit where the heading says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from grader.notebook import Cell, Submission

_LEAD = r"^[\s#>*_|-]*(?:(?:question|task|exercise|problem|part|q)\s*[.:#-]?\s*)?"


@dataclass(frozen=True)
class Section:
    task: str
    heading: Cell
    cells: tuple[Cell, ...]  # the cells after the heading, up to the next task's heading

    @property
    def outputs_text(self) -> str:
        return "\n".join(o.text for c in self.cells if c.cell_type == "code" for o in c.outputs)

    @property
    def images(self) -> int:
        return sum(len(o.images) for c in self.cells if c.cell_type == "code" for o in c.outputs)

    @property
    def markdown(self) -> str:
        """The student's prose: markdown after the heading, and any answer in the heading cell."""
        parts = [_answer_in_heading(self.heading.source)]
        parts += [c.source for c in self.cells if c.cell_type == "markdown"]
        return "\n\n".join(p.strip() for p in parts if p.strip())


def task_pattern(task_id: str) -> re.Pattern[str]:
    return re.compile(_LEAD + re.escape(task_id) + r"(?!\d|\.\d)", re.IGNORECASE)


def find_sections(submission: Submission, task_ids: Sequence[str]) -> dict[str, Section]:
    """Sections of the tasks whose headings appear; the last heading of a task wins."""
    patterns = {t: task_pattern(t) for t in task_ids}
    openers: list[tuple[int, str]] = []
    for position, cell in enumerate(submission.cells):
        if cell.cell_type != "markdown":
            continue
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        for task, pattern in patterns.items():
            if pattern.search(first_line):
                openers.append((position, task))
                break
    sections = {}
    cells = submission.cells
    for k, (position, task) in enumerate(openers):
        end = openers[k + 1][0] if k + 1 < len(openers) else len(cells)
        sections[task] = Section(task, cells[position], tuple(cells[position + 1 : end]))
    return sections


_ANSWER = re.compile(r"(?:\*\*|__)?\s*(?:answer|réponse|response)\s*(?:\*\*|__)?\s*[:.-]", re.IGNORECASE)


def _answer_in_heading(source: str) -> str:
    """Students often answer under the question in the heading's own cell: everything after
    the heading line counts, or after an "Answer:" marker when there is one."""
    match = _ANSWER.search(source)
    if match:
        return source[match.end() :]
    lines = source.strip().splitlines()
    return "\n".join(lines[1:])
