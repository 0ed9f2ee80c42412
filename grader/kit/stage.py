"""Which files the kit's two wheels ship, each laid out as a source tree.

The engine wheel (``grader-selfcheck``) is the same for every pack: the modules the check path
reaches from the kit's own ``cli.py``, the runtime's processes (started by name, not imported)
and the public pack API (``grader.api``, what packs import), followed through the ``grader``
package. So an instructor-only module (batch grading, similarity, Gradescope, this kit) stays
out without being listed. Data files ship with the package that holds them, but for the
instructor-only ones (below).

The pack wheel (``<pack>-selfcheck``) ships the modules the pack's ``__init__`` and its declared
public check modules (``Pack.checks``, imported by name) reach inside the pack's own package
(for a pack shipped with the engine, ``grader/assignments/<name>/``; for an outside one, its
whole top-level package), their data files and the public rubric. The pack's instructor-only
modules (``Pack.instructor_files``: hidden checks...), imported only by name and only with the
reference, are never reached; the reference solution is never looked at. A pack that reaches
an engine module the engine wheel does not ship is refused: packs import ``grader.api``.
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
from grader.errors import KitRefused

#: Started by name in a fresh interpreter (the runtime's zygote and the processes it forks).
PROCESS_ROOTS = ("grader.runtime.zygote", "grader.runtime.worker")
#: What packs import of the engine: shipped whole, whichever pack the kit is built for.
PACK_API = "grader.api"
#: Data files only instructors use (paths relative to the ``grader`` package).
INSTRUCTOR_DATA = ("reports/templates/summary.html",)
KIT_CLI = "package/cli.py"  # the kit's `grader` command, in templates/


@dataclass(frozen=True)
class StagedTree:
    root: Path  # the top-level packages (the build adds pyproject.toml and README.md)
    files: tuple[str, ...]  # paths relative to root


def engine_root() -> Path:
    """The directory of the ``grader`` package being packed (a checkout or an install)."""
    return Path(grader.__file__).resolve().parent


def template(name: str) -> str:
    """A text file from this package's ``templates/`` folder."""
    return resources.files("grader.kit").joinpath("templates", name).read_text(encoding="utf-8")


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


def _reached(start: list[str], roots: dict[str, Path], excluded: frozenset[str]) -> set[Path]:
    """The files of every module of ``roots`` (top-level package -> folder) that ``start`` can
    import, and their parent packages; files named in ``excluded`` are neither taken nor read."""
    pending = list(start)
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


def _data_files(modules: set[Path], keep: set[Path], excluded: frozenset[str]) -> set[Path]:
    """Non-Python files of the packages of ``modules`` (and their data folders, but not their
    subpackages), minus the file names in ``excluded``; only packages in ``keep`` folders."""
    packages = {m.parent for m in modules if m.name == "__init__.py"}
    found = set()
    for package in packages:
        if not any(package.is_relative_to(k) for k in keep):
            continue
        for path in package.rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            owner = next(p for p in path.parents if (p / "__init__.py").is_file())
            if owner == package and path.name not in excluded:
                found.add(path)
    return found


def engine_files() -> list[str]:
    """Paths, relative to the ``grader`` package, of the engine wheel's files: the same for
    every pack."""
    root = engine_root()
    start = [*PROCESS_ROOTS, PACK_API, *_imports(template(KIT_CLI), {"grader"})]
    modules = _reached(start, {"grader": root}, frozenset())
    data = {
        p
        for p in _data_files(modules, {root}, frozenset())
        if p.relative_to(root).as_posix() not in INSTRUCTOR_DATA
    }
    return sorted(p.relative_to(root).as_posix() for p in modules | data)


def _instructor_only(located: LocatedPack) -> frozenset[str]:
    """File names the kit never ships: the pack's rubric (the kit has a public one) and its
    instructor-only files."""
    pack = located.pack
    return frozenset({pack.rubric, *pack.instructor_files})


def _pack_home(located: LocatedPack) -> Path:
    """The folder the pack wheel ships from: the pack's own folder when it lives inside the
    engine, else its whole top-level package."""
    return located.folder if located.top == "grader" else located.root / located.top


def pack_files(located: LocatedPack) -> list[str]:
    """Paths, relative to ``located.root``, of the pack wheel's files (but the public rubric,
    written by ``stage_pack``). Raises ``KitRefused`` when the pack reaches an engine module
    that the engine wheel does not ship."""
    roots = {"grader": engine_root()}
    roots.setdefault(located.top, located.root / located.top)
    checks = [importlib.util.resolve_name(name, located.module) for name in located.pack.checks]
    excluded = _instructor_only(located)
    reached = _reached([located.module, *checks], roots, excluded)
    home = _pack_home(located)
    outside = {
        p.relative_to(engine_root()).as_posix()
        for p in reached
        if p.is_relative_to(engine_root()) and not p.is_relative_to(home)
    } - set(engine_files())
    if outside:
        raise KitRefused(
            f"the pack imports engine modules the engine kit does not ship (import {PACK_API} "
            f"instead): {', '.join(sorted(outside))}"
        )
    modules = {p for p in reached if p.is_relative_to(home)}
    files = modules | _data_files(modules, {located.folder}, excluded)
    return sorted(p.relative_to(located.root).as_posix() for p in files)


def _finish(dest: Path, copies: list[tuple[Path, Path]], written: dict[Path, str]) -> StagedTree:
    for source, target in copies:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    return StagedTree(dest, tuple(files))


def stage_engine(dest: Path) -> StagedTree:
    """Copy the engine wheel's ``grader`` package into ``dest``, with the kit's cli."""
    src, package = engine_root(), dest / "grader"
    copies = [(src / f, package / f) for f in engine_files()]
    return _finish(dest, copies, {package / "cli.py": template(KIT_CLI)})


def stage_pack(dest: Path, located: LocatedPack, *, rubric_toml: str) -> StagedTree:
    """Copy the pack wheel's files into ``dest`` at their module's path, with the public rubric."""
    copies = [(located.root / f, dest / f) for f in pack_files(located)]
    rubric = dest.joinpath(*located.module.split("."), located.pack.rubric)
    return _finish(dest, copies, {rubric: rubric_toml})
