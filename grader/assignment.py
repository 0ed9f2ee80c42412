"""The pack contract: everything the engine knows of an assignment comes through here.

An assignment pack is a Python package whose ``PACK`` (a :class:`Pack`) says what the assignment
*is*: how its notebooks are named and read, what its code cells may run, its rubric, its check
modules, its reference package, and the optional hooks (the diagnoser of known mistakes, the
similarity layout), each with a default, so that a minimal pack is a rubric, checks and a
reference. :func:`load_pack` builds the :class:`Assignment` that is graded from that
declaration; a pack may still define its own ``load(with_reference=...)`` (to validate more,
say, a catalogue of mistakes against the rubric).

Why a declaration: ``PACK`` is a frozen dataclass importable in milliseconds (no checks, no
reference, no torch; this module and ``Pack``'s field types import no Hypothesis, nbformat,
IPython or numpy, ``tests/engine/test_cheap_describe.py``), so the engine reads it where loading the pack would cost or leak —
starting the runtime's zygote with the pack's preloads while the pack loads, naming the
reference package in the Gradescope zip and the kit's audit, resolving the similarity base.
Hooks that need the reference or the instructor's side are named (``"module:attribute"``,
relative to the pack when they start with a dot), as entry points are, and imported only when
used.

A pack is found once, by :func:`locate`, from what a person typed: the name of a pack shipped
with the engine (``grader.assignments.<name>``), an installed entry point (group ``grader.packs``), a dotted module
path, or the path of the pack's folder. The :class:`LocatedPack` it returns is what every
command passes down (the workers, the kit, the Gradescope zip, the class folder's salt): it
knows the pack's module, the folders it imports from, and where its files and its reference's
are. The default assignment is chosen in one place, ``grader.assignments.DEFAULT``. The
pack author guide (``docs/pack-author.md``) walks through a whole pack.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import pkgutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, Literal

from grader.assignments import DEFAULT
from grader.errors import UnknownAssignment
from grader.model.rubric import Rubric, load_rubric
from grader.notebook.model import ReadOptions
from grader.notebook.sections import NO_RULES, SectionRules, TaskLayout
from grader.runtime.results import DEFAULT_PRELOAD, Limits
from grader.source.policy import Policy

if TYPE_CHECKING:  # the checks import Hypothesis and numpy: loaded with the pack, not to read PACK
    from grader.checks import CheckSet
    from grader.checks.runner import Diagnoser

#: Where packs named without a dot live.
BUILTIN_PACKS = "grader.assignments"
#: The entry-point group an installed distribution declares its packs in
#: (``[project.entry-points."grader.packs"] hw3 = "course.hw3"``).
ENTRY_POINT_GROUP = "grader.packs"


@dataclass(frozen=True)
class Pack:
    """What an assignment declares about itself; the engine reads these and nothing else."""

    name: str
    """Short name: the student kit's distribution (``<name>-selfcheck``). Reports name the
    assignment by the rubric's ``[assignment] id``."""

    read: ReadOptions
    """How notebooks are read: the file-name prefix (``<prefix>_LASTNAME_Firstname.ipynb``),
    the authorship statement's wording, the template's placeholders, size caps."""

    reference: str
    """Import name of the reference solution's package, one per pack (two packs never share
    one). Never shipped to students (the kit's audit refuses any file under it), hashed into
    the batch's fingerprints, zipped into the Gradescope autograder. Submissions cannot read
    it: a checkout is hidden whole, and an installed one is left out of site-packages with the
    distribution that ships it (``grader.runtime.sandbox.project_names``). It must import from
    where the pack does (the same folder, or installed)."""

    rubric: str = "rubric.toml"
    """The rubric's file, relative to the pack's folder: points and visibility of every check.
    The student kit ships a public copy of it under the same name."""

    checks: tuple[str, ...] = (".public",)
    """Modules (relative to the pack when they start with a dot) whose ``CHECKS`` (a
    ``CheckSet``) are loaded on both sides: the student's self-check and the instructor's
    grading. The kit ships them and what they import; they must not import the reference."""

    hidden_checks: tuple[str, ...] = (".hidden",)
    """Modules whose ``CHECKS`` are loaded with the reference only (instructor grading), by
    name, so that the kit's import scan never reaches them; a module missing is no error."""

    diagnoser: str | None = None
    """``"module:attribute"`` of the catalogue of known mistakes (a ``Diagnoser``: what the
    mistake is when a check fails), loaded with the reference only. None: failures are not
    diagnosed."""

    similarity: str | None = None
    """``"module:attribute"`` of the ``TaskLayout`` the similarity report cuts notebooks with
    (tasks, section rules, which graded definitions belong to which task). None: the layout
    is the pack's ``section_rules`` and their tasks, with no owners."""

    policy: Policy = field(default_factory=Policy)
    """What the notebook's top-level statements may run when the namespace is rebuilt: extend
    the engine's table with ``dataclasses.replace`` (cheap calls, denied calls, aliases)."""

    handout: str | None = None
    """Dotted module name of the handout's provided code (usually inside the reference), the
    similarity report's default base: code every student was given is not evidence of
    copying. Found with ``importlib.util.find_spec``, never imported; None: no base."""

    preload: tuple[str, ...] = DEFAULT_PRELOAD
    """Modules the runtime's zygote imports once, before forking any submission, so that a
    submission's ``import torch`` costs nothing. A heavy library must be here for submissions
    to import it at all: torch maps more memory than a confined process may (a light module
    left out is imported by each submission that needs it). The default is the engine's own
    minimum, numpy (``grader.runtime.results.DEFAULT_PRELOAD``): a pack names its stack."""

    kit_dependencies: tuple[str, ...] = ()
    """Requirements (PEP 508) of the student kit beyond the engine's own
    (``grader.kit.package.ENGINE_DEPENDENCIES``): what the pack's public checks and the
    students' notebooks import. The exact versions travel as the constraints file."""

    limits: Limits = field(default_factory=Limits)
    """The student runtime's limits per call and per statement (checks that train give their
    own, longer timeouts) and the budgets of a whole submission."""

    section_rules: SectionRules = NO_RULES
    """The handout's task ids in order, and the headings or code anchors of tasks that have no
    ``:: TASK n ::`` banner."""

    runtime_files: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    """Files put in every submission's private working directory (relative name -> bytes)."""

    instructor_files: tuple[str, ...] = ("hidden.py",)
    """Names of the pack's files that students never get: modules built on the reference (hidden
    checks, a catalogue of known mistakes) and data computed from it. They are imported by
    name, with the reference only, so the kit's import scan never reaches them; this list is
    the second lock: the kit leaves them out and its audit refuses a wheel that holds one."""

    kit_index_urls: tuple[str, ...] = ()
    """Package indexes the kit's install reads beside PyPI (``pip --extra-index-url``): in the
    submission template's README command and its CI workflow, and in the Gradescope image's install
    (PyTorch's CPU-only wheels, say)."""

    kit_notes: str = ""
    """Markdown the submission template's README shows under "About this assignment": what the
    engine's generic text cannot know (the outputs graded as evidence, the install's size...)."""

    dependencies: tuple[str, ...] = ()
    """Requirements (PEP 508) of grading this pack beyond the engine's own: its checks, its
    reference and what its students import (a module missing from the grading environment
    becomes a stand-in). The Gradescope image installs them beside the engine; in a checkout
    they are an extra of the project, which tox installs."""


