"""Runtime test helpers: inputs built directly from code strings (without the notebook reader),
and whether a process the runtime started is still alive."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from grader.source import Statement


def statements_from_code(*cells: str) -> list[Statement]:
    """Split each cell (1-based, in order) into its top-level statements, all marked "run"."""
    out = []
    for number, cell in enumerate(cells, 1):
        cell = textwrap.dedent(cell)
        lines = cell.splitlines()
        for node in ast.parse(cell).body:
            decorators = getattr(node, "decorator_list", None)
            first = decorators[0].lineno if decorators else node.lineno
            source = "\n".join(lines[first - 1 : node.end_lineno])
            names = tuple(
                n.id
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            )
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                names = (node.name,)
            out.append(Statement(number, first, source, "run", "test", names))
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
