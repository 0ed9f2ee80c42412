"""A2 checks of the saved outputs: the evidence for tasks that ask for figures, tables and logs.

Each rule looks in the task's own section of the notebook (found from its heading, see
``grader.notebook.sections``); only a notebook with no recognisable task heading at all is searched
whole (the report then carries a ``no-task-headings`` problem), so that a figure elsewhere
does not count for a task whose heading is missing.
"""

from __future__ import annotations

import re

from grader.api import (
    Cell,
    CheckFailed,
    CheckSet,
    Context,
    Counterexample,
    Figure,
    Section,
    find_sections,
    has_headings,
)
from grader.assignments.a2.sections import SECTION_RULES, TASK_IDS

CHECKS = CheckSet()


def evidence(task: str, name: str):
    return CHECKS.check(task, name, uses_reference=False, runtime=False)


def section(ctx: Context, task: str) -> Section:
    """The task's section; the whole notebook when it has no task headings at all."""
    found = find_sections(ctx.submission, TASK_IDS, SECTION_RULES)
    if not has_headings(found):
        return Section(task, Cell(0, "markdown", ""), ctx.submission.cells)
    if task not in found:
        raise CheckFailed(
            f"no heading for task {task} found in the notebook, so its outputs could not be located",
            Counterexample("the notebook's headings", f"a heading naming task {task}", ", ".join(sorted(found))),
        )
    return found[task]


MIN_FIGURE_PIXELS = 50  # width and height: a figure, not a pixel pasted into the JSON


def figures(part: Section) -> list[Figure]:
    """The section's saved images that can be figures: at least 50 x 50 pixels (an image whose
    size cannot be read is not counted), each image once however often it was pasted."""
    cells = [c for c in (part.heading, *part.cells) if c.cell_type == "code"]
    found: dict[str, Figure] = {}
    for figure in (f for c in cells for o in c.outputs for f in o.figures):
        if (figure.width or 0) >= MIN_FIGURE_PIXELS and (figure.height or 0) >= MIN_FIGURE_PIXELS:
            found.setdefault(figure.digest, figure)
    return list(found.values())


def need_images(ctx: Context, task: str, count: int, what: str) -> None:
    part = section(ctx, task)
    found = len(figures(part))
    if found < count:
        ignored = part.images - found
        note = (
            f" ({ignored} image(s) smaller than {MIN_FIGURE_PIXELS}x{MIN_FIGURE_PIXELS} pixels, unreadable or repeated do not count)"
            if ignored > 0 else ""
        )
        raise CheckFailed(
            (f"no saved {what} found in the outputs of task {task}" if not found
             else f"{found} saved figure(s) in the outputs of task {task}, expected {count} ({what})") + note,
            Counterexample(f"outputs of task {task}", f"at least {count} figure(s)", f"{found}"),
        )


#: The handout's lines, as printed (case, spacing and a final period may vary), each on one
#: line: ``[^\S\n]`` is a space that does not end the line, so no match tries on from one line
#: start across a run of blank lines (``^\s*`` would, in time quadratic in the run). The success
#: line may follow a label of the student's (``print('gradcheck:', ...)``).
SUCCESS_LINE = re.compile(
    r"(?<!\w)SUCCESS[^\S\n]*:[^\S\n]*Passed[^\S\n]+(?:the[^\S\n]+)?grad(?:ient)?[^\S\n]*check\b",
    re.IGNORECASE,
)
FAILURE_LINE = re.compile(r"^[^\S\n]*FAILURE\b", re.IGNORECASE | re.MULTILINE)


@evidence("1.4", "evidence.gradcheck_success")
def gradcheck_success(ctx: Context) -> None:
    """The saved output of the gradient check has the handout's success line, and no failure line."""
    text = section(ctx, "1.4").outputs_text
    if not SUCCESS_LINE.search(text) or FAILURE_LINE.search(text):
        shown = "FAILURE" if FAILURE_LINE.search(text) else "no gradcheck result"
        raise CheckFailed(
            "the notebook's saved output does not show `SUCCESS: Passed gradcheck.`",
            Counterexample("outputs of task 1.4", "SUCCESS: Passed gradcheck.", shown),
        )


@evidence("1.5", "evidence.training_figure")
def training_figure(ctx: Context) -> None:
    """Task 1.5 shows the decision boundary and the error curves."""
    need_images(ctx, "1.5", 1, "decision boundary and error curves")


@evidence("1.6", "evidence.runs_table")
def runs_table(ctx: Context) -> None:
    """Task 1.6 shows a table of the final errors of 5 runs: a run a row (5 rows of two errors or
    more), or a run a column (2 rows of five or more: a transposed table, a DataFrame with the
    runs as columns, two printed lists)."""
    part = section(ctx, "1.6")
    counts = [len(_NUMBER.findall(line)) for line in part.outputs_text.splitlines()]
    counts += [_table_numbers(line) for line in part.answer.splitlines()]
    rows, columns = sum(n >= 2 for n in counts), sum(n >= 5 for n in counts)
    if rows < 5 and columns < 2:
        raise CheckFailed(
            "no table of 5 runs (final training and validation errors) found in task 1.6",
            Counterexample("outputs and text of task 1.6", "5 rows with two errors each (or 5 columns)", f"{rows} row(s)"),
        )


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\s*%?")
_CELL_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?\s*%?")  # a decimal comma in French tables


def _table_numbers(line: str) -> int:
    """How many cells of a markdown table row are numbers (| 1 | 12.5 | 13,0 |): prose that
    happens to hold numbers is not a table (0)."""
    if "|" not in line:
        return 0
    cells = [c.strip().strip("*$") for c in line.strip().strip("|").split("|")]
    return sum(bool(_CELL_NUMBER.fullmatch(c)) for c in cells)


@evidence("1.8", "evidence.hidden_units_figures")
def hidden_units_figures(ctx: Context) -> None:
    """Task 1.8 shows decision boundaries per h and the two summary figures."""
    need_images(ctx, "1.8", 3, "decision boundaries for each h and the two error figures")


@evidence("3.1", "evidence.training_images")
def training_images(ctx: Context) -> None:
    """Task 3.1 shows training images."""
    need_images(ctx, "3.1", 1, "training images")


_TEST_LINE = re.compile(r"Test set: Average loss: ([\d.]+), Accuracy: (\d+)/(\d+) \(([\d.]+)%\)")


@evidence("3.4", "evidence.training_log")
def training_log(ctx: Context) -> None:
    """Task 3.4's log shows 20 test evaluations of the ConvNet."""
    part = section(ctx, "3.4")
    evaluations = _TEST_LINE.findall(part.outputs_text)
    if len(evaluations) < 20:
        raise CheckFailed(
            f"the saved training log of task 3.4 shows {len(evaluations)} test evaluation(s), expected 20 (one per epoch)",
            Counterexample("outputs of task 3.4", "20 lines `Test set: Average loss: …, Accuracy: …`", f"{len(evaluations)}"),
        )
    ctx.note(f"final test accuracy {float(evaluations[-1][3]):g}%")


@evidence("3.5", "evidence.filters_figure")
def filters_figure(ctx: Context) -> None:
    """Task 3.5 shows the 16 first-layer filters."""
    need_images(ctx, "3.5", 1, "first-layer filters")
