"""Conventions that live in one place: a second copy would drift, so a test finds it.

Each test scans the ``grader`` package's source (or the tree's data files) for the thing
a convention forbids outside its home.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grader

PACKAGE = Path(grader.__file__).parent


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_plots_use_the_object_api_not_pyplot():
    """pyplot's global figures leak between the reports a process draws; ``Figure`` has no state.

    The zygote imports pyplot for the submissions it forks (their code calls ``plt``), never to draw.
    """
    found = []
    for name, tree in modules():
        if name == "runtime/zygote.py":
            continue
        for node in ast.walk(tree):
            imported = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(i.startswith("matplotlib.pyplot") for i in imported) or (
                isinstance(node, ast.Name) and node.id == "plt"
            ):
                found.append(f"{name}:{node.lineno}")
    assert not found, f"pyplot used in grader/: {found}"
