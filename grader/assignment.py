"""An assignment pack, as the engine sees it.

A pack is a package under ``grader.assignments`` with a ``load(with_reference)`` function
returning an :class:`Assignment`: its rubric, its checks, the files its notebooks read, and
(instructor side only) the reference solution.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import ModuleType

from grader.checks import CheckSet
from grader.checks.runner import Diagnoser
from grader.rubric import Rubric
from grader.runtime import Limits
from grader.sections import NO_RULES, SectionRules


@dataclass(frozen=True)
class Assignment:
    name: str
    filename_prefix: str  # "A2" in A2_LASTNAME_Firstname.ipynb
    rubric: Rubric
    checks: CheckSet
    reference: ModuleType | None = None  # None in the student kit
    runtime_files: Mapping[str, bytes] = field(default_factory=dict)  # put in the runtime's working dir
    limits: Limits = field(default_factory=Limits)  # the student runtime's, per call and per statement
    section_rules: SectionRules = NO_RULES  # headings and code anchors of tasks without a banner
    diagnose: Diagnoser | None = None  # known mistakes (instructor side: built from the reference)

    def public(self) -> Assignment:
        """The student's view: public checks only, no reference, no catalogue of mistakes."""
        return replace(self, rubric=self.rubric.public_only(), reference=None, diagnose=None)


def load_assignment(name: str = "a2", *, with_reference: bool = True) -> Assignment:
    """Import the pack ``grader.assignments.<name>``; without the reference for students."""
    pack = importlib.import_module(f"grader.assignments.{name}")
    return pack.load(with_reference=with_reference)
