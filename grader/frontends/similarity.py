"""``grader similarity PATH... --out DIR``: the class's similarity report for the instructor."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.assignments import DEFAULT

# The engine (copydetect, scipy, matplotlib) is imported by run() only: building the
# parser of every ``grader`` command must stay cheap. The test suite checks this value is
# the engine's DEFAULT_THRESHOLD (whose docstring says why it is what it is).
DEFAULT_THRESHOLD = 0.50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, help="notebooks, or folders of notebooks")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("reports/similarity"),
        help="report folder (default: reports/similarity)",
    )
    parser.add_argument(
        "--assignment",
        default=DEFAULT,
        help=f"assignment pack: its tasks, graded functions and handout (default: {DEFAULT})",
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument(
        "--base",
        type=Path,
        action="append",
        default=None,
        help="the blank handout (.ipynb or .py) whose code and text are left out; repeat it "
        "for the handouts of several years (default: the pack's handout code when present)",
    )
    base.add_argument("--no-base", action="store_true", help="leave no provided code out")
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"a task's score from which a pair is shown for review (default: {DEFAULT_THRESHOLD})",
    )
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")


def run(args: argparse.Namespace) -> int:
    from grader.assignment import locate
    from grader.errors import UnknownAssignment
    from grader.similarity.documents import collect_notebooks
    from grader.similarity.engine import run_similarity

    if not collect_notebooks(args.paths):
        print("similarity: no notebooks found in " + ", ".join(map(str, args.paths)))
        return 2
    try:
        located = locate(args.assignment)
    except UnknownAssignment as error:
        print(f"similarity: {error}")
        return 2
    layout, default = located.layout(), located.handout_file()
    bases = [] if args.no_base else (args.base or ([default] if default else []))
    missing = [b for b in bases if not b.is_file()]
    if missing:
        print(f"similarity: base file {missing[0]} not found")
        return 2
    try:
        report = run_similarity(
            args.paths,
            args.out,
            base=bases,
            layout=layout,
            threshold=args.threshold,
            workers=args.workers,
        )
    except ValueError as error:  # an unreadable base file
        print(f"similarity: {error}")
        return 2
    compared = len(report.submissions) - len(report.not_compared)
    print(
        f"similarity: {compared} notebooks compared, {len(report.pairs)} pairs, "
        f"{len(report.flagged)} to review (a task at >= {report.threshold:.2f}), "
        f"{len(report.clusters)} groups of more than two; "
        f"base: {', '.join(map(str, bases)) or 'none'}"
    )
    for s in report.not_compared:
        print(f"  not compared: {s.name}: {' '.join(s.problems)}")
    for p in report.flagged[:10]:
        parts = ", ".join(f"{t.task} {t.kind} {t.score:.2f}" for t in p.flagged_tasks)
        print(f"  {p.score:.2f}  {p.a} ~ {p.b}  ({parts})")
    print(f"evidence to review: {args.out / 'similarity.html'}")
    return 0
