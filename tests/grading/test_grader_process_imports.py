"""The grader's own process imports no torch while it grades: the reference's PyTorch results
come from ``reference_values.npz`` and the handout's helpers are compared as source text, so
the zygote (the student's side) is the only process that pays torch's import (2 s of CPU, and
the memory of every grading process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GRADE = """
import json, sys
from pathlib import Path
from grader.assignment import load_assignment
from grader.grading.pipeline import grade_notebook
report = grade_notebook(Path(sys.argv[1]), load_assignment("a2"))
checks = [c.status.value for t in report.tasks for c in t.checks]
print(json.dumps([checks, sorted(m for m in ("torch", "torchvision") if m in sys.modules)]))
"""


def test_grading_a_correct_notebook_imports_no_torch_here() -> None:
    notebook = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
    done = subprocess.run(
        [sys.executable, "-c", GRADE, str(notebook)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    checks, heavy = json.loads(done.stdout.splitlines()[-1])
    assert checks.count("passed") > 20 and set(checks) == {"passed", "manual"}  # graded: every automatic check passed
    assert heavy == []
