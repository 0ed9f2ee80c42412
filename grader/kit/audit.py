"""The last gate before a kit leaves the instructor: nothing secret may be in it.

Secret: the reference solution (its files, and the source of its functions), hidden checks
(the module and every hidden check's name) and the expected written answers. The kit is
built from an allow-by-default file list, so this scan of the built files, not the list, is
what guarantees it; ``build_kit`` refuses to hand over a kit that fails it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
import textwrap
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment

#: Reference modules that are not solution: the handout's own code, which students are given.
HANDED_OUT = ("handout",)
MIN_LINE = 40  # shorter solution lines (``return x @ W + b``) are too common to be evidence


@dataclass(frozen=True)
class Secrets:
    hidden_checks: tuple[str, ...]
    answers: tuple[str, ...]  # expected written answers, whitespace-normalised
    # (function, a distinctive line of its body), each pair once
    solution_lines: tuple[tuple[str, str], ...]
    reference: str | None = None  # the reference package's import name: no file under it ships
    instructor_files: tuple[str, ...] = ()  # the pack's instructor-only file names (Pack)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def secrets_of(instructor: Assignment) -> Secrets:
    """What an instructor's assignment (loaded with the reference) holds that students must not get."""
    rubric = instructor.rubric
    hidden = tuple(c.name for t in rubric.tasks for c in t.checks if c.visibility == "hidden")
    answers = tuple(normalise(t.expected_answer) for t in rubric.tasks if t.expected_answer)
    lines: list[tuple[str, str]] = []
    if instructor.reference is not None:
        lines = list(solution_lines(instructor.reference.__name__))
    pack = instructor.pack
    return Secrets(hidden, answers, tuple(lines), pack.reference, pack.instructor_files)


def solution_lines(package: str) -> list[tuple[str, str]]:
    """Every long enough line of every function body in the reference package's modules."""
    root = importlib.import_module(package)
    names = [package] + [f"{package}.{m.name}" for m in pkgutil.iter_modules(root.__path__)]
    found = []
    for name in names:
        if name.rsplit(".", 1)[-1] in HANDED_OUT:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        source = Path(spec.origin).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = textwrap.dedent(
                    "\n".join(
                        ast.get_source_segment(source, s, padded=True) or "" for s in node.body
                    )
                )
                for line in body.splitlines():
                    line = line.strip()
                    if len(line) >= MIN_LINE and not line.startswith(("#", '"""', "'''")):
                        found.append((f"{name}.{node.name}", line))
    return list(dict.fromkeys(found))


def wheel_contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist() if not info.is_dir()}


def leaks(files: Mapping[str, bytes], secrets: Secrets) -> list[str]:
    """One line per secret found in ``files`` (path -> content); empty when the kit is clean."""
    found = []
    for path, content in files.items():
        parts = path.split("/")
        if secrets.reference in parts or parts[-1] in secrets.instructor_files:
            found.append(f"{path}: an instructor-only file")
        text = content.decode("utf-8", errors="ignore")
        flat = normalise(text)
        found += [
            f"{path}: names the hidden check {n!r}" for n in secrets.hidden_checks if n in text
        ]
        found += [
            f"{path}: holds an expected answer ({a[:40]}...)" for a in secrets.answers if a in flat
        ]
        lines = {line.strip() for line in text.splitlines()}
        found += [
            f"{path}: holds the body of the reference's {f}"
            for f in _copied_functions(lines, secrets)
        ]
    return found


def _copied_functions(lines: set[str], secrets: Secrets) -> list[str]:
    """Reference functions with at least two (or all, if fewer) distinctive lines in ``lines``.

    One shared line (``path.parent.mkdir(parents=True, exist_ok=True)``) is a coincidence;
    two lines of the same function are a copy.
    """
    total: dict[str, int] = {}
    hits: dict[str, int] = {}
    for function, line in secrets.solution_lines:
        total[function] = total.get(function, 0) + 1
        hits[function] = hits.get(function, 0) + (line in lines)
    return sorted(f for f in total if hits[f] >= min(2, total[f]))
