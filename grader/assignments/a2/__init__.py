"""The A2 "Neural networks" pack: rubric, checks, data, and (instructor side) the reference."""

from __future__ import annotations

import importlib
from pathlib import Path

from grader.assignment import Assignment
from grader.checks import CheckSet
from grader.rubric import load_rubric
from grader.runtime import Limits

RUBRIC = Path(__file__).with_name("rubric.toml")

#: The reference answers any A2 call in well under a second (a gradient in microseconds, a
#: ConvNet forward on 8 images in milliseconds); 5 s leaves a slow but correct student
#: implementation room and makes a hanging one cost 5 s, not 10. Checks that train give
#: their own, longer timeouts.
LIMITS = Limits(call_timeout=5.0)


def load(*, with_reference: bool = True) -> Assignment:
    from grader.assignments.a2 import evidence, public

    sets = [public.CHECKS, evidence.CHECKS]
    reference = diagnose = None
    rubric = load_rubric(RUBRIC)
    if with_reference:
        hidden = importlib.import_module("grader.assignments.a2.hidden")
        reference = importlib.import_module("reference")
        # the catalogue of known mistakes is built from the reference: by name, like hidden
        diagnosis = importlib.import_module("grader.assignments.a2.diagnosis")
        diagnosis.validate_credit(rubric.credited_diagnoses())
        diagnose = diagnosis.diagnose
        sets.append(hidden.CHECKS)
    checks = CheckSet.union(*sets)
    if not with_reference:
        rubric = rubric.public_only()
    checks.validate(rubric, complete=with_reference)
    return Assignment(
        name="a2",
        filename_prefix="A2",
        rubric=rubric,
        checks=checks,
        reference=reference,
        limits=LIMITS,
        section_rules=evidence.SECTION_RULES,
        diagnose=diagnose,
    )
