"""What an assignment pack may use of the engine: import it from here, and only from here.

Everything a pack declares (``Pack`` and its hooks' types), builds checks with (``CheckSet``,
``Context``, the comparisons and displays of what a student got), reads notebooks with
(sections, cells, figures) and raises (``CheckFailed``...) is re-exported here, under these
names. The rest of ``grader`` is internal: it moves and changes without notice, as Hypothesis
keeps its internals behind ``hypothesis``. A check of a pack that imports anything else is
the pack's to mend when the engine changes.

The kit ships this module (a pack's public checks import it), so it imports nothing that is
instructor-only: no similarity engine, no batch, no reference.
"""

from __future__ import annotations

from grader.assignment import Assignment, Pack, load_pack
from grader.checks import (
    CheckFailed,
    CheckOutcome,
    CheckSet,
    CheckSpec,
    Context,
    Diagnoser,
    StudentCallFailed,
)
from grader.checks.compare import as_array, expect_close
from grader.checks.display import show, show_inputs
from grader.checks.fairness import CallForms, ExactHelper
from grader.errors import GraderError, RubricError
from grader.model.results import Counterexample, Diagnosis
from grader.notebook.model import Cell, Figure, ReadOptions
from grader.notebook.sections import Section, SectionRules, TaskLayout, find_sections, has_headings
from grader.runtime import Limits, as_tensor
from grader.runtime.helpers import ACTIVATIONS
from grader.source import Policy

__all__ = [
    "ACTIVATIONS",
    "Assignment",
    "CallForms",
    "Cell",
    "CheckFailed",
    "CheckOutcome",
    "CheckSet",
    "CheckSpec",
    "Context",
    "Counterexample",
    "Diagnoser",
    "Diagnosis",
    "ExactHelper",
    "Figure",
    "GraderError",
    "Limits",
    "Pack",
    "Policy",
    "ReadOptions",
    "RubricError",
    "Section",
    "SectionRules",
    "StudentCallFailed",
    "TaskLayout",
    "as_array",
    "as_tensor",
    "expect_close",
    "find_sections",
    "has_headings",
    "load_pack",
    "show",
    "show_inputs",
]
