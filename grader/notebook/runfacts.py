"""How the saved notebook was run (``RunFacts``: cells never run, run out of order, saved
errors, the authorship statement) and the problems that say so, placeholders left included."""

from __future__ import annotations

import ast
import re

from grader.notebook.magics import neutralise
from grader.notebook.model import DEFAULT_OPTIONS, Cell, ReadOptions, RunFacts
from grader.notebook.problems import Problem


def run_facts(cells: tuple[Cell, ...], options: ReadOptions = DEFAULT_OPTIONS) -> RunFacts:
    """What the saved notebook says about how it was run, in notebook (cell) order."""
    code = [c for c in cells if c.cell_type == "code" and c.source.strip()]
    counted = [c for c in code if c.execution_count is not None]
    # Counts cleared with every output kept (a tool's export) say nothing about what ran; a
    # cell without a count is "never run" only when it also has no output.
    cleared = not counted and any(c.outputs for c in code)
    never_run = () if cleared else tuple(c.index for c in code if c.execution_count is None and not c.outputs)
    # Every count 0 (as some exports save them) says nothing about the order.
    constant = len(counted) > 1 and {c.execution_count for c in counted} == {0}
    out_of_order: list[int] = []
    highest: int | None = None
    for index, count in [(c.index, c.execution_count) for c in code if c.execution_count is not None and not constant]:
        if highest is not None and count <= highest:
            out_of_order.append(index)
        highest = count if highest is None else max(highest, count)
    errors = tuple(c.index for c in code if any(o.output_type == "error" for o in c.outputs))
    return RunFacts(
        never_run_cells=never_run,
        out_of_order=tuple(out_of_order),
        error_cells=errors,
        has_authorship=_has_authorship(cells, options),
        not_run=bool(code) and len(never_run) == len(code),
    )


def _has_authorship(cells: tuple[Cell, ...], options: ReadOptions) -> bool:
    tail = [c for c in cells if c.source.strip()][-options.authorship_window :]
    for cell in tail:
        signed = any(re.search(p, cell.source) for p in options.authorship_patterns)
        blank = any(re.search(p, cell.source) for p in options.unsigned_patterns)
        if signed and not blank:
            return True
    return False


def placeholder_problems(cells: tuple[Cell, ...], options: ReadOptions) -> list[Problem]:
    left = [
        c.index
        for c in cells
        if c.cell_type == "code"
        and any(re.search(p, c.source, re.MULTILINE) for p in options.placeholder_patterns)
        and _unfinished(c.source)
    ]
    if not left:
        return []
    cells_text = _cell_list(left)
    return [
        Problem(
            "placeholder-left",
            f"{cells_text[0].upper()}{cells_text[1:]} still hold{'s' if len(left) == 1 else ''} the "
            "template's placeholder (\"WRITE YOUR CODE HERE\"): a task there may be unfinished.",
            cell=left[0],
        )
    ]


def _unfinished(source: str) -> bool:
    """A cell holding the placeholder is unfinished when nothing but the placeholder is there: no
    code, or a function whose body does nothing (students often leave the handout's
    ``#  WRITE YOUR CODE HERE  #`` block above the code they wrote)."""
    try:
        tree = ast.parse(neutralise(source)[0])  # %%time and !pip become Python first
    except (SyntaxError, ValueError, RecursionError):
        return True
    if not tree.body:
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and "NotImplementedError" in ast.unparse(node):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            if all(isinstance(s, ast.Pass) or (isinstance(s, ast.Return) and s.value is None) for s in body):
                return True
    return False


def _cell_list(cells: list[int]) -> str:
    """[4, 7, 9] → "cells 4, 7 and 9"."""
    if len(cells) == 1:
        return f"cell {cells[0]}"
    shown = [str(c) for c in cells[:12]]
    more = f" and {len(cells) - 12} more" if len(cells) > 12 else ""
    if more:
        return f"cells {', '.join(shown)}{more}"
    return f"cells {', '.join(shown[:-1])} and {shown[-1]}"


def fact_problems(cells: tuple[Cell, ...], facts: RunFacts) -> list[Problem]:
    by_index = {c.index: c for c in cells}
    problems = []
    if facts.not_run:
        problems.append(
            Problem(
                "not-run",
                "The notebook was never run: no code cell has an execution count. "
                "Hand in the notebook after running it (Kernel → Restart & Run All), so that its "
                "outputs and figures are there.",
            )
        )
    elif facts.never_run_cells:
        cells_text = _cell_list(list(facts.never_run_cells))
        problems.append(
            Problem(
                "never-run",
                f"{cells_text[0].upper()}{cells_text[1:]} {'was' if len(facts.never_run_cells) == 1 else 'were'} "
                "never run, so their outputs are missing.",
                cell=facts.never_run_cells[0],
            )
        )
    if facts.out_of_order:
        first = by_index[facts.out_of_order[0]]
        earlier = max(
            (c for c in cells if c.index < first.index and c.execution_count is not None),
            key=lambda c: c.execution_count or 0,
            default=first,
        )
        problems.append(
            Problem(
                "out-of-order",
                f"Cells were run out of order: {_cell_list(list(facts.out_of_order))} ran before a cell "
                f"above (cell {first.index} has [{first.execution_count}], cell {earlier.index} above it "
                f"has [{earlier.execution_count}]). The grader rebuilds your code in cell order: run "
                "the notebook top to bottom (Restart & Run All) before handing it in.",
                cell=first.index,
            )
        )
    for index in facts.error_cells:
        error = next(o for o in by_index[index].outputs if o.output_type == "error")
        problems.append(
            Problem(
                "saved-error",
                f"Cell {index} ended with an error: {error.text.split(':', 1)[0]}.",
                cell=index,
            )
        )
    if not facts.has_authorship:
        problems.append(
            Problem(
                "no-authorship",
                "No signed authorship statement found near the end of the notebook "
                '(e.g. "I, Jane Doe, certify that this is my own work.").',
            )
        )
    return problems
