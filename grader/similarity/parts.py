"""Which part of a notebook belongs to which task: the unit copying is judged on.

Copying in a course is one shared function or one shared answer, not a shared notebook, so a
submission is cut into *parts*, one per task, plus ``OTHER`` for what lies outside every task:

- code: the code cells of the task's section (``grader.notebook.sections.find_sections``, with the
  pack's rules), except that a top-level ``def``/``class`` the pack names in
  :attr:`TaskLayout.owners` belongs to its task wherever it is defined (a ``loss_gradient``
  written in the cell of another task is still its own task's). A cell split between parts is
  fingerprinted whole, as the base is, and each fingerprint goes to the part owning its first
  line;
- written answer: ``Section.answer`` (the handout's ``#####`` frames and ``WRITE YOUR ANSWER
  HERE`` removed); outside every task, each markdown cell cleaned the same way.

Every notebook also holds the handout's question texts (the ``QUESTIONS`` part, never scored).
They count for rarity only: a student who left a task unanswered has the question as answer
when no markdown cell follows the question (``Section.answer`` loses no text), and since every
notebook holds that question, it weighs nothing even when no notebook base gives the questions.

The handout's code placeholders (``#  WRITE YOUR CODE HERE  #`` blocks) are comments, which the
code fingerprints never see; the handout's provided code is left out later, per fingerprint,
by the base file. The engine knows no task names: the pack gives them as a ``TaskLayout``
(``Pack.similarity``, read by ``LocatedPack.layout``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from grader.notebook.model import Submission
from grader.notebook.sections import TaskLayout, clean_answer, find_sections

OTHER = "other"  # the part outside every task section
QUESTIONS = "questions"  # the tasks' question texts: never scored, but they count for rarity


NO_LAYOUT = TaskLayout()  # no tasks: a whole notebook is one part


@dataclass(frozen=True)
class TextUnit:
    """One written text: a task's answer or question, or a markdown cell outside the tasks."""

    task: str  # a task id, or OTHER
    cell: int  # the cell it starts in (the task's heading cell for an answer)
    text: str
    question: bool = False  # the task's question (the QUESTIONS part), not an answer


@dataclass(frozen=True)
class Part:
    task: str  # a task id, or OTHER
    code: tuple[tuple[int, frozenset[int]], ...]  # (cell index, the 1-based lines it owns there)
    text: tuple[int, ...]  # positions in the document's text units


@dataclass(frozen=True)
class Split:
    parts: tuple[Part, ...]
    texts: tuple[TextUnit, ...]


def split_tasks(submission: Submission, code: Mapping[int, str], layout: TaskLayout) -> Split:
    """The parts of ``submission``; ``code`` holds its code cells' sources (magics blanked)."""
    sections = find_sections(submission, layout.tasks, layout.rules) if layout.tasks else {}
    home: dict[int, str] = {}  # cell index -> task of the section holding it
    covered: set[int] = set()
    texts: list[TextUnit] = []
    for task, section in sections.items():
        covered.add(section.heading.index)
        for cell in (section.heading, *section.cells):
            covered.add(cell.index)
            if cell.cell_type == "code":
                home[cell.index] = task
        answer = section.answer
        if answer:
            texts.append(TextUnit(task, section.heading.index, answer))
        if section.question:
            texts.append(TextUnit(task, section.heading.index, section.question, question=True))
    for cell in submission.markdown_cells:
        text = clean_answer(cell.source) if cell.index not in covered else ""
        if text:
            texts.append(TextUnit(OTHER, cell.index, text))
    texts.sort(key=lambda u: (u.cell, u.task, u.question))

    pieces: dict[str, list[tuple[int, frozenset[int]]]] = {}
    for index, source in code.items():
        for task, lines in _by_owner(source, home.get(index, OTHER), layout.owners).items():
            pieces.setdefault(task, []).append((index, lines))
    part_of = [QUESTIONS if u.question else u.task for u in texts]
    order = {t: k for k, t in enumerate((*layout.tasks, OTHER, QUESTIONS))}
    tasks = sorted(set(pieces) | set(part_of), key=lambda t: order.get(t, len(order)))
    parts = tuple(
        Part(
            task=t,
            code=tuple(pieces.get(t, ())),
            text=tuple(k for k, part in enumerate(part_of) if part == t),
        )
        for t in tasks
    )
    return Split(parts=parts, texts=tuple(texts))


def _by_owner(source: str, home: str, owners: Mapping[str, str]) -> dict[str, frozenset[int]]:
    """A cell's lines per part: owned top-level definitions go to their task, the rest home."""
    lines = source.split("\n")
    owner_of = [home] * len(lines)
    try:
        body = ast.parse(source).body if owners else []
    except (SyntaxError, ValueError):  # unparsable: the whole cell stays in its section
        body = []
    for node in body:
        if isinstance(node, _DEFINITIONS) and node.name in owners:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            for number in range(first - 1, node.end_lineno or node.lineno):
                owner_of[number] = owners[node.name]
    parts: dict[str, set[int]] = {}
    for number, (task, line) in enumerate(zip(owner_of, lines), start=1):
        if line.strip():
            parts.setdefault(task, set()).add(number)
    return {task: frozenset(numbers) for task, numbers in parts.items()}


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
