"""The pack contract: everything the engine knows of an assignment comes through here.

An assignment pack is a Python package with two members (:class:`PackModule`): ``PACK``, a
:class:`Pack` saying what the assignment *is* (how its notebooks are named and read, what its
code cells may run, its reference package's name, what the runtime preloads, what the kit
installs), and ``load(with_reference=...)``, which builds the :class:`Assignment` that is
graded (the rubric, the checks and, on the instructor's side only, the reference solution).

Why two parts: ``PACK`` is a frozen dataclass importable in milliseconds (no checks, no
reference, no torch), so the engine reads it where loading the pack would cost or leak —
starting the runtime's zygote with the pack's preloads while the pack loads, naming the
reference package in the Gradescope zip and the kit's audit, resolving the similarity base.
A frozen dataclass rather than a ``Protocol``: a pack declares values, not behaviour, and a
dataclass gives it defaults, ``dataclasses.replace`` and one place to document each member
(the tone of pytest's ``hookspec.py``). ``load`` is the one behaviour, typed by
:class:`PackModule`.

Packs are found by name (``grader.assignments.<name>``, the packs shipped with the engine) or
by a dotted module path (``course.hw3``, ``tests.support.toypack``), so that a pack can live
outside the engine. The default assignment is chosen in one place,
``grader.assignments.DEFAULT``. The README's "Writing an assignment pack" walks through a
whole pack.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType, ModuleType
from typing import Protocol

from grader.assignments import DEFAULT
from grader.checks import CheckSet
from grader.checks.runner import Diagnoser
from grader.errors import GraderError
from grader.model.rubric import Rubric
from grader.notebook.model import ReadOptions
from grader.notebook.sections import NO_RULES, SectionRules
from grader.runtime import Limits
from grader.runtime.spawner import DEFAULT_PRELOAD
from grader.source import Policy

#: Where packs named without a dot live.
BUILTIN_PACKS = "grader.assignments"


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
    distribution that ships it (``grader.runtime.sandbox.project_names``)."""

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
    left out is imported by each submission that needs it). The default is the scientific stack
    (``grader.runtime.spawner.DEFAULT_PRELOAD``)."""

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
    checks, a catalogue of known mistakes) and data computed from it. ``load`` imports them by
    name, with the reference only, so the kit's import scan never reaches them; this list is
    the second lock: the kit leaves them out and its audit refuses a wheel that holds one."""


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


class PackModule(Protocol):
    """The module an assignment pack is."""

    PACK: Pack

    def load(self, *, with_reference: bool = True) -> Assignment:
        """The rubric and checks; with the reference, the hidden checks and the diagnoser too.

        Without the reference (the student kit) nothing instructor-only may be imported: the
        kit ships only what this function reaches without it.
        """
        ...


def pack_module(name: str = DEFAULT) -> str:
    """The module of the pack ``name``: a dotted path as given, else a pack shipped with the engine."""
    return name if "." in name else f"{BUILTIN_PACKS}.{name}"


class UnknownAssignment(GraderError):
    """No pack of that name: neither shipped with the engine nor importable as a module."""


def find_pack(name: str = DEFAULT) -> PackModule:
    """Import the pack's module (its ``__init__`` only: no checks, no reference)."""
    module_name = pack_module(name)
    try:
        module: PackModule = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # only the pack itself missing is the user's mistake; a pack that fails to import
        # one of its own dependencies is a broken installation, shown as it is
        if error.name is None or not (module_name + ".").startswith(error.name + "."):
            raise
        raise UnknownAssignment(
            f"no assignment pack {name!r}: give a pack shipped with the grader "
            f"({', '.join(shipped_packs())}) or the dotted module of your own"
        ) from None
    if not hasattr(module, "PACK") or not hasattr(module, "load"):
        raise UnknownAssignment(f"{module_name} is not an assignment pack (it needs PACK and load)")
    return module


def shipped_packs() -> list[str]:
    """The packs shipped with the engine (``grader.assignments.<name>``)."""
    builtin = importlib.import_module(BUILTIN_PACKS)
    return sorted(m.name for m in pkgutil.iter_modules(builtin.__path__) if m.ispkg)


def describe(name: str = DEFAULT) -> Pack:
    """The pack's declaration, without loading its checks or its reference."""
    return find_pack(name).PACK


def load_assignment(name: str = DEFAULT, *, with_reference: bool = True) -> Assignment:
    """Load the pack ``name``; without the reference for students."""
    return find_pack(name).load(with_reference=with_reference)
