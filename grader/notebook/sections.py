"""Find each task's part of a notebook from its headings, as the handout lays them out.

A task opens at a line of a markdown cell that names it:

- a banner anywhere in the cell: ``### :: TASK 1.1 ::`` (the real handout; ``:: TASK 2.2 ::``
  stands in the middle of the "## Pooling" cell), with or without Colab's ``▼``;
- a heading line (``#``…, or bold) naming the task: ``### Question 1.4``, ``**Q1.4**``;
- the cell's first line naming the task: ``Task 3.6:``, ``1.4 Numerical gradient``;
  (these two only for a task that has no banner anywhere: an answer's line ``**1.2** …`` must
  not open task 1.2 in a notebook with the handout's banners)
- a pack's own heading for a task without a banner (:class:`SectionRules.headings`: a task that
  is a section titled in the handout's words, "Training the network…");
- failing all that, a pack's code anchor (:class:`SectionRules.anchors`): the first code cell
  that matches, e.g. the cell that runs ``fit(…)``.

A section runs until the next task opens or a *boundary*: another ``:: … ::`` banner
(``:: SAMPLE TASK ::``) or a heading of level 1 or 2 (``## Pooling``, ``## AUTHORSHIP
STATEMENT``) that is not an answer's own heading; one that names nothing (``### ::###::``,
``## ::  ::``, ``# ######``: an answer frame made a heading) is no boundary. Markdown cells are
split at those lines, so the text of a cell before a mid-cell heading stays with the section
above it.

Written answers. The handout frames each answer cell with lines of ``#####`` around ``WRITE YOUR
ANSWER HERE``: those lines (and any line of ``#`` and ``:`` only) and the placeholder are
removed, whatever the student kept. An answer is the cleaned markdown after the question;
students who answer inside the question cell are read after an ``Answer:`` marker or an answer
frame, and when no markdown cell follows the question at all, the question cell's text is shown
whole, so that no answer is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grader.common.bounds import clip_middle
from grader.notebook.model import Cell, Submission

# No two unbounded repeats that can take the same characters stand side by side (``\s*[.:#-]?\s*``
# retries every split of a run of spaces), and none under ``^`` with MULTILINE crosses a line
# end: every pattern here reads a text in time linear in its length (tests/engine/test_linear_patterns.py).
_LEAD = r"^[\s#>*_|▼▶►-]*(?:(?:question|task|exercise|problem|part|q)\s*(?:[.:#-]\s*)?)?"
_HEADING_LINE = re.compile(r"^\s*(?:#{1,6}\s|\*\*|__)")
_BOUNDARY_HEADING = re.compile(r"^\s*#{1,2}\s+\S")
_BANNER = re.compile(r"::([^:\n]{1,62})::")
_ANSWER_HEADING = re.compile(r"(?i)^\s*#+[\s*_]*(?:my\s+)?(?:answer|réponse|reponse|solution|response)\b")
_FRAME = re.compile(r"^\s*#[#:\s]*$")  # ``#####``, or marks only: ``### ::###::``, ``# ######``
# The frame run before the placeholder is taken from its start only (the lookbehind), not
# again from each of its characters.
_PLACEHOLDER = re.compile(r"(?i)(?:(?<![#\s])[#\s]*)?write\s+your\s+answer\s+here[#\s]*")
_ANSWER_MARKER = re.compile(
    r"(?im)^(?:[^\S\n]|[>*_#])*(?:my\s+)?(?:answer|réponse|reponse|response|solution)[\s*_]*[:.\-–—][*_]*"
)


@dataclass(frozen=True)
class SectionRules:
    """What a pack tells about its notebooks' layout: every task id (a student's view of the
    rubric drops some, but their headings still end the task above), and its own headings and
    code anchors, as regexes."""

    tasks: tuple[str, ...] = ()
    headings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # task -> on a heading line
    anchors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # task -> on a code cell


NO_RULES = SectionRules()


@dataclass(frozen=True)
class TaskLayout:
    """What a pack tells the similarity engine (``Pack.similarity``): its task ids, how to find
    their sections, and which graded definitions belong to a task wherever they are written
    (name -> task id). Here, not in ``grader.similarity``, so that a pack declares it without
    importing the instructor-only similarity engine."""

    tasks: tuple[str, ...] = ()
    rules: SectionRules = NO_RULES
    owners: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    task: str
    heading: Cell  # the cell that opens the task; its source starts at the opening line
    cells: tuple[Cell, ...]  # what follows, up to the next task or boundary (markdown may be a part of a cell)
    anchored: bool = False  # opened by a code anchor, not a heading

    # What a check reads is clipped (``bounds.clip_middle``): checks run in the grader's own
    # process, whatever a notebook saved.

    @property
    def outputs_text(self) -> str:
        return clip_middle("\n".join(o.text for c in self.code_cells for o in c.outputs))

    @property
    def images(self) -> int:
        return sum(len(o.images) for c in self.code_cells for o in c.outputs)

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        opener = (self.heading,) if self.heading.cell_type == "code" else ()
        return opener + tuple(c for c in self.cells if c.cell_type == "code")

    @property
    def question(self) -> str:
        """The heading cell's text after the opening line: the question (and maybe an answer)."""
        if self.heading.cell_type != "markdown":
            return ""
        return "\n".join(self.heading.source.splitlines()[1:]).strip()

    @property
    def answer(self) -> str:
        """The student's written answer, without the handout's frames and placeholder."""
        markdown = [c for c in self.cells if c.cell_type == "markdown"]
        after = [a for a in (clean_answer(c.source) for c in markdown) if a]
        inside = _answer_in_question(self.question, whole=not markdown)
        return clip_middle("\n\n".join(p for p in (inside, *after) if p))

    @property
    def prose(self) -> str:
        """Every markdown word of the section, the question included (numbers are searched here)."""
        parts = [self.question] + [c.source for c in self.cells if c.cell_type == "markdown"]
        return clip_middle("\n\n".join(p.strip() for p in parts if p.strip()))

    @property
    def text(self) -> str:
        """What a check that reads the task sees: its prose, then its code cells' outputs."""
        return "\n\n".join(p for p in (self.prose, self.outputs_text.strip()) if p)