@dataclass(frozen=True)
class Assignment:
    """A pack loaded for grading: its declaration, rubric, checks and (instructor) reference."""

    pack: Pack
    rubric: Rubric
    checks: CheckSet
    reference: ModuleType | None = None  # None in the student kit
    diagnose: Diagnoser | None = None  # known mistakes (instructor side: built from the reference)

    @property
    def name(self) -> str:
        return self.pack.name

    @property
    def task_ids(self) -> tuple[str, ...]:
        """The rubric's tasks, in its order: the rubric is where tasks are declared."""
        return tuple(t.id for t in self.rubric.tasks)

    def public(self) -> Assignment:
        """The student's view: public checks only, no reference, no catalogue of mistakes."""
        return replace(self, rubric=self.rubric.public_only(), reference=None, diagnose=None)


def hook(pack_module: str, target: str) -> Any:
    """The object a pack names as ``"module:attribute"`` (the module relative to the pack when
    it starts with a dot), imported now."""
    module, _, attribute = target.partition(":")
    found: Any = importlib.import_module(module, package=pack_module)
    for part in filter(None, attribute.split(".")):
        found = getattr(found, part)
    return found


def load_pack(pack_module: str, pack: Pack, *, with_reference: bool = True) -> Assignment:
    """The assignment a pack declares: its rubric, its checks and, with the reference, its
    hidden checks and diagnoser; validated (every check the rubric names exists, every check
    is scored on the instructor's side).

    Without the reference (the student kit) nothing instructor-only is imported: the kit ships
    only what this reaches without it.
    """
    from grader.checks import CheckSet

    spec = importlib.util.find_spec(pack_module)
    assert spec is not None and spec.origin is not None, pack_module
    rubric = load_rubric(Path(spec.origin).parent / pack.rubric)
    sets = [hook(pack_module, name).CHECKS for name in pack.checks]
    reference = diagnose = None
    if with_reference:
        for name in pack.hidden_checks:
            try:
                sets.append(hook(pack_module, name).CHECKS)
            except ModuleNotFoundError as error:
                if error.name != importlib.util.resolve_name(name, pack_module):
                    raise
        reference = importlib.import_module(pack.reference)
        diagnose = hook(pack_module, pack.diagnoser) if pack.diagnoser else None
    else:
        rubric = rubric.public_only()
    checks = CheckSet.union(*sets)
    checks.validate(rubric, complete=with_reference)
    return Assignment(pack, rubric, checks, reference=reference, diagnose=diagnose)


