"""Runtime test helpers: inputs built directly from code strings (without the notebook reader),
and whether a process the runtime started is still alive."""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path

from grader.runtime import Code

#: The preloads of a runtime whose submissions import torch (the engine's default is numpy
#: only): a confined process can import torch only if the zygote imported it before forking.
TORCH_STACK = ("numpy", "scipy", "scipy.io", "scipy.signal", "matplotlib", "matplotlib.pyplot",
               "torch", "torch.nn", "torchvision", "torchvision.transforms")


def statements_from_code(*cells: str) -> list[Code]:
    """Split each cell (1-based, in order) into its top-level statements, all to be run."""
    out = []
    for number, cell in enumerate(cells, 1):
        cell = textwrap.dedent(cell)
        lines = cell.splitlines()
        for node in ast.parse(cell).body:
            first = node.lineno
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
                first = node.decorator_list[0].lineno
            out.append(Code(number, first, "\n".join(lines[first - 1 : node.end_lineno])))
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def descendants(root: int) -> set[int]:
    """Live descendants of ``root``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and alive(int(entry)):
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            out.add(child)
            stack.append(child)
    return out
