"""Time to grade one notebook, as a ratio to `python -I -c "import torch, torchvision"`, the
stack a runtime that hosts a notebook must import (targets: grade <= 1.25, check <= 1.1), to
what the assignment's notebooks import (the pack's preloads, matplotlib and scipy among them:
what the runtime's zygote imports before a notebook's first statement), and to
`python -c "import torch"`.

All are measured as fresh processes (median of --repeat runs; the stack's import is paired
with each cold run, and the median of the pairs' ratios is printed), so the ratio includes what a
student's `grader check` or an instructor's one-notebook `grader grade` really pays: imports,
the runtime's zygote, the build of the student's namespace, and every check. The warm figure
is the extra time per notebook once the process and its zygote are up (what a batch pays).
Before the zygote starts, the grader's own start-up delays everything after it: the CPU seconds
each command spends until it starts the zygote are printed too (an audit hook sees the start).

    python benchmarks/grading_bench.py [--notebook PATH] [--repeat 3] [--root CHECKOUT]

``--root`` measures another checkout of the grader (the base of a change, say) with this script.
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
sys.path.insert(0, str(ROOT))

from grader.assignments.a2 import PACK

NOTEBOOK = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
STACK = [sys.executable, "-I", "-c", "import torch, torchvision"]
#: The pack's preloads imported as the zygote imports them (pyplot on the Agg backend).
NOTEBOOK_IMPORTS = [
    sys.executable,
    "-I",
    "-c",
    (
        "import importlib, matplotlib\nmatplotlib.use('Agg')\n"
        f"for name in {list(PACK.preload)!r}:\n    importlib.import_module(name)"
    ),
]

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


#: Runs ``grader ARGS`` until it starts the runtime's zygote, then prints the CPU seconds so far.
UNTIL_ZYGOTE = """
import os, runpy, sys, time
def started(event, args):
    if event == "subprocess.Popen" and any("sys.path.insert" in str(a) for a in args[1]):
        print(time.process_time(), flush=True)
        os._exit(0)
sys.addaudithook(started)
sys.argv = ["grader", *sys.argv[1:]]
runpy.run_module("grader", run_name="__main__")
"""


def wall(command: list[str], root: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root)
    return time.perf_counter() - started


def until_zygote(args: list[str], root: Path) -> float:
    """CPU seconds of ``grader ARGS`` before it starts the runtime's zygote."""
    done = subprocess.run(
        [sys.executable, "-c", UNTIL_ZYGOTE, *args], check=True, capture_output=True, text=True, cwd=root
    )
    return float(done.stdout.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    args = parser.parse_args()
    root = args.root.resolve()

    torch_import = statistics.median(wall([sys.executable, "-c", "import torch"]) for _ in range(args.repeat))
    grade_times, check_times, grade_pairs, check_pairs = [], [], [], []
    grade_start, check_start = [], []
    for _ in range(args.repeat):
        out = Path(tempfile.mkdtemp(prefix="grading-bench-"))
        try:
            grade = ["grade", str(args.notebook), "--out", str(out), "--jobs", "1", "--force"]
            floors = wall(STACK), wall(NOTEBOOK_IMPORTS)
            grade_times.append(wall([sys.executable, "-m", "grader.cli", *grade], root))
            grade_pairs.append((grade_times[-1], *floors))
            grade_start.append(until_zygote(grade, root))
            floors = wall(STACK), wall(NOTEBOOK_IMPORTS)
            check_times.append(wall([sys.executable, "-m", "grader.cli", "check", str(args.notebook)], root))
            check_pairs.append((check_times[-1], *floors))
            check_start.append(until_zygote(["check", str(args.notebook)], root))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    warm = float(subprocess.run(
        [sys.executable, "-c", WARM, str(args.notebook), str(args.repeat)],
        check=True, capture_output=True, text=True, cwd=root,
    ).stdout.split()[-1])

    grade, check = statistics.median(grade_times), statistics.median(check_times)
    stack_import = statistics.median(s for _, s, _ in (*grade_pairs, *check_pairs))
    imports = statistics.median(i for _, _, i in (*grade_pairs, *check_pairs))
    print(f"checkout: {root}; notebook: {args.notebook.name}")
    label = 'python -c "import torch"'
    print(f"{label:<38}{torch_import:7.2f} s")
    label = 'python -I -c "import torch, torchvision"'
    print(f"{label:<38}{stack_import:7.2f} s   ratio {stack_import / torch_import:4.2f} to import torch")
    label = "the notebooks' imports (the preloads)"
    print(f"{label:<38}{imports:7.2f} s   ratio {statistics.median(i / s for _, s, i in (*grade_pairs, *check_pairs)):4.2f} to the stack (paired)")
    print(f"{'':<38}{'seconds':>7s}   {'/stack':>6s} {'target':>6s}   {'/imports':>8s}   {'/torch':>6s}")
    for name, seconds, pairs, target in (
        ("grader grade (one notebook, cold)", grade, grade_pairs, "1.25"),
        ("grader check (student, cold)", check, check_pairs, "1.1"),
    ):
        to_stack = statistics.median(t / s for t, s, _ in pairs)
        to_imports = statistics.median(t / i for t, _, i in pairs)
        print(f"{name:<38}{seconds:7.2f}   {to_stack:6.2f} {target:>6s}   {to_imports:8.2f}   {seconds / torch_import:6.2f}")
    print(f"{'grade_notebook (warm process)':<38}{warm:7.2f}   {'':>6s} {'':>6s}   {'':>8s}   {warm / torch_import:6.2f}")
    for name, cpu in (("grader grade", grade_start), ("grader check", check_start)):
        label = f"{name}: CPU to zygote start"
        print(f"{label:<38}{statistics.median(cpu):7.2f}   ({', '.join(f'{c:.2f}' for c in cpu)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
