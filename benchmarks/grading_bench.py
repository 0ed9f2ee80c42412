"""Time to grade one notebook, as a ratio to `python -c "import torch"` (target: <= 2).

Both are measured as fresh processes (median of --repeat runs), so the ratio includes what a
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
    grade_times, check_times = [], []
    for _ in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="grading-bench-"))
        try:
            grade_times.append(wall([sys.executable, "-m", "grader.cli", "grade", str(args.notebook), "--out", str(out), "--jobs", "1", "--force"]))
            check_times.append(wall([sys.executable, "-m", "grader.cli", "check", str(args.notebook)]))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    warm = float(subprocess.run(
        [sys.executable, "-c", WARM, str(args.notebook), str(args.repeat)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout.split()[-1])

    grade, check = statistics.median(grade_times), statistics.median(check_times)
    print(f"notebook: {args.notebook.name}")
    label = 'python -c "import torch"'
    print(f"{label:<38}{torch_import:7.2f} s")
    print(f"{'grader grade (one notebook, cold)':<38}{grade:7.2f} s   ratio {grade / torch_import:4.2f}   (target <= 2)")
    print(f"{'grader check (student, cold)':<38}{check:7.2f} s   ratio {check / torch_import:4.2f}")
    print(f"{'grade_notebook (warm process)':<38}{warm:7.2f} s   ratio {warm / torch_import:4.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
