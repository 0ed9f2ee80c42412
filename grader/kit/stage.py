"""Which files of the engine and of one assignment pack the kit ships, laid out as a source tree.

Everything under ``grader/`` ships except what only an instructor runs (listed below, so a
new engine module reaches students by default and the check path keeps importing), the
other assignment packs, and the pack's instructor-only files: ``hidden.py`` (hidden checks
and their oracles) and ``rubric.toml`` (replaced by the public rubric). The reference
solution lives outside ``grader/`` and is never looked at.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import grader

#: Engine paths (relative to the ``grader`` package) that only instructors use.
INSTRUCTOR_ONLY = (
    "batch.py",  # grades a whole class
    "cli.py",  # replaced by the kit's own `grader` command: `check` only
    "similarity/",  # compares submissions with each other
    "kit/",  # builds this kit
    "reports/summary.py",  # the class summary page
    "reports/gradebook.py",  # the class gradebook
    "reports/templates/summary.html",
)
#: Files of an assignment pack that only instructors get.
PACK_INSTRUCTOR_ONLY = ("hidden.py", "rubric.toml")
SKIPPED_PARTS = ("__pycache__",)
SKIPPED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class StagedTree:
    root: Path  # holds the grader/ package (the build adds pyproject.toml and README.md)
    files: tuple[str, ...]  # paths relative to root


def engine_root() -> Path:
    """The directory of the ``grader`` package being packed (a checkout or an install)."""
    return Path(grader.__file__).resolve().parent


def shipped(relative: str, assignment: str) -> bool:
    """Whether the file ``grader/<relative>`` goes into the kit of ``assignment``."""
    parts = relative.split("/")
    if any(p in SKIPPED_PARTS or p.startswith(".") for p in parts) or relative.endswith(
        SKIPPED_SUFFIXES
    ):
        return False
    if any(relative == p or (p.endswith("/") and relative.startswith(p)) for p in INSTRUCTOR_ONLY):
        return False
    if parts[0] == "assignments" and len(parts) > 2:
        return parts[1] == assignment and "/".join(parts[2:]) not in PACK_INSTRUCTOR_ONLY
    return True


def engine_files(assignment: str) -> list[str]:
    """Paths, relative to the ``grader`` package, of the engine and pack files that ship."""
    root = engine_root()
    found = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return sorted(f for f in found if shipped(f, assignment))


def template(name: str) -> str:
    """A text file from this package's ``templates/`` folder."""
    return resources.files("grader.kit").joinpath("templates", name).read_text(encoding="utf-8")


def stage(dest: Path, assignment: str, *, rubric_toml: str) -> StagedTree:
    """Copy the shipped ``grader`` package into ``dest``, with the kit's cli and public rubric."""
    src = engine_root()
    package = dest / "grader"
    for relative in engine_files(assignment):
        target = package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / relative, target)
    written = {
        package / "cli.py": template("package/cli.py"),
        package / "assignments" / assignment / "rubric.toml": rubric_toml,
    }
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    return StagedTree(dest, tuple(files))
