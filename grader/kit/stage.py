"""Which files of the engine and of one assignment pack the kit ships, laid out as a source tree.

Modules ship when the check path reaches them: the imports (module-level or inside
functions) of the kit's own ``cli.py``, of the runtime's processes (started by name, not
imported) and of the pack, followed through the ``grader`` package. So an instructor-only
module (batch grading, similarity, Gradescope, this kit) stays out without being listed, and
the pack's ``hidden.py`` and ``diagnosis.py``/``mistakes.py``, imported only by name and only
with the reference, are never reached. Data files ship with the package that holds them, but for the instructor-only ones
below. The reference solution lives outside ``grader/`` and is never looked at.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import grader

#: Started by name in a fresh interpreter (the runtime's zygote and the processes it forks).
PROCESS_ROOTS = ("grader.runtime.zygote", "grader.runtime.worker")
#: Data files only instructors use (paths relative to the ``grader`` package).
INSTRUCTOR_DATA = ("reports/templates/summary.html",)
#: Modules of an assignment pack built on the reference: hidden checks, the catalogue of known
#: mistakes (variants of the reference), the diagnoser that uses it, and the reference's results
#: the hidden checks compare with.
PACK_INSTRUCTOR_MODULES = ("hidden.py", "mistakes.py", "diagnosis.py", "reference_values.py")
#: Files of an assignment pack that only instructors get; rubric.toml is replaced by the public one.
PACK_INSTRUCTOR_ONLY = (*PACK_INSTRUCTOR_MODULES, "rubric.toml", "reference_values.npz")
KIT_CLI = "package/cli.py"  # the kit's `grader` command, in templates/


@dataclass(frozen=True)
class StagedTree:
    root: Path  # holds the grader/ package (the build adds pyproject.toml and README.md)
    files: tuple[str, ...]  # paths relative to root


def engine_root() -> Path:
    """The directory of the ``grader`` package being packed (a checkout or an install)."""
    return Path(grader.__file__).resolve().parent


def template(name: str) -> str:
    """A text file from this package's ``templates/`` folder."""
    return resources.files("grader.kit").joinpath("templates", name).read_text(encoding="utf-8")


def _module_file(module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] != "grader":
        return None
    base = engine_root().joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(source: str) -> set[str]:
    """Every ``grader`` module a source names in an import statement, wherever it stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)  # a submodule, maybe
    return {m for m in found if m.split(".")[0] == "grader"}


def check_path_modules(assignment: str) -> list[str]:
    """Files (relative to the ``grader`` package) of every module the check path can import."""
    pending = [*PROCESS_ROOTS, f"grader.assignments.{assignment}"]
    pending += _imports(template(KIT_CLI))
    seen: set[str] = set()
    files: set[Path] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        pending += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages
        path = _module_file(module)
        if path is None or path.name in PACK_INSTRUCTOR_ONLY:
            continue
        files.add(path)
        pending += _imports(path.read_text(encoding="utf-8"))
    root = engine_root()
    return sorted(p.relative_to(root).as_posix() for p in files)


def data_files(modules: list[str]) -> list[str]:
    """Non-Python files of the shipped packages (and their data folders), minus instructor-only ones."""
    root = engine_root()
    packages = {root / Path(m).parent for m in modules if m.endswith("__init__.py")}
    found = set()
    for package in packages:
        for path in package.rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            owner = next(p for p in path.parents if (p / "__init__.py").is_file())
            relative = path.relative_to(root).as_posix()
            if (
                owner == package
                and relative not in INSTRUCTOR_DATA
                and path.name not in PACK_INSTRUCTOR_ONLY
            ):
                found.add(relative)
    return sorted(found)


def engine_files(assignment: str) -> list[str]:
    """Paths, relative to the ``grader`` package, of the engine and pack files that ship."""
    modules = check_path_modules(assignment)
    return sorted(modules + data_files(modules))


def stage(dest: Path, assignment: str, *, rubric_toml: str) -> StagedTree:
    """Copy the shipped ``grader`` package into ``dest``, with the kit's cli and public rubric."""
    src = engine_root()
    package = dest / "grader"
    for relative in engine_files(assignment):
        target = package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / relative, target)
    written = {
        package / "cli.py": template(KIT_CLI),
        package / "assignments" / assignment / "rubric.toml": rubric_toml,
    }
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    return StagedTree(dest, tuple(files))
