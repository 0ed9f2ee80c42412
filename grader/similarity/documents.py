"""What of a submission is compared: its code cells and its written (markdown) answers.

Reading goes through ``grader.notebook.load_submission`` so that a broken notebook becomes
problems rather than an exception; the base file (the handout's template notebook or a
``.py`` with the provided code) is read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.notebook import load_submission

# IPython magics and shell escapes are not Python. Blanking them (rather than rewriting them
# into get_ipython() calls, as grader.source.neutralise does to run them) keeps every line
# number of the cell, which the side-by-side view highlights, and adds no tokens at all.
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass(frozen=True)
class Document:
    """One compared file: code and markdown cells as (1-based cell index, source)."""

    name: str
    path: Path
    code: tuple[tuple[int, str], ...]
    text: tuple[tuple[int, str], ...]
    problems: tuple[str, ...] = field(default=())


def neutralise_magics(source: str) -> str:
    """Blank the lines that are IPython magics or shell escapes (``%matplotlib``, ``!pip``)."""
    return "\n".join("" if _MAGIC.match(line) else line for line in source.split("\n"))


def read_submission(path: Path, name: str) -> Document:
    """A notebook as a ``Document``; unreadable notebooks come back with no cells and problems."""
    submission = load_submission(path)
    code = tuple((c.index, neutralise_magics(c.source)) for c in submission.code_cells)
    text = tuple((c.index, c.source) for c in submission.markdown_cells)
    problems = () if submission.cells else tuple(p.message for p in submission.problems)
    return Document(name=name, path=Path(path), code=code, text=text, problems=problems)


def read_base(path: Path) -> Document:
    """The provided code (and, for a notebook, the task statements) to leave out of scores.

    Raises ``ValueError`` when a base notebook cannot be read: unlike a submission, it is the
    instructor's file, and a silently empty base would inflate every score.
    """
    path = Path(path)
    if path.suffix.lower() == ".py":
        source = neutralise_magics(path.read_text(encoding="utf-8"))
        return Document(name=path.name, path=path, code=((1, source),), text=())
    document = read_submission(path, path.name)
    if document.problems:  # the instructor's own file: say so rather than exclude nothing
        raise ValueError(f"base file {path}: {' '.join(document.problems)}")
    return document


def collect_notebooks(paths: list[Path]) -> list[Path]:
    """Notebooks named directly or found (recursively) in folders, sorted, checkpoints skipped."""
    found: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            found.update(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.add(path)
    return sorted(found)


def display_names(paths: list[Path]) -> list[str]:
    """File names, or paths where two submissions share a file name, so each row is unique."""
    names = [p.name for p in paths]
    duplicated = {n for n in names if names.count(n) > 1}
    return [str(p) if p.name in duplicated else p.name for p in paths]
