"""The A2 "Neural networks" pack: rubric, checks, data, and (instructor side) the reference."""

from __future__ import annotations

import importlib
from pathlib import Path

from grader.assignment import Assignment, Pack
from grader.assignments.a2.evidence import SECTION_RULES
from grader.checks import CheckSet
from grader.model.rubric import load_rubric
from grader.notebook.model import ReadOptions
from grader.runtime import Limits

RUBRIC = Path(__file__).with_name("rubric.toml")

PACK = Pack(
    name="a2",
    read=ReadOptions(prefix="A2"),
    reference="reference",
    handout="reference.handout",
    # preload: what the handout's code imports is the engine's default (the scientific stack:
    # numpy, scipy.io, matplotlib, torch, torchvision and their submodules), so A2 names none.
    # kit_dependencies: what the public checks and the handout import (the preloads among them)
    kit_dependencies=(
        "numpy>=1.26",  # Colab's own (2.x) is kept: a notebook installs the kit without restarting
        "scipy>=1.11",
        "matplotlib>=3.8",
        "torch>=2.2",
        "torchvision>=0.17",
    ),
    # The reference answers any A2 call in well under a second (a gradient in microseconds, a
    # ConvNet forward on 8 images in milliseconds); 5 s leaves a slow but correct student
    # implementation room and makes a hanging one cost 5 s, not 10. Checks that train give
    # their own, longer timeouts.
    limits=Limits(call_timeout=5.0),
    section_rules=SECTION_RULES,
    # the hidden checks, the catalogue of known mistakes (variants of the reference), the
    # diagnoser that uses it, and the reference's results the hidden checks compare with
    instructor_files=(
        "hidden.py",
        "mistakes.py",
        "diagnosis.py",
        "reference_values.py",
        "reference_values.npz",
    ),
)


def load(*, with_reference: bool = True) -> Assignment:
    from grader.assignments.a2 import evidence, public

    sets = [public.CHECKS, evidence.CHECKS]
    reference = diagnose = None
    rubric = load_rubric(RUBRIC)
    if with_reference:
        hidden = importlib.import_module("grader.assignments.a2.hidden")
        reference = importlib.import_module(PACK.reference)
        # the catalogue of known mistakes is built from the reference: by name, like hidden
        diagnosis = importlib.import_module("grader.assignments.a2.diagnosis")
        diagnosis.validate_credit(rubric.credited_diagnoses())
        diagnose = diagnosis.diagnose
        sets.append(hidden.CHECKS)
    checks = CheckSet.union(*sets)
    if not with_reference:
        rubric = rubric.public_only()
    checks.validate(rubric, complete=with_reference)
    return Assignment(PACK, rubric, checks, reference=reference, diagnose=diagnose)
