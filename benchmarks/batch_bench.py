"""Class-scale throughput: grade N copies of the sample submissions, as ``grader grade`` would.

Prints notebooks per minute, total seconds and peak memory per worker, each as a ratio to its
target (100 notebooks in <= 100 s; <= 1.5 GB per worker), then where the time went: the
per-notebook ``seconds`` and per-check ``check_seconds`` that every report.json records. No
figure is asserted: this reports, a person judges.

Peak memory: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` after the pool is gone is the largest
resident set any single worker (or its runtime zygote, or a student process) reached: exact,
no dependency. With psutil installed the worker trees are also sampled every 0.25 s (worker +
zygote + student processes, summed; shared pages counted twice, so an upper bound).

    python benchmarks/batch_bench.py [--n 100] [--jobs N] [--notebook PATH ...] [--keep DIR]
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
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.cli import EXIT_NEEDS_PERSON, EXIT_OK, exit_status
from grader.frontends.batch import grade_all

TARGET_SECONDS_PER_100 = 100.0
TARGET_WORKER_BYTES = 1.5e9


def copies(sources: list[Path], n: int, folder: Path) -> None:
    """``n`` notebooks cycling through ``sources``, each under a valid name of its own."""
    folder.mkdir(parents=True)
    for i in range(n):
        source = sources[i % len(sources)]
        _, last, first = (source.stem.split("_", 2) + ["X", "Y"])[:3]
        shutil.copy(source, folder / f"A2_{last}{i:04d}_{first}.ipynb")


class TreeSampler(threading.Thread):
    """Peak RSS of each worker alone and of each worker's process tree, when psutil is there."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        import psutil

        self.me = psutil.Process()
        self.stop = threading.Event()
        self.worker_peak = 0
        self.tree_peak = 0

    def run(self) -> None:
        import psutil

        while not self.stop.wait(0.25):
            for worker in self.me.children():
                try:
                    own = worker.memory_info().rss
                    tree = own + sum(p.memory_info().rss for p in worker.children(recursive=True))
                except psutil.Error:
                    continue
                self.worker_peak = max(self.worker_peak, own)
                self.tree_peak = max(self.tree_peak, tree)


def where_time_went(out: Path, n: int) -> None:
    per_notebook, per_check = [], defaultdict(float)
    for report in out.glob("*/report.json"):
        meta = json.loads(report.read_text(encoding="utf-8"))["meta"]
        if "seconds" in meta:
            per_notebook.append(meta["seconds"])
        for check, seconds in meta.get("check_seconds", {}).items():
            per_check[check] += seconds
    if not per_notebook:
        print("no timings in the reports")
        return
    checks_total = sum(per_check.values())
    print(
        f"\nper notebook (grade_notebook): mean {statistics.mean(per_notebook):.2f} s, median "
        f"{statistics.median(per_notebook):.2f} s, max {max(per_notebook):.2f} s; "
        f"sum {sum(per_notebook):.1f} s, of which checks {checks_total:.1f} s"
    )
    print("slowest checks (mean seconds per notebook, share of check time):")
    for check, seconds in sorted(per_check.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {check:45s} {seconds / n:6.2f} s  {100 * seconds / checks_total:5.1f}%")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100, help="notebooks to grade (default 100)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="workers (default: all cores)"
    )
    parser.add_argument(
        "--notebook",
        type=Path,
        action="append",
        help="sample submission(s) to copy (default: submissions/*.ipynb)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="grade into this folder and keep it"
    )
    args = parser.parse_args()
    sources = args.notebook or sorted((ROOT / "submissions").glob("*.ipynb"))
    if not sources:
        print("no sample submission: pass --notebook PATH")
        return 2
    sampler = None
    try:
        sampler = TreeSampler()
    except ImportError:
        pass

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        folder = Path(tmp) / "in"
        out = args.keep or Path(tmp) / "out"
        copies(sources, args.n, folder)
        print(
            f"grading {args.n} copies of {', '.join(s.name for s in sources)} with {args.jobs} worker(s)...",
            flush=True,
        )
        if sampler:
            sampler.start()
        started = time.monotonic()
        with contextlib.redirect_stdout(io.StringIO()):
            code = exit_status(grade_all([folder], out, jobs=args.jobs, force=True))
        total = time.monotonic() - started
        if sampler:
            sampler.stop.set()
        if code not in (EXIT_OK, EXIT_NEEDS_PERSON):  # the sample class has a hanging notebook
            print(f"grade_all returned {code}")
            return code
        who = resource.RUSAGE_SELF if args.jobs == 1 else resource.RUSAGE_CHILDREN
        peak = resource.getrusage(who).ru_maxrss * 1024  # kilobytes on Linux

        per_minute = 60 * args.n / total
        target = TARGET_SECONDS_PER_100 * args.n / 100
        print(
            f"\nnotebooks per minute: {per_minute:.1f}   (target {60 * 100 / TARGET_SECONDS_PER_100:.0f}/min)"
        )
        print(
            f"total seconds:        {total:.1f}   (target <= {target:.0f} s: ratio {total / target:.2f})"
        )
        print(
            f"peak RSS, largest single grading process: {peak / 1e9:.2f} GB   "
            f"(target <= {TARGET_WORKER_BYTES / 1e9:.1f} GB: ratio {peak / TARGET_WORKER_BYTES:.2f})"
            + ("  [in-process: includes the driver]" if args.jobs == 1 else "")
        )
        if sampler and sampler.worker_peak:
            print(
                f"peak RSS sampled (psutil): worker alone {sampler.worker_peak / 1e9:.2f} GB, worker + zygote + "
                f"student processes {sampler.tree_peak / 1e9:.2f} GB (shared pages counted twice)"
            )
        where_time_went(out, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
