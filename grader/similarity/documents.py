"""What of a submission is compared: its parts (each task's code and written answer).

Reading goes through ``grader.notebook.load_submission``, and anything that still goes wrong
reading one notebook (a bug included) costs that notebook only: it comes back with no parts
and the reason, and is listed as not compared. Base files (the handout's template notebook or
a ``.py`` with the provided code, one per course year) are read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.notebook import load_submission
from grader.similarity.parts import NO_LAYOUT, OTHER, Part, TaskLayout, TextUnit, split_tasks

# IPython magics and shell escapes are not Python. Blanking them (rather than rewriting them
# into get_ipython() calls, as grader.notebook.magics.neutralise does to run them) keeps every line
# number of the cell, which the side-by-side view highlights, and adds no tokens at all.
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass(frozen=True)
class Document:
    """One compared file: its parts, and its cells as shown in the side-by-side view."""

    name: str
    path: Path
    parts: tuple[Part, ...] = ()
    cells: dict[int, str] = field(
        default_factory=dict
    )  # code cell index -> source (magics blanked)
    texts: tuple[TextUnit, ...] = ()  # written texts; Part.text holds positions in this
    problems: tuple[str, ...] = ()  # why it could not be compared; empty when it was


def neutralise_magics(source: str) -> str:
    """Blank the lines that are IPython magics or shell escapes (``%matplotlib``, ``!pip``)."""
    return "\n".join("" if _MAGIC.match(line) else line for line in source.split("\n"))


def read_submission(path: Path, name: str, layout: TaskLayout = NO_LAYOUT) -> Document:
    """A notebook as a ``Document``; an unreadable one comes back with no parts and the reason."""
    try:
        submission = load_submission(path)
        if not submission.cells:
            reasons = tuple(p.message for p in submission.problems) or ("no cells could be read",)
            return Document(name=name, path=Path(path), problems=reasons)
        cells = {c.index: neutralise_magics(c.source) for c in submission.code_cells}
        split = split_tasks(submission, cells, layout)
    except Exception as error:  # noqa: BLE001 - one notebook must never stop the class
        reason = f"it could not be read ({type(error).__name__}: {error})"
        return Document(name=name, path=Path(path), problems=(reason,))
    return Document(name=name, path=Path(path), parts=split.parts, cells=cells, texts=split.texts)


def read_base(path: Path) -> Document:
    """The provided code (and, for a notebook, the task statements) to leave out of scores.

    Raises ``ValueError`` when a base notebook cannot be read: unlike a submission, it is the
    instructor's file, and a silently empty base would inflate every score.
    """
    path = Path(path)
    if path.suffix.lower() == ".py":
        source = neutralise_magics(path.read_text(encoding="utf-8"))
        part = Part(
            OTHER, ((1, frozenset()),), ()
        )  # the base keeps every line: see base_fingerprints
        return Document(name=path.name, path=path, parts=(part,), cells={1: source})
    document = read_submission(path, path.name)  # no layout: the whole handout is one part
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