def clean_answer(text: str) -> str:
    """A markdown answer without the ``#####`` frame lines and the WRITE YOUR ANSWER HERE blank."""
    lines = [line for line in text.splitlines() if not _FRAME.match(line)]
    cleaned = _PLACEHOLDER.sub(" ", "\n".join(lines))
    return cleaned.strip() if re.search(r"\w", cleaned) else ""


def _answer_in_question(question: str, *, whole: bool) -> str:
    """An answer typed inside the question cell: after a marker or a frame; else the whole cell
    text when no markdown cell follows the question at all (``whole``: the student replaced the
    answer cell by typing into the question's)."""
    marker = _ANSWER_MARKER.search(question)
    if marker:
        return clean_answer(question[marker.end() :])
    lines = question.splitlines()
    frame = next((k for k, line in enumerate(lines) if _FRAME.match(line)), None)
    if frame is not None:
        return clean_answer("\n".join(lines[frame:]))
    return clean_answer(question) if whole else ""


def task_pattern(task_id: str) -> re.Pattern[str]:
    """A line that names ``task_id`` at its start (``### Question 1.4``, ``**Q1.4**``, ``1.4 …``)."""
    return re.compile(_LEAD + re.escape(task_id) + r"(?!\d|\.\d)", re.IGNORECASE)


def banner_pattern(task_id: str) -> re.Pattern[str]:
    """The handout's ``:: TASK 1.4 ::`` banner, anywhere in a line."""
    return re.compile(
        r"::\s*(?:(?:task|question|exercise)\s*)?" + re.escape(task_id) + r"(?!\d|\.\d)\s*::", re.IGNORECASE
    )


@dataclass(frozen=True)
class _Mark:
    """A line where a section opens (``task``) or a boundary closes one (``task`` None)."""

    position: int  # index in submission.cells
    line: int  # 0-based line in that cell
    task: str | None


def has_headings(sections: Mapping[str, Section]) -> bool:
    """Some task was found by a heading (a notebook found by code anchors alone has none)."""
    return any(not s.anchored for s in sections.values())


