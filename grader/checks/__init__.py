"""How a check is declared and run.

A check is a plain function of a :class:`Context` that returns when the student's work
passes and raises :class:`CheckFailed` (with the smallest counterexample) when it does not.
Checks are declared with :func:`check` into a :class:`CheckSet` that an assignment pack
owns; points and visibility are not declared here but in the pack's rubric file, so an
instructor changes them without touching code.
"""

from grader.checks.context import CheckFailed, Context, StudentCallFailed
from grader.checks.registry import CheckSet, CheckSpec
from grader.checks.runner import CheckOutcome, Diagnoser, run_check

__all__ = [
    "CheckFailed",
    "CheckOutcome",
    "CheckSet",
    "CheckSpec",
    "Context",
    "Diagnoser",
    "StudentCallFailed",
    "run_check",
]