Origin = Literal["shipped", "entry point", "module", "path"]


@dataclass(frozen=True)
class LocatedPack:
    """A pack found once (:func:`locate`), passed down instead of its name: picklable, so that a
    worker process imports the very pack the command found (``paths`` first on its path)."""

    module: str
    """The pack's dotted module (``grader.assignments.<name>``, ``course.hw3``)."""

    name: str
    """What the pack is called where a name must travel (the class folder's manifest and salt,
    the Gradescope zip's scripts): a shipped pack's short name, else its module."""

    origin: Origin
    """How it was found: shipped with the engine, an installed entry point, an importable
    module, or a folder given by its path."""

    paths: tuple[str, ...] = ()
    """Folders put on ``sys.path`` to import it (a pack given by its path: the folder above its
    top-level package); empty when it imports as installed."""

    def importable(self) -> None:
        """Put the pack's folders on this process's path (a worker's, the kit's smoke test...)."""
        for path in self.paths:
            if path not in sys.path:
                sys.path.insert(0, path)

    def import_module(self) -> ModuleType:
        """The pack's module (its ``__init__`` only: no checks, no reference)."""
        self.importable()
        return importlib.import_module(self.module)

    @property
    def pack(self) -> Pack:
        """The pack's declaration, without loading its checks or its reference."""
        declared: Pack = self.import_module().PACK
        return declared

    def load(self, *, with_reference: bool = True) -> Assignment:
        """The assignment: the pack's own ``load`` when it defines one, else :func:`load_pack`."""
        module = self.import_module()
        if hasattr(module, "load"):
            loaded: Assignment = module.load(with_reference=with_reference)
            return loaded
        return load_pack(self.module, module.PACK, with_reference=with_reference)

    @property
    def folder(self) -> Path:
        """The pack's package folder."""
        return _package_folder(self.module)

    @property
    def root(self) -> Path:
        """The folder its top-level package is in: the pack's files lie under it at their
        module's path (``course/hw3/...``)."""
        return _import_root(self.module)

    @property
    def reference_folder(self) -> Path:
        """The reference's package folder (found, never imported)."""
        self.importable()
        return _package_folder(self.pack.reference)

    @property
    def reference_root(self) -> Path:
        """The folder the reference's top-level package is in."""
        self.importable()
        return _import_root(self.pack.reference)

    @property
    def top(self) -> str:
        """The top-level package holding the pack: ``grader``, or the pack's own."""
        return self.module.split(".")[0]

    def layout(self) -> TaskLayout:
        """How the similarity report cuts this pack's notebooks into tasks (``Pack.similarity``)."""
        pack = self.pack
        if pack.similarity is None:
            return TaskLayout(tasks=pack.section_rules.tasks, rules=pack.section_rules)
        layout: TaskLayout = hook(self.module, pack.similarity)
        return layout

    def handout_file(self) -> Path | None:
        """The handout's provided code (``Pack.handout``) when the pack has one and it is there."""
        handout = self.pack.handout
        spec = importlib.util.find_spec(handout) if handout else None
        return Path(spec.origin) if spec is not None and spec.origin else None


