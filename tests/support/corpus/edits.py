"""Edit a model notebook the way a student's notebook differs from it.

Each function takes a notebook (nbformat v4 node, edited in place) and changes one thing:
a definition replaced by a variant, a cell inserted, outputs changed, a heading reworded.
Cells are found by what they define (``ast``) or by the task section they belong to (as the
grader finds sections, ``grader.notebook.sections``), never by position, so the corpus survives
changes to the reference notebook's layout.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat import v4

from grader.assignments.a2.evidence import SECTION_RULES, TASK_IDS
from grader.notebook.model import Cell, Submission
from grader.notebook.sections import Section, banner_pattern, find_sections, task_pattern


class EditError(LookupError):
    """The model notebook does not have what an edit looks for: the corpus must be updated."""


def _definitions(source: str) -> dict[str, tuple[int, int]]:
    """Top-level def/class name -> (first line incl. decorators, last line), 1-based."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found[node.name] = (first, node.end_lineno or node.lineno)
    return found


def defining_cell(nb: nbformat.NotebookNode, name: str) -> int:
    """Index of the last code cell whose top-level statements define ``name``."""
    hits = [
        k
        for k, c in enumerate(nb.cells)
        if c.cell_type == "code" and name in _definitions(c.source)
    ]
    if not hits:
        raise EditError(f"no code cell defines {name!r}")
    return hits[-1]


def replace_definition(nb: nbformat.NotebookNode, name: str, variant: str) -> None:
    """Replace the definition of ``name`` (only that part of its cell) with ``variant``."""
    k = defining_cell(nb, name)
    lines = nb.cells[k].source.split("\n")
    first, last = _definitions(nb.cells[k].source)[name]
    new = textwrap.dedent(variant).strip("\n").split("\n")
    nb.cells[k].source = "\n".join(lines[: first - 1] + new + lines[last:])


def remove_definition(nb: nbformat.NotebookNode, name: str) -> None:
    replace_definition(nb, name, "")


def insert_code(
    nb: nbformat.NotebookNode, at: int, source: str, *, count: int | None = None, outputs=()
) -> None:
    """Insert a code cell before position ``at`` (executed with ``count`` if given)."""
    cell = v4.new_code_cell(
        textwrap.dedent(source).strip("\n"), execution_count=count, outputs=list(outputs)
    )
    nb.cells.insert(at, _as_saved(nb, cell))


def insert_markdown(nb: nbformat.NotebookNode, at: int, text: str) -> None:
    nb.cells.insert(at, _as_saved(nb, v4.new_markdown_cell(textwrap.dedent(text).strip())))


def _as_saved(nb: nbformat.NotebookNode, cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Cells have ids only from nbformat 4.5 on (Colab saves 4.0 without them)."""
    if nb.nbformat_minor < 5:
        cell.pop("id", None)
    return cell


def _section(nb: nbformat.NotebookNode, task: str) -> Section:
    cells = tuple(
        Cell(k, c.cell_type, c.source, c.get("execution_count"), ()) for k, c in enumerate(nb.cells, start=1)
    )
    sections = find_sections(Submission(path=Path("corpus.ipynb"), identity=None, cells=cells), TASK_IDS, SECTION_RULES)
    if task not in sections:
        raise EditError(f"no section for task {task}")
    return sections[task]


def heading_cell(nb: nbformat.NotebookNode, task: str) -> int:
    """Index of the cell that opens ``task``, as the grader finds it."""
    return _section(nb, task).heading.index - 1


def section_cells(nb: nbformat.NotebookNode, task: str) -> list[int]:
    """Indices of the (whole) cells after the task's opening cell, in its section."""
    return list(dict.fromkeys(c.index - 1 for c in _section(nb, task).cells))


def section_code_cells(nb: nbformat.NotebookNode, task: str) -> list[nbformat.NotebookNode]:
    return [nb.cells[k] for k in section_cells(nb, task) if nb.cells[k].cell_type == "code"]


def rename_heading(nb: nbformat.NotebookNode, task: str, line: str) -> None:
    """Replace the line that opens the task (its banner or heading; the rest of the cell stays)."""
    k = heading_cell(nb, task)
    lines = nb.cells[k].source.split("\n")
    opener = next(
        (n for n, text in enumerate(lines) if banner_pattern(task).search(text) or task_pattern(task).search(text)),
        None,
    )
    if opener is None:
        raise EditError(f"task {task} is not opened by a heading line")
    lines[opener] = line
    nb.cells[k].source = "\n".join(lines)


def map_outputs(nb: nbformat.NotebookNode, task: str, change: Callable[[list], list]) -> None:
    """Replace the outputs of every code cell of the task's section by ``change(outputs)``."""
    for cell in section_code_cells(nb, task):
        cell.outputs = change(list(cell.outputs))


def without_images(outputs: list) -> list:
    return [o for o in outputs if not any(m.startswith("image/") for m in o.get("data", {}))]


def edit_stream_text(outputs: list, change: Callable[[str], str]) -> list:
    for o in outputs:
        if o.output_type == "stream":
            o.text = change(o.text)
    return outputs


def renumber(nb: nbformat.NotebookNode) -> None:
    """Execution counts 1, 2, 3... in cell order, as "Restart & Run All" leaves them."""
    n = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            n += 1
            cell.execution_count = n
            for o in cell.outputs:
                if o.output_type == "execute_result":
                    o.execution_count = n


def replace_in_sources(nb: nbformat.NotebookNode, old: str, new: str) -> None:
    """Replace ``old`` in every code cell that holds it (a student adapting their own cells)."""
    hits = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
    if not hits:
        raise EditError(f"no code cell holds {old!r}")
    for cell in hits:
        cell.source = cell.source.replace(old, new)


def set_counts(nb: nbformat.NotebookNode, counts) -> None:
    """Give the code cells these execution counts, in cell order (None for null)."""
    counts = iter(counts)
    for cell in nb.cells:
        if cell.cell_type == "code":
            n = next(counts)
            cell.execution_count = n
            for o in cell.outputs:
                if o.output_type == "execute_result":
                    o.execution_count = n


def strip_run(nb: nbformat.NotebookNode) -> None:
    """As if never run: no execution counts, no outputs."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = []
