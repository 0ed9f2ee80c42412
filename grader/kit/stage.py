"""Which files of the engine and of one assignment pack the kit ships, laid out as a source tree.

Modules ship when the check path reaches them: the imports (module-level or inside
functions) of the kit's own ``cli.py``, of the runtime's processes (started by name, not
imported) and of the pack, followed through the ``grader`` package. So an instructor-only
module (batch grading, similarity, Gradescope, this kit) stays out without being listed, and
the pack's instructor-only modules (``Pack.instructor_files``: hidden checks...), imported only
by name and only with the reference, are never reached; the pack's declared public check
modules (``Pack.checks``) are scanned from too, since the engine imports them by name. Data
files ship with the package that holds them, but for the instructor-only ones (the engine's
below, the pack's). A pack outside the engine (``examples.toypack``) ships the same way,
under its own package path, from wherever it was located. The reference solution is never
looked at.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import grader
from grader.assignment import LocatedPack

#: Started by name in a fresh interpreter (the runtime's zygote and the processes it forks).
PROCESS_ROOTS = ("grader.runtime.zygote", "grader.runtime.worker")
#: Data files only instructors use (paths relative to the ``grader`` package).
INSTRUCTOR_DATA = ("reports/templates/summary.html",)
KIT_CLI = "package/cli.py"  # the kit's `grader` command, in templates/
#: ``grader/assignments/__init__.py`` in the kit: ``grader check`` checks the kit's own pack.
KIT_DEFAULT = '''"""The assignment this student kit checks (written by ``grader student-kit``)."""

DEFAULT = {name!r}
'''


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


def _roots(located: LocatedPack) -> dict[str, Path]:
    """Top-level package -> its folder, for the engine and the pack."""
    roots = {"grader": engine_root()}
    roots.setdefault(located.top, located.root / located.top)
    return roots


def _module_file(module: str, roots: dict[str, Path]) -> Path | None:
    parts = module.split(".")
    if parts[0] not in roots:
        return None
    base = roots[parts[0]].joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(source: str, tops: set[str]) -> set[str]:
    """Every module of ``tops`` a source names in an import statement, wherever it stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)  # a submodule, maybe
    return {m for m in found if m.split(".")[0] in tops}


def _instructor_only(located: LocatedPack) -> frozenset[str]:
    """File names the kit never ships: the pack's rubric (the kit has a public one) and its
    instructor-only files."""
    pack = located.pack
    return frozenset({pack.rubric, *pack.instructor_files})


def _reached(located: LocatedPack) -> set[Path]:
    """The files of every module the check path can import, engine's and pack's."""
    roots = _roots(located)
    excluded = _instructor_only(located)
    checks = [importlib.util.resolve_name(name, located.module) for name in located.pack.checks]
    pending = [*PROCESS_ROOTS, located.module, *checks]
    pending += _imports(template(KIT_CLI), set(roots))
    seen: set[str] = set()
    files: set[Path] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        pending += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages
        path = _module_file(module, roots)
        if path is None or path.name in excluded:
            continue
        files.add(path)
        pending += _imports(path.read_text(encoding="utf-8"), set(roots))
    return files


def check_path_modules(located: LocatedPack) -> list[str]:
    """Files (relative to the ``grader`` package) of every engine module the check path can import."""
    root = engine_root()
    return sorted(p.relative_to(root).as_posix() for p in _reached(located) if p.is_relative_to(root))


def pack_files(located: LocatedPack) -> list[str]:
    """Files of a pack that lives outside the engine (relative to the folder holding its
    top-level package): the modules the check path reaches and the pack folder's data files.
    Empty for a pack shipped with the engine."""
    top = located.top
    if top == "grader":
        return []
    package = _roots(located)[top]
    modules = {p for p in _reached(located) if p.is_relative_to(package)}
    folder = located.folder
    data = {
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix not in (".py", ".pyc")
        and "__pycache__" not in p.parts
        and p.name not in _instructor_only(located)
        and next(q for q in p.parents if (q / "__init__.py").is_file()) == folder
    }
    return sorted(p.relative_to(located.root).as_posix() for p in modules | data)


def data_files(modules: list[str], excluded: frozenset[str]) -> list[str]:
    """Non-Python files of the shipped packages (and their data folders), minus instructor-only
    ones (``excluded``: file names)."""
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
                and path.name not in excluded
            ):
                found.add(relative)
    return sorted(found)


def engine_files(located: LocatedPack) -> list[str]:
    """Paths, relative to the ``grader`` package, of the engine and pack files that ship."""
    modules = check_path_modules(located)
    return sorted(modules + data_files(modules, _instructor_only(located)))


def stage(dest: Path, located: LocatedPack, *, rubric_toml: str) -> StagedTree:
    """Copy the shipped ``grader`` package (and an outside pack's files) into ``dest``, with the
    kit's cli, the public rubric, and ``grader.assignments.DEFAULT`` naming this pack."""
    src = engine_root()
    package = dest / "grader"
    copies = [(src / f, package / f) for f in engine_files(located)]
    copies += [(located.root / f, dest / f) for f in pack_files(located)]
    for source, target in copies:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    written = {
        package / "cli.py": template(KIT_CLI),
        dest.joinpath(*located.module.split("."), located.pack.rubric): rubric_toml,
        package / "assignments" / "__init__.py": KIT_DEFAULT.format(name=located.name),
    }
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    return StagedTree(dest, tuple(files))
