"""A toy assignment pack: the smallest pack the engine grades end to end, beside A2.

It lives outside the engine (imported as ``tests.support.toypack``, named so on the command
line: ``grader grade ... --assignment tests.support.toypack``) and has its own reference
package, ``tests.support.toyref``. The README's "Writing an assignment pack" walks through it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from grader.assignment import Assignment, Pack
from grader.checks import CheckSet
from grader.model.rubric import load_rubric
from grader.notebook.model import ReadOptions
from grader.notebook.sections import SectionRules
from grader.runtime import Limits

PACK = Pack(
    name="toy",
    read=ReadOptions(prefix="TOY"),  # TOY_LASTNAME_Firstname.ipynb
    reference="tests.support.toyref",
    preload=("numpy",),
    kit_dependencies=("numpy>=1.26",),
    limits=Limits(call_timeout=5.0),
    section_rules=SectionRules(tasks=("1", "2", "3")),
)


def load(*, with_reference: bool = True) -> Assignment:
    from tests.support.toypack import public

    rubric = load_rubric(Path(__file__).with_name("rubric.toml"))
    sets = [public.CHECKS]
    reference = None
    if with_reference:  # by name: the kit ships only what is reached without the reference
        sets.append(importlib.import_module("tests.support.toypack.hidden").CHECKS)
        reference = importlib.import_module(PACK.reference)
    else:
        rubric = rubric.public_only()
    checks = CheckSet.union(*sets)
    checks.validate(rubric, complete=with_reference)
    return Assignment(PACK, rubric, checks, reference=reference)