def _package_folder(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise UnknownAssignment(f"no package {module!r} (a pack and its reference are packages)")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _import_root(module: str) -> Path:
    return _package_folder(module.split(".")[0]).parent


def locate(given: str | LocatedPack = DEFAULT) -> LocatedPack:
    """The pack ``given`` names, found once: a folder's path (``./hw3``, ``course/hw3``; anything
    with a slash), an installed entry point of group ``grader.packs``, a pack shipped with the
    engine (a name without a dot), or a dotted module path. A located pack is returned as is."""
    if isinstance(given, LocatedPack):
        return given
    if "/" in given or given.startswith((".", "~")) or Path(given).is_absolute():
        located = _from_path(Path(given).expanduser())
    else:
        found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP, name=given)
        if found:
            (entry,) = tuple(found)[:1]
            located = LocatedPack(entry.module, entry.module, "entry point")
        elif "." not in given:
            located = LocatedPack(f"{BUILTIN_PACKS}.{given}", given, "shipped")
        else:
            located = LocatedPack(given, given, "module")
    _check(located, given)
    return located


def _from_path(folder: Path) -> LocatedPack:
    """A pack given by its folder: its module is the folder's dotted path from the first folder
    above it that is no package, which goes on ``sys.path``."""
    folder = folder.resolve()
    if not (folder / "__init__.py").is_file():
        raise UnknownAssignment(f"no assignment pack at {folder}: a pack is a folder with an __init__.py")
    parts = [folder.name]
    root = folder.parent
    while (root / "__init__.py").is_file():
        parts.insert(0, root.name)
        root = root.parent
    module = ".".join(parts)
    return LocatedPack(module, module, "path", (str(root),))


def _check(located: LocatedPack, given: str) -> None:
    """Import the pack's ``__init__``: refuse what is no pack, in one line."""
    if located.paths:  # a folder: its top-level package must be the one imported
        located.importable()
        spec = importlib.util.find_spec(located.top)
        where = spec.submodule_search_locations if spec is not None else None
        if not where or not Path(next(iter(where))).resolve().is_relative_to(located.paths[0]):
            found = next(iter(where)) if where else "?"
            raise UnknownAssignment(f"{given}: another package named {located.top!r} is imported first ({found})")
    try:
        module = located.import_module()
    except ModuleNotFoundError as error:
        # only the pack itself missing is the user's mistake; a pack that fails to import
        # one of its own dependencies is a broken installation, shown as it is
        if error.name is None or not (located.module + ".").startswith(error.name + "."):
            raise
        raise UnknownAssignment(
            f"no assignment pack {given!r}: give a pack shipped with the grader "
            f"({', '.join(shipped_packs())}), an installed one (entry point group "
            f"{ENTRY_POINT_GROUP!r}), the dotted module of one on the Python path, or the path "
            "of its folder (./hw3)"
        ) from None
    if not isinstance(getattr(module, "PACK", None), Pack):
        raise UnknownAssignment(f"{located.module} is not an assignment pack (it needs PACK, a grader.assignment.Pack)")


def shipped_packs() -> list[str]:
    """The packs shipped with the engine (``grader.assignments.<name>``)."""
    builtin = importlib.import_module(BUILTIN_PACKS)
    return sorted(m.name for m in pkgutil.iter_modules(builtin.__path__) if m.ispkg)


def installed_packs() -> list[LocatedPack]:
    """The packs this environment grades without being told where: those installed as
    distributions (entry point group ``grader.packs``: a student kit's pack wheels) and the
    default shipped with the engine when it is there (a kit's engine wheel ships no pack)."""
    found = {
        e.module: LocatedPack(e.module, e.module, "entry point")
        for e in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    }
    default = f"{BUILTIN_PACKS}.{DEFAULT}"
    if default not in found and importlib.util.find_spec(default) is not None:
        found[default] = LocatedPack(default, DEFAULT, "shipped")
    for name, located in found.items():
        _check(located, name)
    return list(found.values())


def describe(given: str | LocatedPack = DEFAULT) -> Pack:
    """The pack's declaration, without loading its checks or its reference."""
    return locate(given).pack


def load_assignment(given: str | LocatedPack = DEFAULT, *, with_reference: bool = True) -> Assignment:
    """Locate and load a pack; without the reference for students."""
    return locate(given).load(with_reference=with_reference)