def find_sections(
    submission: Submission, task_ids: Sequence[str], rules: SectionRules = NO_RULES
) -> dict[str, Section]:
    """Sections of the tasks whose headings (or anchors) appear; the last heading of a task wins,
    but a task's heading right after its own (an answer that repeats the banner) goes on with
    the section it would reopen."""
    cells = submission.cells
    found = _marks(cells, task_ids, rules)
    opened = {m.task for m in found if m.task}
    found += _anchor_marks(cells, [t for t in task_ids if t not in opened], rules, found)
    found.sort(key=lambda m: (m.position, m.line))
    marks: list[_Mark] = []
    for mark in found:
        if not (mark.task is not None and marks and marks[-1].task == mark.task):
            marks.append(mark)
    sections: dict[str, Section] = {}
    for k, mark in enumerate(marks):
        if mark.task is None:
            continue
        end = marks[k + 1] if k + 1 < len(marks) else _Mark(len(cells), 0, None)
        sections[mark.task] = _section(cells, mark, end, anchored=cells[mark.position].cell_type == "code")
    return sections


def _marks(cells: Sequence[Cell], task_ids: Sequence[str], rules: SectionRules) -> list[_Mark]:
    """Openers and boundaries, in order. A task that has a banner somewhere is opened by its
    banners only, so that an answer line such as ``**1.2** follows from…`` opens nothing."""
    banners = {t: banner_pattern(t) for t in task_ids}
    markdown = [c.source for c in cells if c.cell_type == "markdown"]
    bannered = {t for t in task_ids if any(banners[t].search(text) for text in markdown)}
    headings = {t: task_pattern(t) for t in task_ids if t not in bannered}
    extra = {t: [re.compile(p, re.IGNORECASE) for p in rules.headings.get(t, ())] for t in headings}
    marks = []
    for position, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        first = True
        for number, line in enumerate(cell.source.splitlines()):
            if not line.strip():
                continue
            task = _task_on_line(line, first, banners, headings, extra)
            first = False
            if task is not None:
                marks.append(_Mark(position, number, task))
            elif _is_boundary(line):
                marks.append(_Mark(position, number, None))
    return marks


def _task_on_line(line, first, banners, headings, extra) -> str | None:
    for task, banner in banners.items():
        if banner.search(line):
            return task
    heading = bool(_HEADING_LINE.match(line))
    for task in headings:
        if (first or heading) and headings[task].search(line):
            return task
        if heading and any(p.search(line) for p in extra[task]):
            return task
    return None


def _is_boundary(line: str) -> bool:
    """A banner or heading ends a section only if it names something: ``### ::###::`` or
    ``## ::  ::`` is an answer frame a student turned into a heading, inside their answer."""
    if any(re.search(r"\w", inside) for inside in _BANNER.findall(line)):
        return True
    return bool(_BOUNDARY_HEADING.match(line)) and bool(re.search(r"\w", line)) and not _ANSWER_HEADING.match(line)


def _anchor_marks(
    cells: Sequence[Cell], tasks: Sequence[str], rules: SectionRules, marks: list[_Mark]
) -> list[_Mark]:
    """Tasks without a heading open at the first code cell matching one of their anchors."""
    found = []
    taken = {m.position for m in marks}
    for task in tasks:
        patterns = [re.compile(p, re.MULTILINE) for p in rules.anchors.get(task, ())]
        for position, cell in enumerate(cells):
            if cell.cell_type == "code" and position not in taken and any(p.search(cell.source) for p in patterns):
                found.append(_Mark(position, 0, task))
                taken.add(position)
                break
    return found


def _section(cells: Sequence[Cell], start: _Mark, end: _Mark, *, anchored: bool) -> Section:
    opener = cells[start.position]
    stop_line = end.line if end.position == start.position else None
    heading = _part(opener, start.line, stop_line)
    parts = []
    if end.position > start.position:
        parts = [c for c in cells[start.position + 1 : end.position]]
        if end.position < len(cells) and end.line > 0:
            before = _part(cells[end.position], 0, end.line)
            if before.source.strip():
                parts.append(before)
    return Section(start.task or "", heading, tuple(parts), anchored=anchored)


def _part(cell: Cell, first: int, stop: int | None) -> Cell:
    """Lines [first, stop) of a markdown cell as a cell of its own (same index)."""
    if cell.cell_type != "markdown" or (first == 0 and stop is None):
        return cell
    lines = cell.source.splitlines()
    return Cell(cell.index, cell.cell_type, "\n".join(lines[first:stop]))
