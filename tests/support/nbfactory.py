"""Build notebooks for tests in one line each.

A cell spec is one of:

- ``"x = 1"`` — a code cell (never run, unless ``run=True``);
- ``("markdown", text)`` or ``("raw", text)``;
- ``("code", source)``, ``("code", source, execution_count)`` or
  ``("code", source, execution_count, [outputs])`` — outputs are dicts, or made with ``stream``,
  ``result``, ``display`` / ``image`` and ``error`` below.

``make_notebook([...], run=True)`` numbers the code cells that have no count 1, 2, 3...
in order, as "Restart & Run All" would; ``version=3`` gives an old-format notebook.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import v4

CellSpec = str | tuple


def stream(text: str, name: str = "stdout") -> nbformat.NotebookNode:
    return v4.new_output("stream", name=name, text=text)


def result(text: str, execution_count: int | None = None) -> nbformat.NotebookNode:
    return v4.new_output(
        "execute_result", data={"text/plain": text}, execution_count=execution_count
    )


def display(data: dict[str, str]) -> nbformat.NotebookNode:
    return v4.new_output("display_data", data=data)


def image(
    mime: str = "image/png", text: str = "<Figure size 640x480 with 1 Axes>"
) -> nbformat.NotebookNode:
    payload = (
        "<svg xmlns='http://www.w3.org/2000/svg'/>" if mime == "image/svg+xml" else "iVBORw0KGgo="
    )
    return display({mime: payload, "text/plain": text})


def error(
    ename: str = "NameError", evalue: str = "name 'x' is not defined"
) -> nbformat.NotebookNode:
    return v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _cell(spec: CellSpec) -> nbformat.NotebookNode:
    if isinstance(spec, str):
        return v4.new_code_cell(spec)
    kind, source, *rest = spec
    if kind == "markdown":
        return v4.new_markdown_cell(source)
    if kind == "raw":
        return v4.new_raw_cell(source)
    if kind != "code":
        raise ValueError(f"unknown cell kind {kind!r}")
    count = rest[0] if rest else None
    outputs = [nbformat.from_dict(o) for o in rest[1]] if len(rest) > 1 else []
    return v4.new_code_cell(source, execution_count=count, outputs=outputs)


def make_notebook(
    cells: list[CellSpec], *, run: bool = False, version: int = 4
) -> nbformat.NotebookNode:
    """A notebook of ``cells`` (see the module docstring) in nbformat ``version``."""
    notebook = v4.new_notebook(
        cells=[_cell(spec) for spec in cells],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    if run:
        counts = [
            c.execution_count for c in notebook.cells if c.cell_type == "code" and c.execution_count
        ]
        next_count = max(counts, default=0) + 1
        for cell in notebook.cells:
            if cell.cell_type == "code" and cell.execution_count is None:
                cell.execution_count, next_count = next_count, next_count + 1
    return nbformat.convert(notebook, version) if version != 4 else notebook


def write_notebook(path: Path, cells: list[CellSpec] | nbformat.NotebookNode, **options) -> Path:
    """Write a notebook (or ``make_notebook(cells, **options)``) to ``path``; returns ``path``."""
    notebook = (
        cells if isinstance(cells, nbformat.NotebookNode) else make_notebook(cells, **options)
    )
    path = Path(path)
    path.write_text(nbformat.writes(notebook, version=nbformat.NO_CONVERT), encoding="utf-8")
    return path
