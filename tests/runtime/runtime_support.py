"""Build runtime inputs directly from code strings, without the notebook reader."""

from __future__ import annotations

import ast
import textwrap

from grader.source import Statement


def statements_from_code(*cells: str) -> list[Statement]:
    """Split each cell (1-based, in order) into its top-level statements, all marked "run"."""
    out = []
    for number, cell in enumerate(cells, 1):
        cell = textwrap.dedent(cell)
        lines = cell.splitlines()
        for node in ast.parse(cell).body:
            first = (
                node.decorator_list[0].lineno
                if getattr(node, "decorator_list", None)
                else node.lineno
            )
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
