"""The A2 "Neural networks" pack: rubric, checks, data, and (instructor side) the reference."""

from __future__ import annotations

import importlib

from grader.api import Assignment, Limits, Pack, ReadOptions, load_pack
from grader.assignments.a2.sections import SECTION_RULES

#: The student README's "About this assignment" (``Pack.kit_notes``).
KIT_NOTES = """\
The self-check brings NumPy, PyTorch, torchvision, SciPy and Matplotlib, what the notebook and
the checks import; PyTorch comes as its CPU-only build (the checks need no GPU).

The saved outputs are graded as evidence: the figures, the training logs and the `SUCCESS`
line of the gradient check must be in the file you hand in (the grader never re-runs your
training).
"""

PACK = Pack(
    name="a2",
    read=ReadOptions(prefix="A2"),
    reference="reference",
    checks=(".public", ".evidence"),  # the notebook's functions, and what its saved outputs show
    hidden_checks=(".hidden",),
    diagnoser=".diagnosis:diagnose",  # the catalogue of known mistakes, built from the reference
    similarity=".similarity:LAYOUT",  # the graded definitions belong to their task wherever written
    handout="reference.handout",
    # what the handout's code imports, imported once by the runtime's zygote before it forks
    # any submission: torch maps more memory than a confined submission may, so a submission can
    # import it only from the zygote; the others are there for speed
    preload=(
        "numpy",
        "scipy",
        "scipy.io",
        "matplotlib",
        "matplotlib.pyplot",
        "torch",
        "torch.nn",
        "torch.nn.functional",
        "torch.optim",
        "torchvision",
        "torchvision.transforms",
        "torchvision.datasets",
    ),
    # kit_dependencies: what the public checks and the handout import (the preloads among them)
    kit_dependencies=(
        "numpy>=1.26",  # Colab's own (2.x) is kept: a notebook installs the kit without restarting
        "scipy>=1.11",
        "matplotlib>=3.8",
        "torch>=2.2",
        "torchvision>=0.17",
    ),
    # CPU-only torch: the checks need no GPU, and the CUDA wheels are gigabytes
    kit_index_urls=("https://download.pytorch.org/whl/cpu",),
    kit_notes=KIT_NOTES,
    # grading A2: the above, and what this course's students import (pyproject.toml's `a2` extra)
    dependencies=(
        "numpy<2",  # the handout's provided code only runs on NumPy 1.x
        "torch>=2.2",
        "torchvision>=0.17",
        "pandas",
        "tqdm",
        "seaborn",
        "torchsummary",
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
    """The declared pack (``load_pack``), and every diagnosis the rubric credits is one the
    catalogue of mistakes can make (instructor side: the catalogue is built from the reference)."""
    assignment = load_pack(__name__, PACK, with_reference=with_reference)
    if with_reference:
        diagnosis = importlib.import_module("grader.assignments.a2.diagnosis")
        diagnosis.validate_credit(assignment.rubric.credited_diagnoses())
    return assignment
