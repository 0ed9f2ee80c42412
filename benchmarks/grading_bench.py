"""Time to grade one notebook, as a ratio to `python -I -c "import torch, torchvision"`, the
stack a runtime that hosts a notebook must import (targets: grade <= 1.25, check <= 1.1), and
to `python -c "import torch"`.

All are measured as fresh processes (median of --repeat runs; the stack's import is paired
with each cold run, and the median of the pairs' ratios is printed), so the ratio includes what a
student's `grader check` or an instructor's one-notebook `grader grade` really pays: imports,
the runtime's zygote, the build of the student's namespace, and every check. The warm figure
is the extra time per notebook once the process and its zygote are up (what a batch pays).

    python benchmarks/grading_bench.py [--notebook PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
STACK = [sys.executable, "-I", "-c", "import torch, torchvision"]

WARM = """
import sys, time
from pathlib import Path
from grader.assignment import load_assignment
from grader.grading.pipeline import grade_notebook
assignment = load_assignment("a2")
grade_notebook(Path(sys.argv[1]), assignment)
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    grade_notebook(Path(sys.argv[1]), assignment)
    times.append(time.perf_counter() - started)
print(min(times))
"""


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    torch_import = statistics.median(wall([sys.executable, "-c", "import torch"]) for _ in range(args.repeat))
    grade_times, check_times, grade_pairs, check_pairs = [], [], [], []
    for _ in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="grading-bench-"))
        try:
            stack = wall(STACK)
            grade_times.append(wall([sys.executable, "-m", "grader.cli", "grade", str(args.notebook), "--out", str(out), "--jobs", "1", "--force"]))
            grade_pairs.append((grade_times[-1], stack))
            stack = wall(STACK)
            check_times.append(wall([sys.executable, "-m", "grader.cli", "check", str(args.notebook)]))
            check_pairs.append((check_times[-1], stack))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    warm = float(subprocess.run(
        [sys.executable, "-c", WARM, str(args.notebook), str(args.repeat)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout.split()[-1])

    grade, check = statistics.median(grade_times), statistics.median(check_times)
    stack_import = statistics.median(s for _, s in (*grade_pairs, *check_pairs))
    print(f"notebook: {args.notebook.name}")
    label = 'python -c "import torch"'
    print(f"{label:<38}{torch_import:7.2f} s")
    label = 'python -I -c "import torch, torchvision"'
    print(f"{label:<38}{stack_import:7.2f} s   ratio {stack_import / torch_import:4.2f} to import torch")
    print(f"{'':<38}{'seconds':>7s}   {'/stack':>6s} {'target':>6s}   {'/torch':>6s}")
    for name, seconds, pairs, target in (
        ("grader grade (one notebook, cold)", grade, grade_pairs, "1.25"),
        ("grader check (student, cold)", check, check_pairs, "1.1"),
    ):
        paired = statistics.median(t / s for t, s in pairs)
        print(f"{name:<38}{seconds:7.2f}   {paired:6.2f} {target:>6s}   {seconds / torch_import:6.2f}")
    print(f"{'grade_notebook (warm process)':<38}{warm:7.2f}   {'':>6s} {'':>6s}   {warm / torch_import:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
