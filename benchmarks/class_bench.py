"""A realistic class: 100 notebooks of the real-form corpus, mixed as a class is, 2 workers.

The sample class the batch benchmark copies is mostly correct notebooks; a real class is not.
This one draws from the verdict corpus (``tests/support/corpus/``): about a third with a wrong
gradient or ConvNet, a few broken or hostile files and codes, the rest correct in the many
styles students write, plus a few other seeded mistakes. The yardstick is what grading cannot
avoid: the student's own code, and one import of the stack a notebook needs. It prints, for
the median of ``--repeat`` runs (the machine may be shared: the load average is printed beside
every figure, and the ratios are what count):

- a class: per notebook (last run) and for the class, wall seconds, the grader's core seconds
  and the student's (``meta.cpu_seconds``: the student's own statements and functions, timed
  in its processes) and the overhead, grader / student (goal <= 1.0); the whole run's core
  seconds (every process, start-ups included) against the student's; seconds per notebook
  as a ratio to ``python -c "import torch"``, notebooks per minute, peak memory per worker,
  and the five most expensive checks (``meta.check_seconds``);
- one notebook cold (``--single``, on by default): ``grader grade ONE --jobs 1`` and
  ``grader check`` on the reference notebook, as ratios to ``python -I -c "import torch,
  torchvision"`` (goals <= 1.25 and <= 1.1), paired with it, and to ``import torch``.

    python benchmarks/class_bench.py [--n 100] [--jobs 2] [--repeat 3] [--no-single] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.cli import EXIT_NEEDS_PERSON, EXIT_OK, exit_status
from grader.frontends.batch import grade_all
from tests.support.corpus import build_corpus

GOAL_OVERHEAD = 1.0  # the grader's core seconds per notebook / the student's own
GOAL_GRADE = 1.25  # `grader grade ONE --jobs 1` cold / `python -I -c "import torch, torchvision"`
GOAL_CHECK = 1.1  # `grader check ONE` cold / the same
STACK = [sys.executable, "-I", "-c", "import torch, torchvision"]

#: Bugs a class really hands in a third of the time: a wrong gradient or a wrong ConvNet.
WRONG = (
    "bo-sign", "no-relu-mask", "wi-transposed", "wo-uses-z", "sigmoid-argument", "ascent", "stub", "zeros",
    "convnet-relu", "convnet-avgpool", "convnet-no-fc-tanh", "convnet-narrow",
)  # fmt: skip
#: A few broken files and hostile codes.
BROKEN = (
    "infinite-loop",
    "sys-exit",
    "syntax-error",
    "truncated",
    "function-memory",
    "patch-allclose",
)


def class_mix(n: int, cases: list) -> list[str]:
    """Case names for a class of ``n``: a third wrong, ~6% broken, a tenth other bugs, rest correct."""
    by_name = {c.name: c for c in cases}
    correct = [c.name for c in cases if c.kind == "correct"]
    other_bugs = [c.name for c in cases if c.kind == "bug" and c.name not in WRONG]
    n_wrong, n_broken, n_other = round(n / 3), max(1, round(n * 0.06)), round(n / 10)
    picks = [WRONG[i % len(WRONG)] for i in range(n_wrong)]
    picks += [BROKEN[i % len(BROKEN)] for i in range(n_broken)]
    picks += [other_bugs[i % len(other_bugs)] for i in range(n_other)]
    picks += [correct[i % len(correct)] for i in range(n - len(picks))]
    assert all(p in by_name for p in picks)
    return picks


def write_class(n: int, folder: Path) -> dict[str, int]:
    """The class under valid file names; returns how many of each kind."""
    corpus = folder.parent / "corpus"
    cases = build_corpus(corpus)
    by_name = {c.name: c for c in cases}
    folder.mkdir(parents=True)
    kinds: dict[str, int] = defaultdict(int)
    for i, name in enumerate(class_mix(n, cases)):
        case = by_name[name]
        kinds["wrong" if name in WRONG else case.kind] += 1
        shutil.copy(corpus / case.file, folder / f"A2_STUDENT{i:04d}_{name.replace('-', '')}.ipynb")
    return dict(kinds)


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    return time.perf_counter() - started


def import_torch(times: int = 3) -> list[float]:
    """Several samples: on a shared machine one alone swings by a factor of two."""
    return [wall([sys.executable, "-c", "import torch"]) for _ in range(times)]


def core_seconds() -> float:
    """CPU seconds of this process and of every process it has waited for (all below it)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def grade_class(folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, core seconds of every process) of grading the class."""
    if out.exists():
        shutil.rmtree(out)
    started, started_core = time.monotonic(), core_seconds()
    with contextlib.redirect_stdout(io.StringIO()):
        code = exit_status(grade_all([folder], out, jobs=jobs, force=True))
    if code not in (EXIT_OK, EXIT_NEEDS_PERSON):  # a class with broken notebooks needs a person
        raise SystemExit(f"grade_all returned {code}")
    return time.monotonic() - started, core_seconds() - started_core


def notebook_seconds(out: Path) -> dict[str, tuple[float, float, float]]:
    """Report folder -> (wall, grader core, student core) seconds from its ``meta``."""
    rows = {}
    for report in sorted(out.glob("*/report.json")):
        meta = json.loads(report.read_text(encoding="utf-8"))["meta"]
        cpu = meta.get("cpu_seconds", {})
        rows[report.parent.name] = (meta.get("seconds", 0.0), cpu.get("grader", 0.0), cpu.get("student", 0.0))
    return rows


def overhead(grader: float, student: float) -> str:
    return f"{grader / student:6.2f}" if student > 0 else "     -"


def check_seconds(out: Path) -> dict[str, float]:
    per_check: dict[str, float] = defaultdict(float)
    for report in out.glob("*/report.json"):
        for check, seconds in (
            json.loads(report.read_text(encoding="utf-8"))["meta"].get("check_seconds", {}).items()
        ):
            per_check[check] += seconds
    return per_check


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100, help="notebooks in the class (default 100)")
    parser.add_argument("--jobs", type=int, default=2, help="workers (default 2)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs; medians are printed (default 3)"
    )
    parser.add_argument(
        "--no-single", dest="single", action="store_false", help="skip the one-notebook cold runs"
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="grade the last run into this folder and keep it"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="class-bench-") as tmp:
        folder = Path(tmp) / "class"
        kinds = write_class(args.n, folder)
        print(
            f"class of {args.n}: {kinds}; {args.jobs} worker(s); {args.repeat} run(s)", flush=True
        )

        torch_s, class_s, core_s, student_s, grade_s, check_s, loads = [], [], [], [], [], [], []
        stack_grade, stack_check = [], []  # the stack's import paired with each cold run
        out = Path(tmp) / "out"
        for run in range(args.repeat):
            torch_s += import_torch()
            loads.append(os.getloadavg()[0])
            run_out = args.keep if args.keep and run == args.repeat - 1 else out
            seconds, core = grade_class(folder, run_out, args.jobs)
            class_s.append(seconds)
            core_s.append(core)
            student_s.append(sum(s for _, _, s in notebook_seconds(run_out).values()))
            loads.append(os.getloadavg()[0])  # and after: the load during the run
            print(
                f"  run {run + 1}: import torch {statistics.median(torch_s[-3:]):.2f} s, class {class_s[-1]:.1f} s, "
                f"core {core:.0f} s of which the student's {student_s[-1]:.0f} s ({load()})",
                flush=True,
            )
            if args.single:
                single = Path(tmp) / "single"
                notebook = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
                stack_grade.append(wall(STACK))
                grade_s.append(
                    wall(
                        [
                            sys.executable,
                            "-m",
                            "grader.cli",
                            "grade",
                            str(notebook),
                            "--out",
                            str(single),
                            "--jobs",
                            "1",
                            "--force",
                        ]
                    )
                )
                stack_check.append(wall(STACK))
                check_s.append(wall([sys.executable, "-m", "grader.cli", "check", str(notebook)]))
                shutil.rmtree(single, ignore_errors=True)
                torch_s += import_torch()
                print(
                    f"         grade one {grade_s[-1]:.2f} s (import torch, torchvision {stack_grade[-1]:.2f} s), "
                    f"check {check_s[-1]:.2f} s ({stack_check[-1]:.2f} s), import torch {statistics.median(torch_s[-3:]):.2f} s ({load()})",
                    flush=True,
                )
        last_out = args.keep or out
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

        rows = notebook_seconds(last_out)
        print("\nper notebook (last run): wall s, grader core s, student core s, overhead grader/student")
        for name, (wall_s, grader, student) in rows.items():
            print(f"  {name:45s} {wall_s:6.2f} {grader:6.2f} {student:6.2f} {overhead(grader, student)}")
        walls, graders, students = (sum(r[i] for r in rows.values()) for i in range(3))
        n = len(rows) or 1
        print(
            f"  {'class, per notebook':45s} {walls / n:6.2f} {graders / n:6.2f} {students / n:6.2f} {overhead(graders, students)}"
        )

        torch_med, class_med = statistics.median(torch_s), statistics.median(class_s)
        per_nb = class_med / args.n
        load_text = f"load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores"
        print(
            f'\npython -c "import torch": {torch_med:.2f} s (median of {len(torch_s)}; {load_text})'
        )
        ratio = graders / students if students else float("inf")
        _goal("class: grader / student core s", ratio, GOAL_OVERHEAD, f"grader {graders / n:.2f} s, student {students / n:.2f} s per notebook")
        core_med, student_med = statistics.median(core_s), statistics.median(student_s)
        print(
            f"  every process of the run (start-ups, driver, zygotes): {core_med / args.n:.2f} core s per notebook, "
            f"{(core_med - student_med) / student_med if student_med else float('inf'):.2f}x the student's"
        )
        print(
            f"  {args.n} notebooks in {class_med:.1f} s: {60 * args.n / class_med:.1f} per minute, "
            f"{per_nb:.2f} s per notebook = {per_nb / torch_med:.2f} import torch"
        )
        if grade_s:
            for label, times, stack, goal in (
                ("grader grade ONE --jobs 1, cold", grade_s, stack_grade, GOAL_GRADE),
                ("grader check ONE, cold", check_s, stack_check, GOAL_CHECK),
            ):
                paired = statistics.median(t / s for t, s in zip(times, stack, strict=True))
                med = statistics.median(times)
                _goal(label, paired, goal, f"{med:.2f} s; import torch, torchvision {statistics.median(stack):.2f} s; {med / torch_med:.2f} import torch")
        print(
            f"peak RSS of the largest grading process (worker, zygote or student): {peak / 1e9:.2f} GB"
        )

        per_check = check_seconds(last_out)
        total = sum(per_check.values()) or 1.0
        print(
            "five most expensive checks (mean seconds per notebook, share of check time, last run):"
        )
        for check, seconds in sorted(per_check.items(), key=lambda kv: -kv[1])[:5]:
            print(f"  {check:45s} {seconds / args.n:6.2f} s  {100 * seconds / total:5.1f}%")
    return 0


def _goal(label: str, ratio: float, goal: float, figures: str) -> None:
    verdict = "met" if ratio <= goal else f"NOT met: {ratio / goal:.2f}x the goal"
    print(f"{label:<36} ratio {ratio:5.2f} (goal <= {goal}: {verdict}); {figures}")


if __name__ == "__main__":
    sys.exit(main())
