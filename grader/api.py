"""What an assignment pack may use of the engine: import it from here, and only from here.

Everything a pack declares (``Pack`` and its hooks' types), builds checks with (``CheckSet``,
``Context``, the comparisons and displays of what a student got), reads notebooks with
(sections, cells, figures) and raises (``CheckFailed``...) is re-exported here, under these
names. The rest of ``grader`` is internal: it moves and changes without notice, as Hypothesis
keeps its internals behind ``hypothesis``. A check of a pack that imports anything else is
the pack's to mend when the engine changes.

The kit ships this module (a pack's public checks import it), so it imports nothing that is
instructor-only: no similarity engine, no batch, no reference. What checks are written with
is imported on first use, so that a pack's ``__init__`` (its ``PACK``) costs no Hypothesis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from grader.assignment import Assignment, Pack, load_pack
from grader.errors import GraderError, RubricError
from grader.model.results import Counterexample, Diagnosis
from grader.notebook.model import Cell, Figure, ReadOptions
from grader.notebook.sections import Section, SectionRules, TaskLayout, find_sections, has_headings
from grader.runtime.results import Limits
from grader.source.policy import Policy

if TYPE_CHECKING:
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
    from grader.runtime.helpers import ACTIVATIONS
    from grader.runtime.protocol import as_tensor

#: Where the names of checks live, imported on first use (PEP 562): they bring Hypothesis and
#: numpy, and a pack's ``__init__`` imports this module for its declaration's types only, before
#: the runtime's zygote may start.
_LAZY = {
    "CheckFailed": "grader.checks",
    "CheckOutcome": "grader.checks",
    "CheckSet": "grader.checks",
    "CheckSpec": "grader.checks",
    "Context": "grader.checks",
    "Diagnoser": "grader.checks",
    "StudentCallFailed": "grader.checks",
    "as_array": "grader.checks.compare",
    "expect_close": "grader.checks.compare",
    "show": "grader.checks.display",
    "show_inputs": "grader.checks.display",
    "CallForms": "grader.checks.fairness",
    "ExactHelper": "grader.checks.fairness",
    "ACTIVATIONS": "grader.runtime.helpers",
    "as_tensor": "grader.runtime.protocol",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


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
