"""A realistic class: 100 notebooks of the real-form corpus, mixed as a class is, 2 workers.

The sample class the batch benchmark copies is mostly correct notebooks; a real class is not.
This one draws from the verdict corpus (``tests/support/corpus/``): about a third with a wrong
gradient or ConvNet, a few broken or hostile files and codes, the rest correct in the many
styles students write, plus a few other seeded mistakes. It prints, for the median of
``--repeat`` runs, each figure next to its goal as a ratio to ``python -c "import torch"``
measured in the same run (the machine may be shared: the load average is printed beside every
figure, and the ratios are what count):

- a class: seconds per notebook (goal <= 0.45 import-torch per notebook), notebooks per minute,
  peak memory per worker, and the five most expensive checks (``meta.check_seconds``);
- one notebook cold (``--single``, on by default): ``grader grade ONE --jobs 1`` and
  ``grader check`` on the reference notebook (goal <= 1.5 each).

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

GOAL_CLASS = 0.45  # seconds per notebook, as a ratio to `import torch`
GOAL_SINGLE = 1.5  # one notebook cold, grade or check, as a ratio to `import torch`

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


def grade_class(folder: Path, out: Path, jobs: int) -> float:
    if out.exists():
        shutil.rmtree(out)
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):
        code = exit_status(grade_all([folder], out, jobs=jobs, force=True))
    if code not in (EXIT_OK, EXIT_NEEDS_PERSON):  # a class with broken notebooks needs a person
        raise SystemExit(f"grade_all returned {code}")
    return time.monotonic() - started


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

        torch_s, class_s, grade_s, check_s, loads = [], [], [], [], []
        out = Path(tmp) / "out"
        for run in range(args.repeat):
            torch_s += import_torch()
            loads.append(os.getloadavg()[0])
            class_s.append(
                grade_class(
                    folder, args.keep if args.keep and run == args.repeat - 1 else out, args.jobs
                )
            )
            loads.append(os.getloadavg()[0])  # and after: the load during the run
            print(
                f"  run {run + 1}: import torch {statistics.median(torch_s[-3:]):.2f} s, class {class_s[-1]:.1f} s ({load()})",
                flush=True,
            )
            if args.single:
                single = Path(tmp) / "single"
                notebook = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
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
                check_s.append(wall([sys.executable, "-m", "grader.cli", "check", str(notebook)]))
                shutil.rmtree(single, ignore_errors=True)
                torch_s += import_torch()
                print(
                    f"         grade one {grade_s[-1]:.2f} s, check {check_s[-1]:.2f} s, import torch {statistics.median(torch_s[-3:]):.2f} s ({load()})",
                    flush=True,
                )
        last_out = args.keep or out
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

        torch_med, class_med = statistics.median(torch_s), statistics.median(class_s)
        per_nb = class_med / args.n
        load_text = f"load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores"
        print(
            f'\npython -c "import torch": {torch_med:.2f} s (median of {len(torch_s)}; {load_text})'
        )
        _goal("class: seconds per notebook", per_nb, per_nb / torch_med, GOAL_CLASS)
        print(
            f"  {args.n} notebooks in {class_med:.1f} s: {60 * args.n / class_med:.1f} per minute"
        )
        if grade_s:
            grade_med, check_med = statistics.median(grade_s), statistics.median(check_s)
            _goal("grader grade ONE --jobs 1, cold", grade_med, grade_med / torch_med, GOAL_SINGLE)
            _goal("grader check ONE, cold", check_med, check_med / torch_med, GOAL_SINGLE)
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


def _goal(label: str, seconds: float, ratio: float, goal: float) -> None:
    verdict = "met" if ratio <= goal else f"NOT met: {ratio / goal:.2f}x the goal"
    print(
        f"{label:<36}{seconds:7.2f} s   ratio {ratio:4.2f} to import torch   (goal <= {goal}: {verdict})"
    )


if __name__ == "__main__":
    sys.exit(main())
